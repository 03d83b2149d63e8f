"""The local twin of each subscription resolver answers as its APPSYNC_JS file does: the JS runs under node with a
stub of @aws-appsync/utils, for the same identities and arguments."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from appsync.fields import SUBSCRIPTION_FIELDS
from appsync.local.graphql.auth import LocalCredentials, Principal, authenticate, iam_headers, user_sub
from appsync.local.realtime.subscriptions import SUBSCRIBE_RULES, subscribe_rules

# Just enough of @aws-appsync/utils: util.unauthorized() throws, as it ends the resolver on AppSync.
UTILS_STUB = """
export const util = {
  unauthorized() { const error = new Error('Unauthorized'); error.unauthorized = true; throw error; },
};
"""
# Runs the file's response(ctx) for each case: true if the subscription is allowed.
DRIVER = """
import { readFileSync } from 'node:fs';
import { request, response } from './rule.mjs';
const cases = JSON.parse(readFileSync(0, 'utf8'));
const answers = cases.map(({ identity, args }) => {
  const ctx = { identity, args, stash: {} };
  request(ctx);
  try { response(ctx); return true; } catch (error) { if (error.unauthorized) return false; throw error; }
});
console.log(JSON.stringify(answers));
"""


def run_js(code: Path, cases: list[dict[str, Any]], workdir: Path) -> list[bool]:
    utils = workdir / "node_modules" / "@aws-appsync" / "utils"
    utils.mkdir(parents=True)
    (utils / "package.json").write_text(
        json.dumps({"name": "@aws-appsync/utils", "type": "module", "main": "index.js"})
    )
    (utils / "index.js").write_text(UTILS_STUB)
    shutil.copy(code, workdir / "rule.mjs")
    (workdir / "driver.mjs").write_text(DRIVER)
    node = shutil.which("node")
    assert node is not None
    answer = subprocess.run(
        [node, "driver.mjs"], input=json.dumps(cases), cwd=workdir, capture_output=True, text=True, check=True
    )
    answers: list[bool] = json.loads(answer.stdout)
    return answers


def test_every_subscription_resolver_file_has_a_local_twin() -> None:
    with_code = {s.field_name for s in SUBSCRIPTION_FIELDS if s.code is not None}
    assert set(subscribe_rules()) == with_code
    assert {s.code.name for s in SUBSCRIPTION_FIELDS if s.code is not None} <= set(SUBSCRIBE_RULES)


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the APPSYNC_JS files")
def test_on_booking_status_changed_answers_as_its_appsync_js(tmp_path: Path) -> None:
    # Given every kind of caller and both a customer's own id and someone else's
    credentials = LocalCredentials(tmp_path / "keys")
    callers: dict[str, Principal] = {
        "alice": authenticate({"authorization": credentials.issue_token("alice")}, "127.0.0.1", credentials),
        "admin": authenticate({"authorization": credentials.issue_token("ops", admin=True)}, "127.0.0.1", credentials),
        "iam": authenticate({k.lower(): v for k, v in iam_headers().items()}, "127.0.0.1", credentials),
        "api_key": authenticate({"x-api-key": credentials.api_key}, "127.0.0.1", credentials),
    }
    arguments = [
        {"customer": user_sub("alice")},
        {"customer": user_sub("bob"), "bookingId": "01J0000000000000000000000"},
    ]
    cases = [(name, args) for name in callers for args in arguments]
    (subscription,) = [s for s in SUBSCRIPTION_FIELDS if s.field_name == "onBookingStatusChanged"]
    assert subscription.code is not None

    # When the JS on node and the local twin judge each case
    js = run_js(
        subscription.code,
        [{"identity": callers[name].identity, "args": args} for name, args in cases],
        tmp_path / "js",
    )
    python = [subscribe_rules()["onBookingStatusChanged"](callers[name], args) for name, args in cases]

    # Then they agree, and only Alice subscribing to Bob's bookings is refused
    assert python == js
    refused = [case for case, allowed in zip(cases, python, strict=True) if not allowed]
    assert refused == [("alice", arguments[1])]
