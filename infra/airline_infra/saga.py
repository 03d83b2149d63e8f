"""The booking saga: one function per task of resolvers/saga/definition.py, the ASL file inlined with its
placeholders substituted, and the dead-letter queue its failed bookings go to; and the hold timer (hold.asl.json),
a Standard workflow whatever the saga's, with its ExpireHold function."""

from __future__ import annotations

import json
import re

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from resolvers.saga.definition import DEAD_LETTER_QUEUE_URL, HOLD_ASL_PATH, HOLD_TASKS, TASKS, SagaTask, load_definition

from .api import Api
from .functions import FunctionShared, PythonFunction
from .settings import (
    DEAD_LETTER_RETENTION,
    DEFAULT_SAGA_WORKFLOW,
    EXPRESS_MAX_SECONDS,
    HANDLER_EVENT_PUBLISHERS,
    HANDLER_NOTIFIERS,
    HANDLER_TABLE_ACTIONS,
    LOG_RETENTION,
    SAGA_TASK_KINDS,
)

PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def definition_text(workflow: str = DEFAULT_SAGA_WORKFLOW) -> str:
    """The definition the local runner runs, as the JSON string the template holds; as an Express workflow, its
    timeout capped to the 5 minutes an Express execution may last."""
    definition = load_definition()
    if workflow == "EXPRESS":
        definition["TimeoutSeconds"] = min(definition.get("TimeoutSeconds", EXPRESS_MAX_SECONDS), EXPRESS_MAX_SECONDS)
    return json.dumps(definition, separators=(",", ":"))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    """A dead-letter queue: encrypted (SQS-managed keys, which EventBridge, Lambda and Step Functions can all write
    to without a key policy), TLS only, messages kept 14 days."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DEAD_LETTER_RETENTION,
    )


def task_functions(
    scope: Construct, tasks: tuple[SagaTask, ...], shared: FunctionShared, bus: events.IEventBus, api: Api, what: str
) -> dict[str, PythonFunction]:
    """One function per task, by its placeholder: sized by its kind, its table actions, events and notices only."""
    functions: dict[str, PythonFunction] = {}
    for task in tasks:
        name = task.placeholder.removesuffix("FunctionArn")
        function = PythonFunction(
            scope,
            name,
            shared=shared,
            handler=task.handler,
            kind=SAGA_TASK_KINDS[task.kind],
            description=f"{what} task {name} ({task.handler})",
        )
        function.grant_table(shared.table, shared.index_names, HANDLER_TABLE_ACTIONS[task.handler])
        if task.handler in HANDLER_EVENT_PUBLISHERS:
            function.publish_to(bus)
        if task.handler in HANDLER_NOTIFIERS:
            function.notify_through(api)
        functions[task.placeholder] = function
    return functions


def state_machine_role(scope: Construct, functions: dict[str, PythonFunction]) -> iam.Role:
    """An own role: invoke these functions (not their versions). The state machine adds its log delivery and X-Ray
    statements."""
    role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal("states.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["lambda:InvokeFunction"], resources=[fn.function.function_arn for fn in functions.values()]
        )
    )
    return role


def vended_log_group(scope: Construct, name: str) -> logs.LogGroup:
    # Vended-logs prefix: Step Functions then needs no CloudWatch Logs resource policy per log group.
    return logs.LogGroup(
        scope,
        "Logs",
        log_group_name=f"/aws/vendedlogs/states/{Stack.of(scope).stack_name}-{name}",
        retention=LOG_RETENTION,
        removal_policy=RemovalPolicy.DESTROY,
    )


class HoldTimer(Construct):
    """Waits for each HELD booking's holdExpiresAt (a Wait state, so no schedule to poll and no TTL lag), then
    ExpireHold. Standard: a hold lasts up to a day, an Express execution 5 minutes."""

    def __init__(
        self, scope: Construct, construct_id: str, *, shared: FunctionShared, bus: events.IEventBus, api: Api
    ) -> None:
        super().__init__(scope, construct_id)
        self.tasks = task_functions(self, HOLD_TASKS, shared, bus, api, "Hold timer")
        text = json.dumps(load_definition(HOLD_ASL_PATH), separators=(",", ":"))
        substitutions = {placeholder: fn.function.function_arn for placeholder, fn in self.tasks.items()}
        if placeholders(text) != substitutions.keys():
            raise ValueError("The hold timer's placeholders and substitutions differ")
        self.role = state_machine_role(self, self.tasks)
        self.log_group = vended_log_group(self, "hold-timer")
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(text),
            definition_substitutions=substitutions,
            role=self.role,
            # Its state holds no payment token: execution data is logged, to follow a hold's waits and outcomes.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
            tracing_enabled=True,
        )


class Saga(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        shared: FunctionShared,
        bus: events.IEventBus,
        api: Api,
        workflow: str = DEFAULT_SAGA_WORKFLOW,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = dead_letter_queue(self, "DeadLetterQueue")
        self.tasks = task_functions(self, TASKS, shared, bus, api, "Booking saga")

        substitutions = {placeholder: fn.function.function_arn for placeholder, fn in self.tasks.items()}
        substitutions[DEAD_LETTER_QUEUE_URL] = self.dead_letter_queue.queue_url
        text = definition_text(workflow)
        missing = placeholders(text) - substitutions.keys()
        unused = substitutions.keys() - placeholders(text)
        if missing or unused:
            raise ValueError(f"The saga's placeholders and substitutions differ: missing {missing}, unused {unused}")

        # Invoke these functions and send to this queue.
        self.role = state_machine_role(self, self.tasks)
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dead_letter_queue.queue_arn])
        )
        self.log_group = vended_log_group(self, "booking-saga")
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            # Standard: executions are named after their booking, and a name is unique for 90 days. Express (about
            # 100x cheaper a booking) runs an execution at least once: every task is idempotent and a second run
            # of a settled booking ends at AlreadySettled (tests/functional/test_saga_at_least_once.py).
            state_machine_type=sfn.StateMachineType[workflow],
            # Inline, so that cfn-lint validates the ASL; the placeholders are DefinitionSubstitutions.
            definition_body=sfn.DefinitionBody.from_string(text),
            definition_substitutions=substitutions,
            role=self.role,
            logs=sfn.LogOptions(
                destination=self.log_group,
                level=sfn.LogLevel.ALL,
                # Every state's input holds the customer's payment token: execution data stays out of the logs
                # (state transitions, errors and causes are still logged).
                include_execution_data=False,
            ),
            tracing_enabled=True,
        )
