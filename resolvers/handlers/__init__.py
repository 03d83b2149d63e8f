"""Lambda entry points: thin AppSync direct resolvers, one Router per domain."""
