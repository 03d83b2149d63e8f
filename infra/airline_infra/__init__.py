"""The CDK app's constructs: data, auth, functions, api, monitoring (and, in phase 2, saga and events)."""
