// cancelBooking's resolver code (APPSYNC_JS): the Lambda resolver code (lambda_resolver.js), and once the booking
// is cancelled, the end of the subscriptions that follow that one booking (onBookingStatusChanged with its
// bookingId: their invalidation filter, set in subscriptions/on_booking_status_changed.js, matches this payload).
// The CANCELLED event itself reaches them first: the handler publishes it before it answers.
import { util, extensions } from '@aws-appsync/utils';

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
    // As lambda_resolver.js: the invocation's own message may name internals, so the client gets a generic one.
    const crashed = ctx.error.type === 'Lambda:Unhandled';
    util.error('An internal error occurred', 'InternalFailure', null, { retryable: !crashed });
  }
  const failure = ctx.result && ctx.result.__error;
  if (failure) {
    util.error(failure.message, failure.errorType, null, failure.errorInfo);
  }
  extensions.invalidateSubscriptions({
    subscriptionField: 'onBookingStatusChanged',
    payload: { bookingId: ctx.result.id },
  });
  return ctx.result;
}
