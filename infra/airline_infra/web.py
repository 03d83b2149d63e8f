"""The Flight App on AWS: web/dist in a private S3 bucket behind CloudFront (origin access control, HTTPS only,
security headers, SPA fallback), and its amplify-config.json written from the stack's own API and user pool.

The app is built before synthesis (`make web`); when web/dist does not exist yet (a fresh clone, CDK-only
checks), a placeholder page is deployed instead and the synthesis says so in an info annotation, so that
synthesis never needs Node and never fails for want of a build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from .settings import ROOT

WEB_DIST = ROOT / "web" / "dist"
PLACEHOLDER = Path(__file__).resolve().parent / "web_placeholder"
CONFIG_KEY = "amplify-config.json"
# Vite names every file under assets/ after its content: those are cached for a year; index.html and the config
# are revalidated on every load.
IMMUTABLE_ASSETS = "assets"


def web_source_dir() -> Path:
    """web/dist when the app is built, else the placeholder page."""
    return WEB_DIST if (WEB_DIST / "index.html").is_file() else PLACEHOLDER


def amplify_config(api: appsync.GraphqlApi, user_pool: cognito.IUserPool, client: cognito.IUserPoolClient) -> dict:
    """What `Amplify.configure()` takes: the same shape as the local AppSync's GET /amplify-config.json."""
    graphql: dict[str, Any] = {
        "endpoint": api.graphql_url,
        "region": Stack.of(api).region,
        "defaultAuthMode": "userPool",
    }
    if api.api_key:
        graphql["apiKey"] = api.api_key
    return {
        "API": {"GraphQL": graphql},
        "Auth": {
            "Cognito": {
                "userPoolId": user_pool.user_pool_id,
                "userPoolClientId": client.user_pool_client_id,
                "loginWith": {"username": True, "email": True},
            }
        },
    }


def content_security_policy(region: str) -> str:
    """Only the app's own files; connections only to this region's AppSync (HTTPS, real-time WSS) and Cognito."""
    connect = " ".join(
        [
            "'self'",
            f"https://*.appsync-api.{region}.amazonaws.com",
            f"wss://*.appsync-realtime-api.{region}.amazonaws.com",
            f"https://cognito-idp.{region}.amazonaws.com",
        ]
    )
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Vue sets inline style properties (the loyalty progress bar's width).
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ]
    )


class WebHosting(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: appsync.GraphqlApi,
        user_pool: cognito.IUserPool,
        client: cognito.IUserPoolClient,
    ) -> None:
        super().__init__(scope, construct_id)
        source_dir = web_source_dir()
        if source_dir == PLACEHOLDER:
            Annotations.of(self).add_info("web/dist does not exist: deploying a placeholder page (run `make web`).")
        # CloudFront standard logs need ACLs on their bucket; nothing else is written there.
        self.logs_bucket = s3.Bucket(
            self,
            "Logs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CDK adds the legacy canned ACL LogDeliveryWrite for CloudFront logs; CloudFront needs only ACLs enabled
        # (ObjectWriter) and grants its log delivery account itself when logging is turned on.
        logs_resource = self.logs_bucket.node.default_child
        assert isinstance(logs_resource, s3.CfnBucket)
        logs_resource.add_property_deletion_override("AccessControl")
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.logs_bucket,
            server_access_logs_prefix="s3/",
            removal_policy=RemovalPolicy.RETAIN,
        )
        region = Stack.of(self).region
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Flight App: CSP, HSTS, no framing, no sniffing, strict referrer.",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(region), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, preload=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True, override=True),
            ),
        )
        # The SPA's own routes are not objects: S3 behind OAC answers 403 (no ListBucket) or 404; serve the app.
        spa_fallback = [
            cloudfront.ErrorResponse(
                http_status=status, response_http_status=200, response_page_path="/index.html", ttl=Duration.seconds(0)
            )
            for status in (403, 404)
        ]
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Flight App",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            error_responses=spa_fallback,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.logs_bucket,
            log_file_prefix="cloudfront/",
        )
        assets_dir = source_dir / IMMUTABLE_ASSETS
        self.assets = (
            s3deploy.BucketDeployment(
                self,
                "Assets",
                destination_bucket=self.bucket,
                destination_key_prefix=f"{IMMUTABLE_ASSETS}/",
                sources=[s3deploy.Source.asset(str(assets_dir))],
                cache_control=[
                    s3deploy.CacheControl.set_public(),
                    s3deploy.CacheControl.max_age(Duration.days(365)),
                    s3deploy.CacheControl.immutable(),
                ],
                # Older hashed assets stay for clients still running the previous index.html.
                prune=False,
            )
            if assets_dir.is_dir()
            else None
        )
        self.site = s3deploy.BucketDeployment(
            self,
            "IndexAndConfig",
            destination_bucket=self.bucket,
            sources=[
                s3deploy.Source.asset(str(source_dir), exclude=[IMMUTABLE_ASSETS]),
                s3deploy.Source.json_data(CONFIG_KEY, amplify_config(api, user_pool, client)),
            ],
            cache_control=[s3deploy.CacheControl.no_cache()],
            prune=False,
            distribution=self.distribution,
            distribution_paths=["/index.html", f"/{CONFIG_KEY}"],
        )
        if self.assets is not None:
            self.site.node.add_dependency(self.assets)

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}/"
