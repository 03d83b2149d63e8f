"""The CDK app: `python infra/app.py` synthesizes the airline stack into cdk.out/ (AwsSolutions checks applied)."""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from airline_infra.stack import AirlineStack
from cdk_nag import AwsSolutionsChecks


def build(app: cdk.App) -> AirlineStack:
    stack = AirlineStack(
        app,
        "Airline",
        description="Airline booking GraphQL API: AppSync, Lambda resolvers, DynamoDB single table.",
    )
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return stack


if __name__ == "__main__":
    # The CDK CLI names the output directory itself; run as a plain script, write where the CLI would.
    app = cdk.App(outdir=None if "CDK_OUTDIR" in os.environ else str(Path(__file__).resolve().parent / "cdk.out"))
    build(app)
    app.synth()
