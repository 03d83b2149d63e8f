// Types for the app's operations, generated from the contract at build time (never edited by hand).
// AppSync's built-in scalars and directives are prepended, as AppSync itself does.
import type { CodegenConfig } from '@graphql-codegen/cli'

const config: CodegenConfig = {
  overwrite: true,
  schema: ['../appsync/builtins.graphql', '../schema.graphql'],
  documents: ['src/graphql/operations.ts'],
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript-operations'],
      config: {
        enumsAsTypes: true,
        avoidOptionals: false,
        useTypeImports: true,
        scalars: {
          AWSDate: 'string',
          AWSTime: 'string',
          AWSDateTime: 'string',
          AWSTimestamp: 'number',
          AWSEmail: 'string',
          AWSJSON: 'string',
          AWSURL: 'string',
          AWSPhone: 'string',
          AWSIPAddress: 'string',
        },
      },
    },
  },
}

export default config
