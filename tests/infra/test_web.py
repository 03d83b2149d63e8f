"""The Flight App's hosting: a private bucket behind CloudFront with origin access control, HTTPS only, security
headers and the SPA fallback; its amplify-config.json written from the stack's own API and user pool."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import Synthesized


def _distribution(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.one("AWS::CloudFront::Distribution")["DistributionConfig"]


def _site_bucket_key(synthesized: Synthesized) -> str:
    (key,) = [k for k in synthesized.resources("AWS::S3::Bucket") if k.startswith("WebSite")]
    return key


def _deployments(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in synthesized.resources("Custom::CDKBucketDeployment").items()}


def test_the_site_bucket_is_private_encrypted_and_refuses_plain_http(synthesized: Synthesized) -> None:
    key = _site_bucket_key(synthesized)
    bucket = synthesized.template["Resources"][key]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "BucketEncryption" in bucket
    assert "LoggingConfiguration" in bucket
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synthesized.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": key}
    ]
    deny = [s for s in policy if s["Effect"] == "Deny"]
    assert deny
    assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_only_the_distribution_reads_the_bucket_through_origin_access_control(synthesized: Synthesized) -> None:
    oac = synthesized.one("AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3"
    assert oac["SigningBehavior"] == "always"
    (origin,) = _distribution(synthesized)["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"].get("OriginAccessIdentity", "") == ""
    key = _site_bucket_key(synthesized)
    statements = [
        s
        for p in synthesized.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": key}
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert [(s["Principal"], s["Action"]) for s in statements] == [
        ({"Service": "cloudfront.amazonaws.com"}, "s3:GetObject")
    ]
    assert "AWS:SourceArn" in statements[0]["Condition"]["StringEquals"]


def test_viewers_get_https_only_and_the_app_for_every_route(synthesized: Synthesized) -> None:
    config = _distribution(synthesized)
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert config["DefaultRootObject"] == "index.html"
    fallback = {r["ErrorCode"]: (r["ResponseCode"], r["ResponsePagePath"]) for r in config["CustomErrorResponses"]}
    assert fallback == {403: (200, "/index.html"), 404: (200, "/index.html")}
    assert config["Logging"]["Prefix"] == "cloudfront/"


def test_every_response_carries_the_security_headers(synthesized: Synthesized) -> None:
    (key,) = synthesized.resources("AWS::CloudFront::ResponseHeadersPolicy")
    assert _distribution(synthesized)["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": key}
    headers = synthesized.one("AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    # The app talks only to this region's AppSync (HTTPS and real-time WSS) and Cognito; it runs only its own code
    assert "script-src 'self';" in csp
    assert "wss://*.appsync-realtime-api." in csp
    assert "https://*.appsync-api." in csp
    assert "https://cognito-idp." in csp
    assert "frame-ancestors 'none'" in csp


def test_the_app_is_deployed_with_an_amplify_config_from_the_stacks_outputs(synthesized: Synthesized) -> None:
    (site,) = [d for key, d in _deployments(synthesized).items() if key.startswith("WebIndexAndConfig")]
    assert site["DistributionPaths"] == ["/index.html", "/amplify-config.json"]
    assert site["SystemMetadata"] == {"cache-control": "no-cache"}
    # json_data: the file is an asset with markers; the deployment fills them in from the template at deploy time
    assets = [synthesized.outdir / f"asset.{Path(k).stem}" for k in site["SourceObjectKeys"]]
    (config_file,) = [a / "amplify-config.json" for a in assets if (a / "amplify-config.json").exists()]
    markers = next(m for m in site["SourceMarkers"] if m)
    text = config_file.read_text()
    for marker, value in markers.items():
        text = text.replace(marker, json.dumps(json.dumps(value)))
    config = json.loads(text)
    resolved = {k: json.loads(v) for k, v in config["API"]["GraphQL"].items() if isinstance(v, str) and "{" in v}
    graphql = {**config["API"]["GraphQL"], **resolved}
    cognito = config["Auth"]["Cognito"]
    assert graphql["defaultAuthMode"] == "userPool"
    assert "GraphQLUrl" in json.dumps(graphql["endpoint"])
    assert "ApiKey" in json.dumps(graphql["apiKey"])
    assert "AWS::Region" in json.dumps(graphql["region"])
    assert re.search(r"AuthUserPool[0-9A-F]{8}", json.dumps(cognito["userPoolId"]))
    assert "AuthUserPoolAppClient" in json.dumps(cognito["userPoolClientId"])
    assert cognito["loginWith"]["username"] is True


def test_hashed_assets_are_cached_for_a_year_and_nothing_is_pruned(synthesized: Synthesized) -> None:
    deployments = _deployments(synthesized)
    assets = [d for key, d in deployments.items() if key.startswith("WebAssets")]
    # web/dist exists in the test run (make test builds it first); without it only the placeholder is deployed
    for deployment in assets:
        assert deployment["DestinationBucketKeyPrefix"] == "assets/"
        assert deployment["SystemMetadata"]["cache-control"] == "public, max-age=31536000, immutable"
    assert all(d["Prune"] is False for d in deployments.values())


def test_the_stack_outputs_the_web_app_url(synthesized: Synthesized) -> None:
    output = synthesized.template["Outputs"]["WebAppUrl"]["Value"]
    assert "DomainName" in json.dumps(output)


@pytest.mark.parametrize("built", [True, False])
def test_synthesis_uses_the_built_app_or_a_placeholder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: bool
) -> None:
    from airline_infra import web

    dist = tmp_path / "dist"
    if built:
        dist.mkdir()
        (dist / "index.html").write_text("<!doctype html>")
    monkeypatch.setattr(web, "WEB_DIST", dist)
    source = web.web_source_dir()
    assert source == (dist if built else web.PLACEHOLDER)
    assert (source / "index.html").is_file()


def _paths(node: Any, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    return set().union(*(_paths(value, f"{prefix}.{key}" if prefix else key) for key, value in node.items()))


def test_the_deployed_config_has_the_shape_of_the_local_one(tmp_path: Path) -> None:
    # Given the local AppSync's /amplify-config.json (API and the local user pool's Auth section)
    from airline_infra import web

    from appsync.local.amplify_config import amplify_config
    from appsync.local.cognito.pool import UserPool
    from appsync.local.graphql.auth import LocalCredentials

    pool = UserPool(tmp_path, LocalCredentials(tmp_path))
    local = amplify_config(
        "https://127.0.0.1:4443/graphql", "da2-local", "https://127.0.0.1:4443", [pool.amplify_section]
    )
    # When the CDK app builds the deployed one (tokens stand in for the stack's outputs)
    from aws_cdk import App, Stack
    from aws_cdk import aws_appsync as appsync
    from aws_cdk import aws_cognito as cognito

    stack = Stack(App(), "Shape")
    user_pool = cognito.UserPool(stack, "Pool")
    api = appsync.GraphqlApi(
        stack,
        "Api",
        name="shape",
        definition=appsync.Definition.from_schema(appsync.SchemaFile.from_asset(str(web.ROOT / "schema.graphql"))),
        authorization_config=appsync.AuthorizationConfig(
            default_authorization=appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.API_KEY)
        ),
    )
    deployed = web.amplify_config(api, user_pool, user_pool.add_client("Client"))
    # Then both have the same fields, but for the local pool's own endpoint and the deployed pool's email sign-in
    assert _paths(local) - {"Auth.Cognito.userPoolEndpoint"} == _paths(deployed) - {"Auth.Cognito.loginWith.email"}
    assert local["API"]["GraphQL"]["defaultAuthMode"] in ("apiKey", "userPool")
    assert deployed["API"]["GraphQL"]["defaultAuthMode"] == "userPool"
