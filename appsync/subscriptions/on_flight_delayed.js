// onFlightDelayed's subscription resolver (APPSYNC_JS, NONE data source), run when a client subscribes: the delays
// of the flights in flightIds (and flightId, kept for older clients), of flights leaving departureAirportCode, both
// (AND), or every delay without arguments.
import { util, extensions } from '@aws-appsync/utils';

// AppSync's `in` filter takes at most five values.
const MAX_FLIGHTS = 5;

export function request(ctx) {
  return { payload: null };
}

export function response(ctx) {
  const given = ctx.args.flightIds;
  if (given && (given.length === 0 || given.length > MAX_FLIGHTS)) {
    util.error(`flightIds: give 1 to ${MAX_FLIGHTS} flight ids, or leave it out`, 'ValidationError', null, {
      retryable: false,
      field: 'flightIds',
    });
  }
  const all = (given || []).concat(ctx.args.flightId ? [ctx.args.flightId] : []);
  const ids = all.filter((id, index) => all.indexOf(id) === index);
  if (ids.length > MAX_FLIGHTS) {
    util.error(`flightId and flightIds: at most ${MAX_FLIGHTS} flights in all`, 'ValidationError', null, {
      retryable: false,
      field: 'flightIds',
    });
  }
  const filter = {};
  if (ids.length === 1) {
    filter.flightId = { eq: ids[0] };
  } else if (ids.length > 1) {
    filter.flightId = { in: ids };
  }
  if (ctx.args.departureAirportCode) {
    filter.departureAirportCode = { eq: ctx.args.departureAirportCode };
  }
  if (Object.keys(filter).length > 0) {
    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  }
  return null;
}
