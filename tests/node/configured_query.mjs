// Amplify JS v6 in Node as a frontend uses it: configured from the served /amplify-config.json, then a query
// through generateClient(). Env: CONFIG_URL, QUERY (NODE_EXTRA_CA_CERTS for the local CA). Prints JSON.
import { Amplify } from "aws-amplify";
import { generateClient } from "aws-amplify/api";

const config = await (await fetch(process.env.CONFIG_URL)).json();
Amplify.configure(config);
let result;
try {
  result = await generateClient().graphql({ query: process.env.QUERY });
} catch (error) {
  // Amplify rejects with the GraphQL answer when it has errors, or with an Error when there is no answer.
  result = error instanceof Error ? { thrown: String(error) } : error;
}
console.log(JSON.stringify({ config, result }));
