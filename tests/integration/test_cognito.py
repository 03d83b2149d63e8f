"""The local Cognito user pool through real clients: boto3's cognito-idp client and pycognito's SRP, over HTTP,
and its tokens at the local AppSync."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from appsync.local.cognito.tokens import CLIENT_ID, POOL_ID, PREFIX
from appsync.local.server import PATH, LocalAppSync

PASSWORD = "Correct#Horse9"
GET_LOYALTY = "query { getLoyalty { customer points } }"
_names = itertools.count()


@pytest.fixture(scope="module")
def base_url(api_url: str) -> str:
    return api_url.removesuffix(PATH)


@pytest.fixture(scope="module")
def idp(base_url: str) -> Any:
    """boto3's client, pointed at the local pool as an app would point it at Cognito, with dummy credentials."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=base_url + PREFIX,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def new_user(appsync: LocalAppSync) -> Callable[..., str]:
    """A confirmed user with PASSWORD and a name no other test uses."""

    def make(groups: tuple[str, ...] = ()) -> str:
        name = f"cognito-user-{next(_names)}-{id(appsync)}"
        appsync.user_pool.add_user(name, PASSWORD, groups)
        return name

    return make


def password_sign_in(idp: Any, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = idp.initiate_auth(
        ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    result: dict[str, Any] = response["AuthenticationResult"]
    return result


def error_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def graphql(api_url: str, token: str) -> requests.Response:
    return requests.post(api_url, json={"query": GET_LOYALTY}, headers={"Authorization": token}, timeout=30)


def test_password_sign_in_answers_tokens_get_user_reads_the_user(idp: Any, new_user: Callable[..., str]) -> None:
    # Given a confirmed user
    name = new_user()
    # When they sign in with USER_PASSWORD_AUTH and read themselves with the access token
    tokens = password_sign_in(idp, name)
    user = idp.get_user(AccessToken=tokens["AccessToken"])
    # Then the answer is Cognito's, with the sub the tokens carry
    assert tokens["TokenType"] == "Bearer"
    assert tokens["ExpiresIn"] == 3600
    assert tokens["RefreshToken"]
    assert user["Username"] == name
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"]


def test_a_wrong_password_and_an_unknown_user_are_the_same_not_authorized(
    idp: Any, new_user: Callable[..., str]
) -> None:
    name = new_user()
    with pytest.raises(ClientError) as wrong:
        password_sign_in(idp, name, "Wrong#Password1")
    with pytest.raises(ClientError) as unknown:
        password_sign_in(idp, "nobody-by-this-name")
    # The app client prevents user existence errors, as the deployed one does.
    assert error_code(wrong) == error_code(unknown) == "NotAuthorizedException"
    assert wrong.value.response["Error"]["Message"] == "Incorrect username or password."
    assert wrong.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_pycognito_signs_in_with_srp_and_appsync_takes_the_token_as_that_user(
    idp: Any, new_user: Callable[..., str], api_url: str
) -> None:
    # Given a user, and pycognito's SRP client (an independent implementation of Cognito's SRP)
    name = new_user()
    srp = AWSSRP(username=name, password=PASSWORD, pool_id=POOL_ID, client_id=CLIENT_ID, client=idp)
    # When it signs in
    tokens = srp.authenticate_user()["AuthenticationResult"]
    # Then the local AppSync takes both the ID and the access token as that user
    sub = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]}["sub"]
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        answer = graphql(api_url, token).json()
        assert answer["data"]["getLoyalty"]["customer"] == sub, answer


def test_srp_with_a_wrong_password_is_not_authorized(idp: Any, new_user: Callable[..., str]) -> None:
    name = new_user()
    srp = AWSSRP(username=name, password="Wrong#Password1", pool_id=POOL_ID, client_id=CLIENT_ID, client=idp)
    with pytest.raises(ClientError) as refused:
        srp.authenticate_user()
    assert error_code(refused) == "NotAuthorizedException"


def test_a_srp_challenge_answers_once(idp: Any, new_user: Callable[..., str]) -> None:
    name = new_user()
    srp = AWSSRP(username=name, password=PASSWORD, pool_id=POOL_ID, client_id=CLIENT_ID, client=idp)
    challenge = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params())
    responses = srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params())
    answer = {"ClientId": CLIENT_ID, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses}
    assert idp.respond_to_auth_challenge(**answer)["AuthenticationResult"]["IdToken"]
    with pytest.raises(ClientError) as replayed:
        idp.respond_to_auth_challenge(**answer)
    assert error_code(replayed) == "NotAuthorizedException"


def test_sign_up_confirm_with_the_logged_code_then_sign_in(idp: Any, appsync: LocalAppSync) -> None:
    name = f"signup-{next(_names)}-{id(appsync)}"
    # A weak password is refused by the pool's policy
    with pytest.raises(ClientError) as weak:
        idp.sign_up(ClientId=CLIENT_ID, Username=name, Password="short")
    assert error_code(weak) == "InvalidPasswordException"
    # Signing up leaves the user unconfirmed, with a code in the dev log
    signed_up = idp.sign_up(
        ClientId=CLIENT_ID, Username=name, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "x@y.z"}]
    )
    assert signed_up["UserConfirmed"] is False
    assert signed_up["UserSub"]
    with pytest.raises(ClientError) as again:
        idp.sign_up(ClientId=CLIENT_ID, Username=name, Password=PASSWORD)
    assert error_code(again) == "UsernameExistsException"
    with pytest.raises(ClientError) as unconfirmed:
        password_sign_in(idp, name)
    assert error_code(unconfirmed) == "UserNotConfirmedException"
    code = appsync.user_pool.code(name, "signUp")
    assert code is not None
    with pytest.raises(ClientError) as mismatch:
        idp.confirm_sign_up(ClientId=CLIENT_ID, Username=name, ConfirmationCode=f"{(int(code) + 1) % 10**6:06d}")
    assert error_code(mismatch) == "CodeMismatchException"
    idp.confirm_sign_up(ClientId=CLIENT_ID, Username=name, ConfirmationCode=code)
    # Then the user signs in, and their ID token carries their attributes
    tokens = password_sign_in(idp, name)
    user = idp.get_user(AccessToken=tokens["AccessToken"])
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]} == {"sub": signed_up["UserSub"], "email": "x@y.z"}


def test_refresh_then_global_sign_out_revokes_refresh_and_access(idp: Any, new_user: Callable[..., str]) -> None:
    name = new_user()
    tokens = password_sign_in(idp, name)
    refresh = {"ClientId": CLIENT_ID, "AuthFlow": "REFRESH_TOKEN_AUTH"}
    refreshed = idp.initiate_auth(**refresh, AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert refreshed["AuthenticationResult"]["IdToken"] != tokens["IdToken"]
    assert "RefreshToken" not in refreshed["AuthenticationResult"]
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(**refresh, AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert error_code(refused) == "NotAuthorizedException"
    with pytest.raises(ClientError) as revoked:
        idp.get_user(AccessToken=refreshed["AuthenticationResult"]["AccessToken"])
    assert error_code(revoked) == "NotAuthorizedException"


def test_revoke_token_ends_one_session_only(idp: Any, new_user: Callable[..., str]) -> None:
    name = new_user()
    first, second = password_sign_in(idp, name), password_sign_in(idp, name)
    idp.revoke_token(ClientId=CLIENT_ID, Token=first["RefreshToken"])
    refresh = {"ClientId": CLIENT_ID, "AuthFlow": "REFRESH_TOKEN"}
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(**refresh, AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    assert error_code(refused) == "NotAuthorizedException"
    assert idp.initiate_auth(**refresh, AuthParameters={"REFRESH_TOKEN": second["RefreshToken"]})[
        "AuthenticationResult"
    ]


def test_forgot_password_resets_it_with_the_logged_code(
    idp: Any, new_user: Callable[..., str], appsync: LocalAppSync
) -> None:
    name = new_user()
    idp.forgot_password(ClientId=CLIENT_ID, Username=name)
    code = appsync.user_pool.code(name, "reset")
    assert code is not None
    new_password = "Another#Secret42"
    with pytest.raises(ClientError) as mismatch:
        idp.confirm_forgot_password(
            ClientId=CLIENT_ID, Username=name, ConfirmationCode=f"{(int(code) + 1) % 10**6:06d}", Password=new_password
        )
    assert error_code(mismatch) == "CodeMismatchException"
    idp.confirm_forgot_password(ClientId=CLIENT_ID, Username=name, ConfirmationCode=code, Password=new_password)
    with pytest.raises(ClientError) as old:
        password_sign_in(idp, name)
    assert error_code(old) == "NotAuthorizedException"
    assert password_sign_in(idp, name, new_password)["IdToken"]


def test_an_unknown_app_client_is_not_found(idp: Any) -> None:
    with pytest.raises(ClientError) as missing:
        idp.initiate_auth(ClientId="other", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "x"})
    assert error_code(missing) == "ResourceNotFoundException"


def test_groups_ride_in_the_tokens_and_admins_may_read_any_loyalty(
    idp: Any, new_user: Callable[..., str], api_url: str
) -> None:
    name = new_user(("Admins",))
    tokens = password_sign_in(idp, name)
    query = 'query { getLoyalty(customer: "someone-else") { customer } }'
    answer = requests.post(api_url, json={"query": query}, headers={"Authorization": tokens["AccessToken"]}, timeout=30)
    assert answer.json()["data"]["getLoyalty"]["customer"] == "someone-else", answer.json()


def test_srp_for_an_unknown_user_answers_a_decoy_challenge_then_refuses(idp: Any, new_user: Callable[..., str]) -> None:
    # Given a user who exists and a name that does not
    known = new_user()
    srp_known = AWSSRP(username=known, password=PASSWORD, pool_id=POOL_ID, client_id=CLIENT_ID, client=idp)
    srp_unknown = AWSSRP(username="nobody-here", password=PASSWORD, pool_id=POOL_ID, client_id=CLIENT_ID, client=idp)
    # When each starts SRP
    challenges = [
        idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_SRP_AUTH", AuthParameters=c.get_auth_params())
        for c in (srp_known, srp_unknown)
    ]
    # Then both get the same kind of challenge, and the unknown name is refused only at the answer, as a wrong password
    assert [c["ChallengeName"] for c in challenges] == ["PASSWORD_VERIFIER", "PASSWORD_VERIFIER"]
    known_parameters, unknown_parameters = (sorted(c["ChallengeParameters"]) for c in challenges)
    assert known_parameters == unknown_parameters
    with pytest.raises(ClientError) as refused:
        srp_unknown.authenticate_user()
    assert error_code(refused) == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == "Incorrect username or password."


def test_srp_tells_an_unconfirmed_user_apart_only_with_the_right_password(idp: Any, appsync: LocalAppSync) -> None:
    name = f"unconfirmed-{next(_names)}-{id(appsync)}"
    idp.sign_up(ClientId=CLIENT_ID, Username=name, Password=PASSWORD)
    for password, expected in ((PASSWORD + "x", "NotAuthorizedException"), (PASSWORD, "UserNotConfirmedException")):
        with pytest.raises(ClientError) as refused:
            AWSSRP(
                username=name, password=password, pool_id=POOL_ID, client_id=CLIENT_ID, client=idp
            ).authenticate_user()
        assert error_code(refused) == expected
