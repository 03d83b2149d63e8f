// The APPSYNC_JS resolver files (appsync/*.js, appsync/resolvers/, appsync/subscriptions/) under AWS's
// @aws-appsync/eslint-plugin, recommended config (its type-aware rules read tsconfig.json here).
import appsync from '@aws-appsync/eslint-plugin';

export default [
  { ignores: ['local/**', 'node_modules/**'] },
  {
    files: ['*.js', 'resolvers/*.js', 'subscriptions/*.js'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  { files: ['*.js', 'resolvers/*.js', 'subscriptions/*.js'], ...appsync.configs.recommended },
];
