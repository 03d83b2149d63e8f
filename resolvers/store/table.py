"""Binds the models to the configured table and endpoint, and creates the table where it is missing.

Every model and every transaction shares one PynamoDB connection, so one botocore client per process (botocore
clients are thread-safe). Left alone, PynamoDB makes a connection per model class, each with a botocore session and
client of its own: about 90 ms of CPU each here (initBooking's first call made two: 0.28 s of CPU, now 0.08 s), and
threads reaching a model first at the same moment each made their own.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from pynamodb.connection import Connection, TableConnection

from resolvers.config import Settings, get_settings
from resolvers.store.models import MODELS, TableItem

_bound: Settings | None = None
_connection: Connection | None = None
_connection_lock = threading.Lock()
# HTTP connections the shared client keeps open: one per thread issuing calls at once (the local runtime runs
# requests, sagas and consumers in threads; a Lambda one invocation at a time). Beyond it, urllib3 opens and drops a
# connection per call. Connections are opened only when needed.
MAX_POOL_CONNECTIONS = 64


def bind(settings: Settings | None = None) -> None:
    """Point every model at the table and endpoint of `settings` (the process's settings by default)."""
    global _bound, _connection
    settings = settings or get_settings()
    with _connection_lock:
        if settings == _bound:
            return
        shared = Connection(
            region=settings.region, host=settings.dynamodb_endpoint, max_pool_connections=MAX_POOL_CONNECTIONS
        )
        for model in MODELS:
            model.Meta.table_name = settings.table_name
            model.Meta.region = settings.region
            setattr(model.Meta, "host", settings.dynamodb_endpoint)  # noqa: B010 (Meta declares no host)
            model._connection = None
            # PynamoDB builds the model's table connection (its key schema; no client yet), then talks through the
            # shared one. The models share one table and one schema, so one schema serves them all.
            table_connection: TableConnection = model._get_connection()
            if model is MODELS[0]:
                shared.add_meta_table(table_connection.get_meta_table())
            table_connection.connection = shared
        # Made here, under the lock: threads making their first calls at once would each make one.
        shared.client  # noqa: B018
        _connection = shared
        _bound = settings


def ensure_bound() -> None:
    if _bound is None:
        bind()


def connection() -> Connection:
    """The low-level connection to the bound endpoint, shared by every model (and used for transactions)."""
    ensure_bound()
    assert _connection is not None
    return _connection


def create_table_if_missing() -> bool:
    """Create the table with its indexes; True if it was created now."""
    ensure_bound()
    if TableItem.exists():
        add_missing_indexes()
        return False
    TableItem.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
    return True


def add_missing_indexes() -> list[str]:
    """Add the GSIs the models declare that the table lacks (a table DynamoDB Local kept from before an index was
    declared); the names added. On AWS the CDK app adds them."""
    described = TableItem.describe_table()
    present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}
    added = []
    for index in index_definitions():
        if index["name"] in present:
            continue
        key_names = [index["partition"], *([index["sort"]] if "sort" in index else [])]
        connection().client.update_table(
            TableName=TableItem.Meta.table_name,
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in key_names],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["name"],
                        "KeySchema": [
                            {"AttributeName": name, "KeyType": key_type}
                            for name, key_type in zip(key_names, ("HASH", "RANGE"), strict=False)
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        )
        added.append(index["name"])
        _wait_until_active()
    return added


def _wait_until_active(timeout: float = 60.0) -> None:
    """Until the table and every index are ACTIVE: writes made while an index is still being built can fail (DynamoDB
    Local answers InternalFailure to some under load), and an index being built answers no Query."""
    deadline = time.monotonic() + timeout
    while True:
        described = TableItem.describe_table()
        statuses = [described.get("TableStatus")]
        statuses += [index.get("IndexStatus") for index in described.get("GlobalSecondaryIndexes", [])]
        if all(status == "ACTIVE" for status in statuses):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"Table {TableItem.Meta.table_name} not ACTIVE after {timeout:.0f} s: {statuses}")
        time.sleep(0.1)


def index_definitions() -> list[dict[str, Any]]:
    """The GSIs the models declare, by name with their key attribute names: the CDK app builds them from this."""
    indexes = []
    for index in (TableItem.gsi1, TableItem.gsi2, TableItem.gsi3):
        keys = {}
        for attribute in index.Meta.attributes.values():  # type: ignore[union-attr]
            keys["partition" if attribute.is_hash_key else "sort"] = attribute.attr_name
        indexes.append({"name": index.Meta.index_name, **keys})
    return indexes


def ttl_attribute_name() -> str:
    """The attribute DynamoDB's time to live reads (the CDK app enables TTL on it)."""
    name: str = TableItem.expires_at.attr_name
    return name
