"""The caller as AppSync identifies it, and who may act for which customer."""

from __future__ import annotations

import pytest

from resolvers.domain.errors import Unauthorized
from resolvers.domain.identity import AuthMode, Caller
from tests.factories import admin, cognito, iam


def test_a_cognito_user_acts_for_themselves_only():
    caller = Caller.from_identity(cognito("alice"))

    assert caller.mode is AuthMode.COGNITO
    assert caller.customer_to_act_for(None) == "alice"
    assert caller.customer_to_act_for("alice") == "alice"
    with pytest.raises(Unauthorized):
        caller.customer_to_act_for("bob")


def test_admins_and_iam_act_for_anyone():
    assert Caller.from_identity(admin()).customer_to_act_for("bob") == "bob"
    assert Caller.from_identity(iam()).customer_to_act_for("bob") == "bob"
    assert Caller.from_identity(iam()).mode is AuthMode.IAM


def test_an_api_key_caller_is_no_customer():
    caller = Caller.from_identity(None)

    assert caller.mode is AuthMode.API_KEY
    with pytest.raises(Unauthorized):
        caller.customer_to_act_for(None)
    with pytest.raises(Unauthorized):
        caller.require_admin()
