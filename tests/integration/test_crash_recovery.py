"""A real crash: `airline dev` and its DynamoDB Local killed (SIGKILL) while 40 customers book a 20-seat flight, then
started again on the same data. The restarted server's reconciler settles every booking without any client."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import requests

from appsync.local.cognito.pool import UserPool
from appsync.local.environment import LOCAL_TABLE_NAME
from appsync.local.graphql.auth import LocalCredentials
from resolvers import config
from tests.integration.test_dev_command import java_processes_using, start_dev, wait_for

SEATS, CUSTOMERS, PRICE = 20, 40, 5400
ROUNDS = 3
# Short thresholds so that the test waits seconds, not the local defaults' 30 s.
SETTLE_AFTER, INTERVAL = 2, 1
# A generous bound on a loaded 2-core machine, not a performance claim.
SETTLED_WITHIN = 90

CREATE_FLIGHT = """mutation($input: CreateFlightInput!) { createFlight(input: $input) { id } }"""
INIT_BOOKING = """mutation($input: InitBookingInput!) { initBooking(input: $input) { id status } }"""


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    dynamodb: str
    output: list[str] = field(default_factory=list)


def start(state_dir: Path) -> Server:
    settings = {config.RECONCILE_AFTER_SECONDS: str(SETTLE_AFTER), config.RECONCILE_INTERVAL_SECONDS: str(INTERVAL)}
    process, lines = start_dev(state_dir, **settings)
    output: list[str] = []
    url = wait_for(lines, r"GraphQL\s+(http://\S+)", output).group(1)
    dynamodb = wait_for(lines, r"DynamoDB\s+(http://\S+)", output).group(1)
    return Server(process, url, dynamodb, output)


def crash(server: Server, state_dir: Path) -> None:
    """SIGKILL the server and the DynamoDB Local it started: nothing gets to clean up."""
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(30)
    for pid in java_processes_using(state_dir):
        os.kill(pid, signal.SIGKILL)


def graphql(url: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(
        url, json={"query": query, "variables": variables}, headers={"Authorization": token}, timeout=30
    )
    body: dict[str, Any] = answer.json()
    assert not body.get("errors"), body
    return body["data"]


def book_until_killed(url: str, tokens: list[str], flight_id: str) -> threading.Semaphore:
    """Every customer books at once; the answers a crash cuts off are lost, as they would be for real clients. The
    semaphore is released once per answer."""
    answered = threading.Semaphore(0)

    def book(token: str) -> None:
        variables = {
            "input": {
                "outboundFlightId": flight_id,
                "paymentToken": "tok_visa",
                "idempotencyKey": str(uuid.uuid4()),
                "passengers": [{"firstName": "Ada", "lastName": "Lovelace"}],
            }
        }
        with contextlib.suppress(requests.RequestException):
            answer = requests.post(
                url, json={"query": INIT_BOOKING, "variables": variables}, headers={"Authorization": token}, timeout=30
            )
            assert answer.status_code == 200
            answered.release()

    for token in tokens:
        threading.Thread(target=book, args=(token,), daemon=True).start()
    return answered


class Table:
    def __init__(self, endpoint: str) -> None:
        self.client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="eu-west-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self.client.get_paginator("query").paginate(TableName=LOCAL_TABLE_NAME, **kwargs):
            items += page["Items"]
        return items

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.client.get_item(
            TableName=LOCAL_TABLE_NAME, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True
        ).get("Item")
        return item

    def pending(self) -> int:
        return len(
            self.query(
                IndexName="GSI3",
                KeyConditionExpression="GSI3PK = :s",
                ExpressionAttributeValues={":s": {"S": "STATUS#PENDING"}},
            )
        )


def invariants(table: Table, flight_id: str, customers: list[str]) -> dict[str, int]:
    bookings = []
    for customer in customers:
        bookings += [
            item
            for item in table.query(
                IndexName="GSI1",
                KeyConditionExpression="GSI1PK = :c AND begins_with(GSI1SK, :b)",
                ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{customer}"}, ":b": {"S": "BOOKING#"}},
            )
            if item["outboundFlightId"]["S"] == flight_id
        ]
    statuses = {item["id"]["S"]: item["status"]["S"] for item in bookings}
    assert "PENDING" not in statuses.values()
    confirmed = {booking_id for booking_id, status in statuses.items() if status == "CONFIRMED"}
    flight = table.get(f"FLIGHT#{flight_id}", f"FLIGHT#{flight_id}")
    assert flight is not None
    holds = table.query(
        KeyConditionExpression="PK = :f AND begins_with(SK, :s)",
        ExpressionAttributeValues={":f": {"S": f"FLIGHT#{flight_id}"}, ":s": {"S": "SEAT#"}},
    )
    assert {hold["bookingId"]["S"] for hold in holds} == confirmed
    assert int(flight["seatsAvailable"]["N"]) + len(holds) == int(flight["seatCapacity"]["N"]) == SEATS
    captured: dict[str, int] = {}
    for booking_id in statuses:
        payment = table.get(f"BOOKING#{booking_id}", "PAYMENT")
        if payment is not None and payment["status"]["S"] == "CAPTURED":
            captured[booking_id] = int(payment["amount"]["N"])
    assert set(captured) == confirmed
    assert sum(captured.values()) == len(confirmed) * PRICE
    by_customer = {item["id"]["S"]: item["customer"]["S"] for item in bookings}
    for customer in customers:
        summary = table.get(f"CUSTOMER#{customer}", "LOYALTY")
        points = int(summary["points"]["N"]) if summary else 0
        assert points == sum(amount for b, amount in captured.items() if by_customer[b] == customer)
    return {"bookings": len(statuses), "confirmed": len(confirmed), "failed": len(statuses) - len(confirmed)}


def test_bookings_a_killed_server_left_pending_settle_after_restart_over_three_crashes(tmp_path: Path) -> None:
    chance = random.Random(13)
    server = start(tmp_path)
    rounds: list[tuple[str, list[str]]] = []
    try:
        for round_ in range(ROUNDS):
            # Given 40 customers booking a 20-seat flight at once (tokens from the issuer this server records)
            credentials = LocalCredentials(tmp_path)
            admin = credentials.issue_token("ops", admin=True, hours=1)
            departs = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
            flight = {
                "flightNumber": f"AW{900 + round_}",
                "departureAirportCode": "QQA",
                "departureAirportName": "Crash Field",
                "departureCity": "Crash",
                "departureDateTime": departs.isoformat().replace("+00:00", "Z"),
                "arrivalAirportCode": "QQB",
                "arrivalAirportName": "Restart Field",
                "arrivalCity": "Restart",
                "arrivalDateTime": (departs + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
                "ticketPrice": PRICE,
                "ticketCurrency": "GBP",
                "seatCapacity": SEATS,
            }
            flight_id = graphql(server.url, admin, CREATE_FLIGHT, {"input": flight})["createFlight"]["id"]
            names = [f"crash{round_}-{i}" for i in range(CUSTOMERS)]
            pool = UserPool(tmp_path, credentials)
            customers = [pool.sub_of(name) for name in names]
            tokens = [credentials.issue_token(name, hours=1) for name in names]
            answered = book_until_killed(server.url, tokens, flight_id)

            # When the server and DynamoDB Local are killed mid-load (a few bookings answered, sagas running), then
            # started again on the same data
            for _ in range(3):
                assert answered.acquire(timeout=60), "no booking was answered"
            time.sleep(chance.uniform(0.2, 3.0))
            crash(server, tmp_path)
            rounds.append((flight_id, customers))
            restarted_at = time.monotonic()
            server = start(tmp_path)
            ready_in = time.monotonic() - restarted_at
            table = Table(server.dynamodb)

            # Then within the reconciler's threshold and interval no booking is PENDING, and every invariant holds
            # (bounded from when it is ready: the start itself is bounded by READY_WITHIN)
            while table.pending():
                assert time.monotonic() - restarted_at - ready_in < SETTLED_WITHIN, "bookings stayed PENDING"
                time.sleep(0.2)
            settled_in = time.monotonic() - restarted_at
            deadline = time.monotonic() + SETTLED_WITHIN
            while True:
                try:
                    outcome = invariants(table, flight_id, customers)
                    break
                except AssertionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            assert outcome["bookings"] >= 3
            print(
                f"round {round_ + 1}: restarted in {ready_in:.1f} s, no booking PENDING {settled_in - ready_in:.1f} s"
                f" later, all invariants {time.monotonic() - restarted_at - ready_in:.1f} s later; {outcome}"
            )
        # And the earlier rounds still hold after later crashes
        for flight_id, customers in rounds:
            invariants(Table(server.dynamodb), flight_id, customers)
    finally:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(60)
        except subprocess.TimeoutExpired:
            server.process.kill()
        for pid in java_processes_using(tmp_path):
            os.kill(pid, signal.SIGKILL)
