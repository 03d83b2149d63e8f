// Batch Lambda resolver code (APPSYNC_JS): like lambda_resolver.js, but AppSync gathers the field's parents into
// one BatchInvoke (up to the resolver's maxBatchSize); the function answers a list, and AppSync hands each field
// its element. An error result ({"__error": {...}}, for the whole batch or one element) becomes a GraphQL error.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'BatchInvoke',
    payload: {
      arguments: ctx.arguments,
      identity: ctx.identity,
      source: ctx.source,
      request: ctx.request,
      info: ctx.info,
      prev: ctx.prev,
      stash: ctx.stash,
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const failure = ctx.result && ctx.result.__error;
  if (failure) {
    util.error(failure.message, failure.errorType, null, failure.errorInfo);
  }
  return ctx.result;
}
