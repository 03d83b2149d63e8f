"""The reconciler's Lambda, run on a schedule (an EventBridge rule in the CDK app): one reconciliation a call."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from resolvers.config import SERVICE, load_reconciler_settings
from resolvers.services import reconciler

logger = Logger(service=SERVICE)
# Read once, at cold start, like the rest of the configuration.
SETTINGS = load_reconciler_settings()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, list[str]]:
    report = reconciler.reconcile(SETTINGS)
    logger.info(
        "Reconciled",
        extra={"failed": len(report.failed), "running": len(report.running), "credited": len(report.credited)},
    )
    return report.as_dict()
