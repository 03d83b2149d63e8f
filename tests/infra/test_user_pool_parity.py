"""The deployed user pool and the local one agree where a frontend could tell them apart: SRP sign-in (Amplify's
default flow), refresh, existence errors, the password policy, token lifetimes."""

from __future__ import annotations

from appsync.local.cognito.pool import MIN_PASSWORD_LENGTH
from appsync.local.cognito.tokens import REFRESH_TOKEN_DAYS, TOKEN_SECONDS
from tests.infra.conftest import Synthesized


def test_the_deployed_app_client_signs_in_with_srp_and_refreshes(synthesized: Synthesized) -> None:
    client = synthesized.one("AWS::Cognito::UserPoolClient")
    assert {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(client["ExplicitAuthFlows"])
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_the_local_pool_keeps_the_deployed_password_policy_and_token_lifetimes(synthesized: Synthesized) -> None:
    policy = synthesized.one("AWS::Cognito::UserPool")["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == MIN_PASSWORD_LENGTH
    assert all(policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    client = synthesized.one("AWS::Cognito::UserPoolClient")
    units = {"minutes": 60, "hours": 3600, "days": 86400}
    validity = client["TokenValidityUnits"]
    assert client["IdTokenValidity"] * units[validity["IdToken"]] == TOKEN_SECONDS
    assert client["AccessTokenValidity"] * units[validity["AccessToken"]] == TOKEN_SECONDS
    assert client["RefreshTokenValidity"] * units[validity["RefreshToken"]] == REFRESH_TOKEN_DAYS * 86400
