// onBookingStatusChanged's subscription resolver (APPSYNC_JS, NONE data source), run when a client subscribes.
// It filters on the server by who subscribes: a customer receives the events of their own bookings only (customer
// is their `sub`, whether or not they pass it) and may not name someone else; Admins and IAM principals follow
// the customer they name, or everyone. A subscription to one booking ends when that booking is cancelled
// (resolvers/cancel_booking.js calls extensions.invalidateSubscriptions with its bookingId).
import { util, extensions } from '@aws-appsync/utils';

export function request(ctx) {
  return { payload: null };
}

export function response(ctx) {
  const identity = ctx.identity || {};
  const groups = identity.groups || [];
  const isCustomer = Boolean(identity.sub) && !groups.includes('Admins');
  const customer = ctx.args.customer;
  const bookingId = ctx.args.bookingId;
  if (isCustomer && customer && customer !== identity.sub) {
    util.unauthorized();
  }
  const filter = {};
  const owner = isCustomer ? identity.sub : customer;
  if (owner) {
    filter.customer = { eq: owner };
  }
  if (bookingId) {
    filter.bookingId = { eq: bookingId };
    extensions.setSubscriptionInvalidationFilter(util.transform.toSubscriptionFilter({ bookingId: { eq: bookingId } }));
  }
  if (Object.keys(filter).length > 0) {
    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  }
  return null;
}
