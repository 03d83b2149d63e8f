"""The single table: keys and GSIs read from the store's models, on-demand, PITR, encrypted, TTL."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from resolvers.store.models import TableItem
from resolvers.store.table import index_definitions, ttl_attribute_name


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key(TableItem._hash_key_attribute().attr_name),
            sort_key=_string_key(TableItem._range_key_attribute().attr_name),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # Idempotency records expire (the store's TTL attribute).
            time_to_live_attribute=ttl_attribute_name(),
            deletion_protection=True,
            # Bookings and loyalty ledgers outlive a stack: deleting the stack keeps the table.
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.index_names: list[str] = []
        for index in index_definitions():
            self.table.add_global_secondary_index(
                index_name=index["name"],
                partition_key=_string_key(index["partition"]),
                sort_key=_string_key(index["sort"]) if "sort" in index else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
            self.index_names.append(index["name"])
