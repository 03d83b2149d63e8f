"""The API's protections against expensive requests, defined once: the CDK app sets the deployed API's limits from
here (`infra/airline_infra/api.py`) and the local AppSync enforces the same numbers by default
(`appsync/local/graphql/limits.py`, where the environment may override them for an experiment)."""

from __future__ import annotations

from typing import Final

# Nesting of fields below the operation (AppSync's `queryDepthLimit`, 1 to 75; introspection fields not counted).
QUERY_DEPTH: Final = 8
# Resolvers per request, fragments expanded (AppSync's `resolverCountLimit`, 1 to 10,000). A page of 100 bookings
# resolves 100 outboundFlight fields (in one BatchInvoke) plus the list itself.
RESOLVER_COUNT: Final = 250
# Lexical tokens in one query document: AppSync has no setting for it; the local server refuses a document past it
# before parsing it further.
TOKENS: Final = 10_000
# Size of a request body, and of a WebSocket frame (AppSync's request payload quota is 1 MB).
BODY_BYTES: Final = 1024 * 1024
