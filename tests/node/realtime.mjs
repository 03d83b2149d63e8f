// Amplify JS v6 in Node, subscribing through AppSync's real-time protocol as a browser app would: configured with
// what the server's /amplify-config.json answers, it connects to <endpoint>/realtime over wss:// itself. The test
// that runs it passes (env):
//   AIRLINE_CONFIG_URL  https://<host>/amplify-config.json
//   AIRLINE_SCENARIO  "delay", "booking" or "refused"
//   AIRLINE_TOKEN     the subscriber's user token (booking, refused)   AIRLINE_ADMIN_TOKEN  an Admin's (delay)
//   AIRLINE_FLIGHT    the flight to delay or book                      AIRLINE_CUSTOMER     the channel's customer
// and reads one JSON object on stdout: {"events": [...], "errors": [...]}.
import WebSocket from 'ws';
import { Amplify } from 'aws-amplify';
import { generateClient, CONNECTION_STATE_CHANGE, ConnectionState } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';

globalThis.WebSocket = WebSocket; // Node 20 has no WebSocket of its own

const env = process.env;
const PATIENCE_MS = 30_000;

const configAnswer = await fetch(env.AIRLINE_CONFIG_URL);
if (!configAnswer.ok) throw new Error(`GET ${env.AIRLINE_CONFIG_URL}: ${configAnswer.status}`);
Amplify.configure(await configAnswer.json());
const client = generateClient();
// A user token travels as the Authorization header, as a Cognito ID token does on AppSync.
const asUser = (token) => ({ authMode: 'lambda', authToken: token });

const ON_DELAY = `subscription OnDelay($flightId: ID) {
  onFlightDelayed(flightId: $flightId) { flightId delayMinutes reason }
}`;
const ON_STATUS = `subscription OnStatus($customer: ID!) {
  onBookingStatusChanged(customer: $customer) { bookingId customer status }
}`;
const DELAY = `mutation Delay($input: DelayFlightInput!) { delayFlight(input: $input) { flightId delayMinutes } }`;
const BOOK = `mutation Book($input: InitBookingInput!) { initBooking(input: $input) { id status } }`;

const events = [];
const errors = [];

function finish(code = 0) {
  process.stdout.write(JSON.stringify({ events, errors }) + '\n');
  process.exit(code);
}
setTimeout(() => {
  errors.push({ message: 'timed out' });
  finish(1);
}, PATIENCE_MS).unref();

// Resolves once the subscription is acknowledged (start_ack): Amplify reports the connection as Connected.
const connected = new Promise((resolve) => {
  Hub.listen('api', ({ payload }) => {
    if (payload.event === CONNECTION_STATE_CHANGE && payload.data.connectionState === ConnectionState.Connected) {
      resolve();
    }
  });
});

function subscribe(query, variables, auth, wanted) {
  return new Promise((resolve) => {
    const subscription = client.graphql({ query, variables, ...auth }).subscribe({
      next: ({ data }) => {
        events.push(data);
        if (events.length >= wanted) {
          subscription.unsubscribe();
          resolve();
        }
      },
      error: (error) => {
        errors.push(...(error.errors ?? [{ message: String(error) }]).map((e) => ({ message: e.message })));
        resolve();
      },
    });
  });
}

async function mutate(query, variables, auth) {
  const result = await client.graphql({ query, variables, ...auth });
  return result.data;
}

const scenarios = {
  // Anyone may watch a flight (API key); an Admin delays it.
  async delay() {
    const received = subscribe(ON_DELAY, { flightId: env.AIRLINE_FLIGHT }, {}, 1);
    await connected;
    const input = { flightId: env.AIRLINE_FLIGHT, delayMinutes: 20, reason: 'Late inbound aircraft' };
    await mutate(DELAY, { input }, asUser(env.AIRLINE_ADMIN_TOKEN));
    await received;
  },
  // A customer watches her own bookings, books, and sees PENDING then CONFIRMED.
  async booking() {
    const received = subscribe(ON_STATUS, { customer: env.AIRLINE_CUSTOMER }, asUser(env.AIRLINE_TOKEN), 2);
    await connected;
    const input = {
      outboundFlightId: env.AIRLINE_FLIGHT,
      paymentToken: 'tok_visa',
      idempotencyKey: crypto.randomUUID(),
      passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }],
    };
    await mutate(BOOK, { input }, asUser(env.AIRLINE_TOKEN));
    await received;
  },
  // A customer asks for another customer's channel: AppSync's refusal.
  async refused() {
    await subscribe(ON_STATUS, { customer: env.AIRLINE_CUSTOMER }, asUser(env.AIRLINE_TOKEN), 1);
  },
};

try {
  await scenarios[env.AIRLINE_SCENARIO]();
  finish(0);
} catch (error) {
  errors.push({ message: String(error?.message ?? error), errors: error?.errors });
  finish(1);
}
