"""The local Cognito user pool: Cognito's IdP JSON API (SRP and password sign-in, tokens, refresh, sign-out),
its users and groups kept in the state directory, and the JWKS the local AppSync verifies tokens with."""
