"""Telling subscribers where a booking stands, behind a port: publishBookingStatus on AppSync.

On AWS the notifier makes the IAM-signed publishBookingStatus call that AppSync fans out to onBookingStatusChanged
subscribers; the local AppSync installs its own notifier that makes the same call in process. With neither
configured, the notice goes to the log.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from resolvers import config
from resolvers.domain.models import Booking, BookingStatusEvent
from resolvers.ports import Port

if TYPE_CHECKING:
    import urllib.request

log = logging.getLogger(__name__)

PUBLISH_BOOKING_STATUS = """
mutation PublishBookingStatus($input: PublishBookingStatusInput!) {
  publishBookingStatus(input: $input) {
    bookingId customer status bookingReference statusReason occurredAt
  }
}
"""


class Notifier(Protocol):
    def booking_status(self, booking: Booking) -> None: ...


def publish_input(booking: Booking) -> dict[str, Any]:
    from resolvers.handlers.wire import to_graphql

    return to_graphql(BookingStatusEvent.of(booking))


class LogNotifier:
    def booking_status(self, booking: Booking) -> None:
        log.info("Booking status notification", extra=publish_input(booking))


class AppSyncNotifier:
    """Calls publishBookingStatus on the AppSync API, signed with the function's IAM role (SigV4)."""

    def __init__(
        self,
        url: str,
        region: str,
        credentials: Any = None,
        send: Callable[[urllib.request.Request], bytes] | None = None,
    ) -> None:
        self.url = url
        self.region = region
        self._credentials = credentials
        self._send = send or _send

    def booking_status(self, booking: Booking) -> None:
        import urllib.request

        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        if self._credentials is None:
            import botocore.session

            self._credentials = botocore.session.get_session().get_credentials()
        body = json.dumps({"query": PUBLISH_BOOKING_STATUS, "variables": {"input": publish_input(booking)}})
        signed = AWSRequest(method="POST", url=self.url, data=body, headers={"Content-Type": "application/json"})
        SigV4Auth(self._credentials, "appsync", self.region).add_auth(signed)
        request = urllib.request.Request(  # noqa: S310 (the API's https URL from configuration)
            self.url, data=body.encode(), headers=dict(signed.headers.items()), method="POST"
        )
        answer = json.loads(self._send(request))
        if answer.get("errors"):
            raise RuntimeError(f"publishBookingStatus failed: {answer['errors']}")


def _send(request: urllib.request.Request) -> bytes:
    import urllib.request

    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (see above)
        body: bytes = response.read()
        return body


def _configured_notifier() -> Notifier:
    url = os.environ.get(config.APPSYNC_GRAPHQL_URL)
    region = os.environ.get(config.AWS_REGION, config.DEFAULT_REGION)
    return AppSyncNotifier(url, region) if url else LogNotifier()


_notifier: Port[Notifier] = Port(_configured_notifier)
# Install the notifier (the local runtime, tests); None goes back to the configured one.
use_notifier = _notifier.use
notifier = _notifier.get
