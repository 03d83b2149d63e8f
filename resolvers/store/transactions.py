"""The store's one way to run a TransactWriteItems: per-item condition failures, retried conflicts and throttling.

DynamoDB cancels a whole transaction when one of its items fails its condition (`ConditionalCheckFailed`), when
another transaction touches one of its items at the same time (`TransactionConflict`), or when it is throttled.
The first is an answer the caller maps to a domain outcome item by item; the others say nothing about the data:
the transaction is tried again with jittered exponential backoff and, if it still loses, raised as the retryable
`Conflict` (the saga's Retry and a client's retry both handle it).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from resolvers.domain.errors import Conflict
from resolvers.store.table import connection

CONDITION_FAILED = "ConditionalCheckFailed"
# Cancellation reasons and error codes that a later try of the same transaction may not meet.
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        # A 500 says nothing about the data either (DynamoDB Local answers it when a transaction waits too long for
        # an item's lock under load); botocore's own retries may not outlast it.
        "InternalServerError",
    }
)
ATTEMPTS = 5
BASE_DELAY = 0.02
MAX_DELAY = 0.5


class ConditionFailed(Exception):
    """The transaction was cancelled because items' conditions failed: `failed[i]` is True for item i."""

    def __init__(self, failed: list[bool]) -> None:
        super().__init__(failed)
        self.failed = failed

    def at(self, index: int) -> bool:
        return index < len(self.failed) and self.failed[index]


def _retryable(error: TransactWriteError) -> bool:
    if error.cause_response_code in RETRYABLE_CODES:
        return True
    return any(reason is not None and reason.code in RETRYABLE_REASONS for reason in error.cancellation_reasons)


def _backoff(attempt: int) -> float:
    """Full jitter: uniform between 0 and an exponentially growing cap."""
    return random.uniform(0, min(MAX_DELAY, BASE_DELAY * 2**attempt))


def transact_write(build: Callable[[TransactWrite], None], *, what: str = "The change") -> None:
    """Run the transaction `build` describes (it adds the items to the TransactWrite it is given).

    Raises ConditionFailed naming the items whose condition failed; retries conflicts and throttling up to
    ATTEMPTS times, then raises Conflict (retryable). Any other failure propagates unchanged.
    """
    for attempt in range(ATTEMPTS):
        try:
            with TransactWrite(connection=connection()) as transaction:
                build(transaction)
            return
        except TransactWriteError as exc:
            failed = [reason is not None and reason.code == CONDITION_FAILED for reason in exc.cancellation_reasons]
            if any(failed):
                # A condition failed: the answer about the data, whatever else was contended.
                raise ConditionFailed(failed) from exc
            if not _retryable(exc):
                raise
            if attempt + 1 < ATTEMPTS:
                time.sleep(_backoff(attempt))
    raise Conflict(f"{what} lost to concurrent changes; try again")
