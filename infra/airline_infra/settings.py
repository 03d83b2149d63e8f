"""What the stack is built from: repository paths, function kinds and their sizes, budgets and limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from appsync import limits as request_limits
from resolvers.config import ReconcilerSettings
from resolvers.store.models import TableItem

ROOT = Path(__file__).resolve().parents[2]
RESOLVERS_DIR = ROOT / "resolvers"
APPSYNC_DIR = ROOT / "appsync"
LAMBDA_RESOLVER_CODE = APPSYNC_DIR / "lambda_resolver.js"
LAMBDA_BATCH_RESOLVER_CODE = APPSYNC_DIR / "lambda_batch_resolver.js"
PYPROJECT = ROOT / "pyproject.toml"

# Context keys (`cdk deploy -c key=value`, or cdk.json).
CONTEXT_BUNDLE_DEPENDENCIES = "bundleDependencies"
CONTEXT_POWERTOOLS_LAYER_VERSION = "powertoolsLayerVersion"
CONTEXT_ALARM_EMAIL = "alarmEmail"
# `-c sagaWorkflow=EXPRESS`: the booking saga as an Express workflow (about 100x cheaper a booking, see the README's
# cost table; at least once, which the saga's tasks are built for); STANDARD (exactly once) by default.
CONTEXT_SAGA_WORKFLOW = "sagaWorkflow"
SAGA_WORKFLOWS = ("STANDARD", "EXPRESS")
DEFAULT_SAGA_WORKFLOW = "STANDARD"
# An Express execution lasts 5 minutes at most: the saga's own timeout is capped to it.
EXPRESS_MAX_SECONDS = 300
# `-c holdDurationSeconds=…` / `-c holdMaxSeconds=…`: HOLD_DURATION_SECONDS and HOLD_MAX_SECONDS of the bookings
# function (30 minutes and 24 hours unless given); the hold timer's own timeout (3 days) bounds the maximum.
CONTEXT_HOLD_DURATION = "holdDurationSeconds"
CONTEXT_HOLD_MAX = "holdMaxSeconds"

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
PYTHON_VERSION = RUNTIME.name.removeprefix("python")  # "3.14"
# pip's name for the runtime's platform, to install wheels that run in Lambda whatever machine synthesizes.
PIP_PLATFORM = "manylinux2014_aarch64"
# The official Powertools layer (it carries the tracer's aws-xray-sdk); the runtime brings boto3.
POWERTOOLS_LAYER_ARN = (
    "arn:{partition}:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python"
    + PYTHON_VERSION.replace(".", "")
    + "-arm64:{version}"
)
DEFAULT_POWERTOOLS_LAYER_VERSION = "38"
# Dependencies the layer or the runtime already provide: not bundled.
PROVIDED_DEPENDENCIES = frozenset({"aws-lambda-powertools", "boto3", "botocore"})

LOG_RETENTION = logs.RetentionDays.ONE_MONTH


@dataclass(frozen=True)
class FunctionKind:
    """Size and latency budget of a kind of function."""

    name: str
    memory_mb: int
    timeout: Duration
    # p99 duration above which the latency alarm fires.
    p99_budget_ms: int


API = FunctionKind("api", memory_mb=512, timeout=Duration.seconds(10), p99_budget_ms=1_000)
BOOKING = FunctionKind("booking", memory_mb=1024, timeout=Duration.seconds(15), p99_budget_ms=3_000)
PAYMENT = FunctionKind("payment", memory_mb=1536, timeout=Duration.seconds(30), p99_budget_ms=10_000)

# The reconciler runs every few minutes; a run may walk many bookings after an outage, and ends before the next one.
RECONCILER = FunctionKind("reconciler", memory_mb=512, timeout=Duration.minutes(4), p99_budget_ms=60_000)

# The API functions of appsync/fields.py FUNCTIONS, by kind.
API_FUNCTION_KINDS: dict[str, FunctionKind] = {"catalog": API, "bookings": API, "loyalty": API}
# The saga's task functions, by the kind resolvers/saga/definition.py TASKS names.
SAGA_TASK_KINDS: dict[str, FunctionKind] = {"booking": BOOKING, "payment": PAYMENT}

# Least privilege: the DynamoDB actions each API function's store code issues (see resolvers/store/).
TABLE_ACTIONS: dict[str, tuple[str, ...]] = {
    # listFlights (GSI1 query), getFlight, Booking.outboundFlight (batch get), createFlight (conditional put);
    # delayFlight: reads the flight, moves it (conditional update), its seat holds (a Query of the flight's
    # partition on the table itself) and their bookings (batch get).
    "catalog": (
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ),
    # getBooking, listBookings (GSI1, GSI2 queries); initBooking (idempotency record, booking and reference put in
    # one transaction); cancelBooking (conditional status update, sandbox refund update, seat release transaction,
    # check-in seats deleted); checkIn (flight counter and booking updates, the booking partition's Query, a seat's
    # two conditional puts in one transaction).
    "bookings": (
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ),
    # getLoyalty.
    "loyalty": ("dynamodb:GetItem",),
}
# API functions that publish domain events (initBooking: booking.created; cancelBooking: booking.cancelled,
# payment.refunded; delayFlight: flight.delayed) and start the booking saga (initBooking).
API_EVENT_PUBLISHERS = frozenset({"bookings", "catalog"})
API_SAGA_STARTERS = frozenset({"bookings"})
# The mutation resolvers/notifications.py calls (IAM-signed) so that AppSync delivers a booking's status to
# onBookingStatusChanged subscribers: its callers get appsync:GraphQL on this field only.
NOTIFIER_MUTATION = "publishBookingStatus"
# API functions that call it: initBooking publishes PENDING, cancelBooking CANCELLED.
API_NOTIFIERS = frozenset({"bookings"})

# The saga's task functions and the event consumers, by handler: the table actions of their paths. A transaction
# (TransactWriteItems) needs the actions of its parts: seat holds are Put + Update and Delete + Update, the loyalty
# ledger Put + Update and Update + Update; ReserveSeat's also checks the booking (ConditionCheck).
HANDLER_TABLE_ACTIONS: dict[str, tuple[str, ...]] = {
    # The hold, the counter and a check that the booking is PENDING in one transaction; the flight is read to tell
    # "no such flight" from "sold out".
    "resolvers.saga.tasks.reserve_seat": (
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    ),
    # Reads the booking and the sandbox ledger entry; counts attempts, records and captures (updates).
    "resolvers.saga.tasks.collect_payment": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    # PENDING to CONFIRMED: a conditional update.
    "resolvers.saga.tasks.confirm_booking": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    # Reads the booking it tells the customer about.
    "resolvers.saga.tasks.notify_booking": ("dynamodb:GetItem",),
    # Reads the ledger entry; refunds or voids it (update).
    "resolvers.saga.tasks.refund_payment": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    # To FAILED: a conditional update.
    "resolvers.saga.tasks.cancel_booking": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    # Deletes the hold and puts its seats back in one transaction; reads the hold when that is refused (gone, or
    # holding another number of seats).
    "resolvers.saga.tasks.release_seat": ("dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"),
    # The hold timer's ExpireHold: reads the booking, HELD to EXPIRED (a conditional update), then the seat release
    # transaction (delete + update), reading the hold if that is refused.
    "resolvers.saga.tasks.expire_hold": ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    # Credit: entry + total (transaction); reversal: reads the entry, a tombstone put or an update transaction.
    "resolvers.consumers.loyalty.handler": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    # Bookings by status (a GSI3 Query); the saga's compensation (refund: update; seat: delete + update; FAILED:
    # update) and the points it credits (ledger entries batch-read; entry put + total update), reading the payment
    # and the booking it notifies about.
    "resolvers.handlers.reconciler.handler": (
        "dynamodb:Query",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ),
}
# Saga tasks that publish domain events (resolvers/services/booking_saga.py): payment.processed,
# booking.confirmed, payment.refunded, booking.failed; and the hold timer's ExpireHold: booking.expired.
HANDLER_EVENT_PUBLISHERS = frozenset(
    {
        "resolvers.saga.tasks.expire_hold",
        "resolvers.saga.tasks.collect_payment",
        "resolvers.saga.tasks.confirm_booking",
        "resolvers.saga.tasks.refund_payment",
        "resolvers.saga.tasks.cancel_booking",
    }
)
# Saga tasks that call NOTIFIER_MUTATION: NotifyBooking publishes CONFIRMED and FAILED, ExpireHold EXPIRED.
HANDLER_NOTIFIERS = frozenset({"resolvers.saga.tasks.notify_booking", "resolvers.saga.tasks.expire_hold"})


@dataclass(frozen=True)
class EventDelivery:
    """How EventBridge retries a target before the event goes to the target's dead-letter queue."""

    retry_attempts: int = 8
    max_event_age_hours: int = 6

    @property
    def max_event_age(self) -> Duration:
        return Duration.hours(self.max_event_age_hours)


EVENT_DELIVERY = EventDelivery()
# The reconciler's schedule, and what its functions read (resolvers/config.py ReconcilerSettings).
RECONCILER_SETTINGS = ReconcilerSettings()
# The index it queries bookings by status on (resolvers/store/models.py Gsi3).
RECONCILER_INDEX: str = TableItem.gsi3.Meta.index_name
# A scheduled run that could not be invoked is retried a little, not past the next run.
RECONCILER_DELIVERY = EventDelivery(retry_attempts=2, max_event_age_hours=1)

# Dead-letter queues keep messages as long as SQS allows: operators have two weeks to look.
DEAD_LETTER_RETENTION = Duration.days(14)


@dataclass(frozen=True)
class ApiLimits:
    """AppSync protections against expensive queries, and the API's latency budget."""

    # The same numbers the local AppSync enforces (appsync/limits.py).
    query_depth: int = request_limits.QUERY_DEPTH
    resolver_count: int = request_limits.RESOLVER_COUNT
    p99_latency_budget_ms: int = 1_000
    # WAF: requests per IP over the evaluation window before the IP is blocked.
    rate_limit_per_ip: int = 2_000
    rate_window_seconds: int = 300
    api_key_days: int = 365


API_LIMITS = ApiLimits()


@dataclass(frozen=True)
class AlarmThresholds:
    lambda_error_percent: float = 1.0
    appsync_5xx_percent: float = 0.5


ALARM_THRESHOLDS = AlarmThresholds()
