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
    // The invocation itself failed (throttled, timed out, crashed): its message may name internals, so the
    // client gets a generic one, retryable unless the function crashed; the details are in the function's log.
    const crashed = ctx.error.type === 'Lambda:Unhandled';
    util.error('An internal error occurred', 'InternalFailure', null, { retryable: !crashed });
  }
  const failure = ctx.result && ctx.result.__error;
  if (failure) {
    util.error(failure.message, failure.errorType, null, failure.errorInfo);
  }
  return ctx.result;
}
