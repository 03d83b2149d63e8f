// Lambda resolver code (APPSYNC_JS): sends AppSync's direct-resolver payload to the function and turns an
// error result ({"__error": {errorType, message, errorInfo}}) into a GraphQL error, as the local AppSync does.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'Invoke',
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
