// onBookingStatusChanged's subscribe-time check (APPSYNC_JS, NONE data source): a customer may subscribe only
// with their own id; Admins and IAM principals may subscribe for any customer. The local AppSync applies the
// same rule (appsync/local); AppSync then delivers only events whose `customer` equals the argument.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return { payload: null };
}

export function response(ctx) {
  const identity = ctx.identity || {};
  const groups = identity.groups || [];
  const isUser = Boolean(identity.sub);
  if (isUser && ctx.args.customer !== identity.sub && !groups.includes('Admins')) {
    util.unauthorized();
  }
  return null;
}
