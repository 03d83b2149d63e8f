"""The AWS adapters behind the ports, against botocore's Stubber: what they send and how they read answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import ANY, Stubber

from resolvers.domain.errors import Throttled
from resolvers.events import SOURCE, DomainEvent, EventBridgeBus
from resolvers.saga.starter import StepFunctionsStarter

ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:booking-saga"


@pytest.fixture
def stepfunctions():
    client = boto3.client("stepfunctions", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub


def test_the_saga_starts_as_an_execution_named_after_its_booking(stepfunctions):
    client, stub = stepfunctions
    execution_input = {"bookingId": "b-1", "customer": "c-1"}
    stub.add_response(
        "start_execution",
        {"executionArn": f"{ARN}:b-1", "startDate": datetime(2026, 11, 22, tzinfo=UTC)},
        {"stateMachineArn": ARN, "name": "b-1", "input": json.dumps(execution_input)},
    )

    assert StepFunctionsStarter(ARN, client).start("b-1", execution_input) is True
    stub.assert_no_pending_responses()


def test_a_second_start_for_the_same_booking_starts_nothing(stepfunctions):
    client, stub = stepfunctions
    stub.add_client_error("start_execution", "ExecutionAlreadyExists")

    assert StepFunctionsStarter(ARN, client).start("b-1", {}) is False


def test_throttling_is_a_retryable_error_for_the_client(stepfunctions):
    client, stub = stepfunctions
    stub.add_client_error("start_execution", "ThrottlingException")

    with pytest.raises(Throttled) as raised:
        StepFunctionsStarter(ARN, client).start("b-1", {})
    assert raised.value.error_info["retryable"] is True


def test_events_go_to_the_bus_with_their_type_source_and_id():
    client = boto3.client("events", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    event = DomainEvent("booking.confirmed", {"bookingId": "b-1"}, subject="b-1")
    with Stubber(client) as stub:
        stub.add_response(
            "put_events",
            {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]},
            {
                "Entries": [
                    {
                        "Source": SOURCE,
                        "DetailType": "booking.confirmed",
                        "Detail": ANY,
                        "EventBusName": "bus",
                        "Time": ANY,
                    }
                ]
            },
        )
        EventBridgeBus("bus", client).publish([event])
        stub.add_response(
            "put_events", {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "x"}]}
        )
        with pytest.raises(RuntimeError, match="refused 1 of 1"):
            EventBridgeBus("bus", client).publish([event])
    assert event.envelope_detail()["eventId"] == "booking.confirmed:b-1"


@pytest.mark.parametrize(("status", "running"), [("RUNNING", True), ("SUCCEEDED", False), ("FAILED", False)])
def test_a_bookings_execution_is_running_only_while_step_functions_says_so(stepfunctions, status, running):
    client, stub = stepfunctions
    stub.add_response(
        "describe_execution",
        {
            "executionArn": "arn:aws:states:eu-west-1:123456789012:execution:booking-saga:b-1",
            "stateMachineArn": ARN,
            "status": status,
            "startDate": datetime(2026, 11, 22, tzinfo=UTC),
        },
        {"executionArn": "arn:aws:states:eu-west-1:123456789012:execution:booking-saga:b-1"},
    )

    assert StepFunctionsStarter(ARN, client).is_running("b-1") is running


def test_a_booking_whose_saga_never_started_has_no_running_execution(stepfunctions):
    client, stub = stepfunctions
    stub.add_client_error("describe_execution", "ExecutionDoesNotExist")

    assert StepFunctionsStarter(ARN, client).is_running("b-1") is False


def test_an_express_workflow_has_no_describable_execution_so_none_counts_as_running(stepfunctions):
    client, stub = stepfunctions
    stub.add_client_error("describe_execution", "InvalidArn")

    assert StepFunctionsStarter(ARN, client).is_running("b-1") is False
