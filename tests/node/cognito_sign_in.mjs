// Amplify Auth v6 against the local user pool, as a web app would use it: sign up, confirm (the code comes on
// stdin), SRP sign-in, session, a userPool GraphQL call, a subscription to the user's own booking statuses while
// booking FLIGHT_ID, refresh, sign-out; then USER_PASSWORD_AUTH and a global sign-out. Env: CONFIG_URL (the
// server's /amplify-config.json), USERNAME, PASSWORD, EMAIL, FLIGHT_ID (NODE_EXTRA_CA_CERTS for TLS). Prints one
// JSON line per step on stdout; reads the confirmation code, then "go" once the subscription is registered.
import readline from 'node:readline';
import WebSocket from 'ws';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

const { USERNAME: username, PASSWORD: password, EMAIL: email } = process.env;
const emit = (step, data = {}) => console.log(JSON.stringify({ step, ...data }));

// The app's storage (a browser's localStorage); kept here so the test can try a refresh token after sign-out.
const memory = new Map();
const storage = {
  setItem: async (key, value) => void memory.set(key, value),
  getItem: async (key) => memory.get(key) ?? null,
  removeItem: async (key) => void memory.delete(key),
  clear: async () => memory.clear(),
};
const refreshToken = () => [...memory].find(([key]) => key.endsWith('.refreshToken'))?.[1];

// Node 20 has no WebSocket of its own; Amplify's real-time client needs one.
globalThis.WebSocket = WebSocket;
const config = await (await fetch(process.env.CONFIG_URL)).json();
Amplify.configure(config);
emit('configured', { auth: config.Auth.Cognito, endpoint: config.API.GraphQL.endpoint });
cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const getLoyalty = 'query GetLoyalty { getLoyalty { customer points level } }';

const signedUp = await signUp({ username, password, options: { userAttributes: { email } } });
emit('signUp', { nextStep: signedUp.nextStep.signUpStep, userId: signedUp.userId });
const code = (await lines.next()).value.trim();
const confirmed = await confirmSignUp({ username, confirmationCode: code });
emit('confirmSignUp', { isSignUpComplete: confirmed.isSignUpComplete });

const srp = await signIn({ username, password });
emit('signIn', { isSignedIn: srp.isSignedIn, nextStep: srp.nextStep.signInStep });
const session = await fetchAuthSession();
const user = await getCurrentUser();
emit('session', {
  userSub: session.userSub,
  idTokenUse: session.tokens.idToken.payload.token_use,
  accessTokenUse: session.tokens.accessToken.payload.token_use,
  username: user.username,
  userId: user.userId,
});

const client = generateClient();
const loyalty = await client.graphql({ query: getLoyalty, authMode: 'userPool' });
emit('getLoyalty', { loyalty: loyalty.data.getLoyalty });

const onStatus = `subscription OnStatus($customer: ID!) {
  onBookingStatusChanged(customer: $customer) { bookingId customer status }
}`;
const book = `mutation Book($input: InitBookingInput!) { initBooking(input: $input) { id status customer } }`;
const statuses = [];
let bookingConfirmed;
const done = new Promise((resolve) => (bookingConfirmed = resolve));
const subscription = client
  .graphql({ query: onStatus, variables: { customer: session.userSub }, authMode: 'userPool' })
  .subscribe({
    next: ({ data }) => {
      statuses.push(data.onBookingStatusChanged);
      if (data.onBookingStatusChanged.status === 'CONFIRMED') bookingConfirmed();
    },
    error: (error) => emit('subscriptionError', { error: JSON.stringify(error) }),
  });
emit('subscribing');
await lines.next();
const booked = await client.graphql({
  query: book,
  variables: {
    input: {
      outboundFlightId: process.env.FLIGHT_ID,
      paymentToken: 'tok_visa',
      idempotencyKey: crypto.randomUUID(),
      passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }],
    },
  },
  authMode: 'userPool',
});
await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30000))]);
subscription.unsubscribe();
emit('booking', { booking: booked.data.initBooking, statuses });

const refreshed = await fetchAuthSession({ forceRefresh: true });
emit('refresh', {
  newIdToken: refreshed.tokens.idToken.toString() !== session.tokens.idToken.toString(),
  sameSub: refreshed.userSub === session.userSub,
});

const revoked = refreshToken();
await signOut();
const after = await fetchAuthSession();
emit('signOut', { refreshToken: revoked, signedOut: after.tokens === undefined });

const withPassword = await signIn({ username, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
const second = await fetchAuthSession();
const again = await client.graphql({ query: getLoyalty, authMode: 'userPool' });
emit('passwordSignIn', {
  isSignedIn: withPassword.isSignedIn,
  authFlowType: (await getCurrentUser()).signInDetails?.authFlowType,
  customer: again.data.getLoyalty.customer,
  sameSub: second.userSub === session.userSub,
});
const globalRevoked = refreshToken();
await signOut({ global: true });
emit('globalSignOut', { refreshToken: globalRevoked });

try {
  await signIn({ username, password: `${password}-wrong` });
  emit('wrongPassword', { error: null });
} catch (error) {
  emit('wrongPassword', { error: error.name });
}
process.exit(0);
