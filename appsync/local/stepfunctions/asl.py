"""Runs the subset of Amazon States Language (JSONPath) the booking saga uses, in-process, as Step Functions does."""

from __future__ import annotations

import copy
import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["SUCCEEDED", "FAILED", "TIMED_OUT"]

_TOP_LEVEL_FIELDS = frozenset({"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"})
_STATE_FIELDS: Mapping[str, frozenset[str]] = {
    "Task": frozenset(
        {"Type", "Comment", "QueryLanguage", "Resource", "Parameters", "ResultPath", "TimeoutSeconds"}
        | {"Retry", "Catch", "Next", "End"}
    ),
    # Only what the hold timer uses: a Wait until a timestamp read from the input, and a Choice on string equality.
    "Wait": frozenset({"Type", "Comment", "QueryLanguage", "TimestampPath", "Next", "End"}),
    "Choice": frozenset({"Type", "Comment", "QueryLanguage", "Choices", "Default"}),
    "Succeed": frozenset({"Type", "Comment", "QueryLanguage"}),
    "Fail": frozenset({"Type", "Comment", "QueryLanguage", "Error", "Cause"}),
}
_RETRIER_FIELDS = frozenset(
    {"Comment", "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds"}
)
_CATCHER_FIELDS = frozenset({"Comment", "ErrorEquals", "ResultPath", "Next"})

# The error names Step Functions itself defines; any other "States." name in ErrorEquals is a typo that would
# never match, so it is refused rather than silently ignored.
_PREDEFINED_ERRORS = frozenset(
    {
        "States.ALL",
        "States.BranchFailed",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
)
# Service integrations the local runtime can stand in for; Lambda functions are named by ARN or by a
# "${...}" placeholder that the CDK app's DefinitionSubstitutions turns into one.
_SERVICE_INTEGRATIONS = frozenset({"arn:aws:states:::sqs:sendMessage"})
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z0-9_]+\}")
_LAMBDA_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?")
# "$" or "$.a.b": the only path forms the interpreter evaluates.
_PATH = re.compile(r"\$(\.[A-Za-z_][A-Za-z0-9_-]*)*")
# Step Functions's default for a Task without TimeoutSeconds.
_DEFAULT_TASK_TIMEOUT = 99_999_999


class UnsupportedDefinition(ValueError):
    """A definition this interpreter would not run exactly as Step Functions does."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("unsupported state machine definition:\n- " + "\n- ".join(problems))
        self.problems = problems


@dataclass
class Execution:
    name: str
    status: Status
    output: Any = None
    error: str | None = None
    cause: str | None = None
    # (state name, what happened), in order: "entered", "succeeded", "failed <Error>", "retry <n> after <s>s",
    # "caught <Error>", "end".
    history: list[tuple[str, str]] = field(default_factory=list)

    @property
    def states_entered(self) -> list[str]:
        return [state for state, event in self.history if event == "entered"]

    def events(self, state: str) -> list[str]:
        return [event for name, event in self.history if name == state]


def unsupported(definition: dict[str, Any]) -> list[str]:
    """Every part of `definition` the interpreter does not support, or that Step Functions would reject, in words."""
    problems: list[str] = []
    if not isinstance(definition, dict):
        return ["the definition is not a JSON object"]
    for key in sorted(set(definition) - _TOP_LEVEL_FIELDS):
        problems.append(f"top-level field {key!r} is not supported")
    problems += _query_language("the state machine", definition)
    states = definition.get("States")
    if not isinstance(states, dict) or not states:
        return [*problems, "States must be a non-empty object"]
    if definition.get("StartAt") not in states:
        problems.append(f"StartAt {definition.get('StartAt')!r} is not a state")
    if "TimeoutSeconds" in definition and not _positive_int(definition["TimeoutSeconds"]):
        problems.append("top-level TimeoutSeconds must be a positive integer")
    for name, state in states.items():
        problems += _state_problems(name, state, states)
    return problems


def _query_language(where: str, node: dict[str, Any]) -> list[str]:
    language = node.get("QueryLanguage", "JSONPath")
    return [] if language == "JSONPath" else [f"{where}: QueryLanguage {language!r} is not supported (JSONPath only)"]


def _state_problems(name: str, state: Any, states: dict[str, Any]) -> list[str]:
    where = f"state {name!r}"
    if not isinstance(state, dict):
        return [f"{where} is not an object"]
    kind = state.get("Type")
    if not isinstance(kind, str) or kind not in _STATE_FIELDS:
        return [f"{where}: state type {kind!r} is not supported (only {', '.join(sorted(_STATE_FIELDS))})"]
    problems = [
        f"{where}: field {key!r} is not supported in a {kind} state" for key in state if key not in _STATE_FIELDS[kind]
    ]
    problems += _query_language(where, state)
    if kind == "Fail":
        problems += [f"{where}: {key} must be a string" for key in ("Error", "Cause") if not _optional_str(state, key)]
    if kind == "Wait":
        return problems + _wait_problems(where, state, states)
    if kind == "Choice":
        return problems + _choice_problems(where, state, states)
    if kind != "Task":
        return problems
    resource = state.get("Resource")
    if not isinstance(resource, str) or not (
        resource in _SERVICE_INTEGRATIONS or _PLACEHOLDER.fullmatch(resource) or _LAMBDA_ARN.fullmatch(resource)
    ):
        problems.append(f"{where}: Resource {resource!r} is not supported (a Lambda function or sqs:sendMessage)")
    if ("Next" in state) == bool(state.get("End")):
        problems.append(f"{where}: a Task needs exactly one of Next and End: true")
    if "Next" in state and state["Next"] not in states:
        problems.append(f"{where}: Next {state['Next']!r} is not a state")
    if "TimeoutSeconds" in state and not _positive_int(state["TimeoutSeconds"]):
        problems.append(f"{where}: TimeoutSeconds must be a positive integer")
    if "Parameters" in state:
        problems += _template_problems(f"{where} Parameters", state["Parameters"])
    if "ResultPath" in state:
        problems += _result_path_problems(where, state["ResultPath"])
    problems += _handler_problems(where, "Retry", state.get("Retry", []), _RETRIER_FIELDS, states)
    problems += _handler_problems(where, "Catch", state.get("Catch", []), _CATCHER_FIELDS, states)
    return problems


def _wait_problems(where: str, state: dict[str, Any], states: dict[str, Any]) -> list[str]:
    problems = []
    path = state.get("TimestampPath")
    if not isinstance(path, str) or not _PATH.fullmatch(path):
        problems.append(f"{where}: a Wait needs TimestampPath '$.a.b' (Seconds, SecondsPath, Timestamp unsupported)")
    if ("Next" in state) == bool(state.get("End")):
        problems.append(f"{where}: a Wait needs exactly one of Next and End: true")
    if "Next" in state and state["Next"] not in states:
        problems.append(f"{where}: Next {state['Next']!r} is not a state")
    return problems


_CHOICE_RULE_FIELDS = frozenset({"Comment", "Variable", "StringEquals", "Next"})


def _choice_problems(where: str, state: dict[str, Any], states: dict[str, Any]) -> list[str]:
    problems = []
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        return [f"{where}: Choices must be a non-empty array"]
    for index, rule in enumerate(choices):
        at = f"{where} Choices[{index}]"
        if not isinstance(rule, dict):
            problems.append(f"{at} is not an object")
            continue
        problems += [
            f"{at}: field {key!r} is not supported (only Variable, StringEquals, Next)"
            for key in rule
            if key not in _CHOICE_RULE_FIELDS
        ]
        if not isinstance(rule.get("Variable"), str) or not _PATH.fullmatch(rule["Variable"]):
            problems.append(f"{at}: Variable must be a path '$.a.b'")
        if not isinstance(rule.get("StringEquals"), str):
            problems.append(f"{at}: StringEquals must be a string")
        if rule.get("Next") not in states:
            problems.append(f"{at}: Next {rule.get('Next')!r} is not a state")
    if "Default" in state and state["Default"] not in states:
        problems.append(f"{where}: Default {state['Default']!r} is not a state")
    return problems


def _template_problems(where: str, template: Any) -> list[str]:
    problems: list[str] = []
    if isinstance(template, list):
        for index, item in enumerate(template):
            # Step Functions does not expand "key.$" inside arrays the same way everywhere; refuse rather than guess.
            if isinstance(item, dict | list) and _has_path_key(item):
                problems.append(f"{where}[{index}]: a 'key.$' reference inside an array is not supported")
        return problems
    if not isinstance(template, dict):
        return problems
    for key, value in template.items():
        if key.endswith(".$"):
            if not isinstance(value, str):
                problems.append(f"{where}.{key}: the value of a 'key.$' field must be a path string")
            elif value.startswith("States."):
                function = value.split("(", 1)[0]
                problems.append(f"{where}.{key}: intrinsic function {function} ({value!r}) is not supported")
            elif value.startswith("$$"):
                problems.append(f"{where}.{key}: context object path {value!r} is not supported")
            elif not _PATH.fullmatch(value):
                problems.append(f"{where}.{key}: path syntax {value!r} is not supported (only '$' and '$.a.b')")
        else:
            problems += _template_problems(f"{where}.{key}", value)
    return problems


def _has_path_key(node: Any) -> bool:
    if isinstance(node, dict):
        return any(key.endswith(".$") or _has_path_key(value) for key, value in node.items())
    if isinstance(node, list):
        return any(_has_path_key(item) for item in node)
    return False


def _result_path_problems(where: str, path: Any) -> list[str]:
    if path is None or (isinstance(path, str) and _PATH.fullmatch(path)):
        return []
    return [f"{where}: ResultPath {path!r} is not supported (only null, '$' and '$.a.b')"]


def _handler_problems(
    where: str, kind: str, handlers: Any, allowed: frozenset[str], states: dict[str, Any]
) -> list[str]:
    if not isinstance(handlers, list):
        return [f"{where}: {kind} must be an array"]
    problems: list[str] = []
    for index, handler in enumerate(handlers):
        at = f"{where} {kind}[{index}]"
        if not isinstance(handler, dict):
            problems.append(f"{at} is not an object")
            continue
        problems += [f"{at}: field {key!r} is not supported" for key in handler if key not in allowed]
        errors = handler.get("ErrorEquals")
        if not isinstance(errors, list) or not errors or not all(isinstance(error, str) for error in errors):
            problems.append(f"{at}: ErrorEquals must be a non-empty array of error names")
            continue
        for error in errors:
            if error.startswith("States.") and error not in _PREDEFINED_ERRORS:
                problems.append(f"{at}: error name {error!r} is not a Step Functions error")
            if "*" in error:
                problems.append(f"{at}: error name pattern {error!r} is not supported (names match exactly)")
        if "States.ALL" in errors and (len(errors) > 1 or index != len(handlers) - 1):
            problems.append(f"{at}: States.ALL must appear alone, in the last {kind.lower()}er")
        if kind == "Retry":
            problems += _retrier_problems(at, handler)
        else:
            if handler.get("Next") not in states:
                problems.append(f"{at}: Next {handler.get('Next')!r} is not a state")
            if "ResultPath" in handler:
                problems += _result_path_problems(at, handler["ResultPath"])
    return problems


def _retrier_problems(at: str, retrier: dict[str, Any]) -> list[str]:
    problems = []
    for key in ("IntervalSeconds", "MaxDelaySeconds"):
        if key in retrier and not _positive_int(retrier[key]):
            problems.append(f"{at}: {key} must be a positive integer")
    attempts = retrier.get("MaxAttempts", 3)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 0:
        problems.append(f"{at}: MaxAttempts must be a non-negative integer")
    rate = retrier.get("BackoffRate", 2.0)
    if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 1.0:
        problems.append(f"{at}: BackoffRate must be a number >= 1.0")
    return problems


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _optional_str(node: dict[str, Any], key: str) -> bool:
    return key not in node or isinstance(node[key], str)


class _TaskFailed(Exception):
    """A task attempt failed; Retry and Catch decide what happens next."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(error)
        self.error = error
        self.cause = cause


class _ExecutionEnded(Exception):
    """The execution stops here, whatever Retry and Catch say (States.Runtime, execution timeout, uncaught error)."""

    def __init__(self, status: Status, error: str, cause: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.cause = cause


class LocalStateMachine:
    """One state machine definition, run in-process; `execute` may be called from several threads at once."""

    def __init__(
        self,
        definition: dict[str, Any],
        resources: Mapping[str, Callable[[Any], Any]],
        sleep: Callable[[float], None] = time.sleep,
        retry_interval_scale: float = 1.0,
    ) -> None:
        problems = unsupported(definition)
        if problems:
            raise UnsupportedDefinition(problems)
        wanted = {state["Resource"] for state in definition["States"].values() if state["Type"] == "Task"}
        missing = sorted(wanted - set(resources))
        if missing:
            raise ValueError(f"no local callable for the Resource(s) {', '.join(missing)}")
        self._definition = copy.deepcopy(definition)
        self._resources = dict(resources)
        self._sleep = sleep
        self._retry_interval_scale = retry_interval_scale

    def execute(self, execution_input: dict[str, Any], name: str) -> Execution:
        history: list[tuple[str, str]] = []
        timeout = self._definition.get("TimeoutSeconds")
        deadline = time.monotonic() + timeout if timeout else math.inf
        # Step Functions receives the input as JSON text: the execution never shares objects with its caller.
        data = _json_copy(execution_input)
        state_name: str = self._definition["StartAt"]
        try:
            while True:
                _check_deadline(deadline)
                state = self._definition["States"][state_name]
                history.append((state_name, "entered"))
                if state["Type"] == "Succeed":
                    history.append((state_name, "end"))
                    return Execution(name, "SUCCEEDED", output=data, history=history)
                if state["Type"] == "Fail":
                    history.append((state_name, "end"))
                    return Execution(
                        name, "FAILED", error=state.get("Error"), cause=state.get("Cause"), history=history
                    )
                if state["Type"] == "Wait":
                    next_state = self._wait(state_name, state, data, deadline, history)
                elif state["Type"] == "Choice":
                    next_state = _choose(state_name, state, data, history)
                else:
                    next_state, data = self._run_task(state_name, state, data, deadline, history)
                if next_state is None:
                    history.append((state_name, "end"))
                    return Execution(name, "SUCCEEDED", output=data, history=history)
                state_name = next_state
        except _ExecutionEnded as ended:
            history.append((state_name, f"execution {ended.status.lower()} {ended.error}"))
            return Execution(name, ended.status, error=ended.error, cause=ended.cause, history=history)

    def _wait(
        self, name: str, state: dict[str, Any], data: Any, deadline: float, history: list[tuple[str, str]]
    ) -> str | None:
        found, timestamp = _select(data, state["TimestampPath"])
        until = _parse_timestamp(timestamp) if found else None
        if until is None:
            # What Step Functions does with a missing or malformed timestamp: States.Runtime, no Catch applies.
            raise _ExecutionEnded(
                "FAILED",
                "States.Runtime",
                f"The TimestampPath {state['TimestampPath']!r} of state {name!r} does not select an RFC 3339 "
                f"timestamp in {json.dumps(data)!r}",
            )
        seconds = max(0.0, until - time.time())
        history.append((name, f"wait {seconds:.3f}s"))
        # Sleep no longer than the execution has left; the deadline check then ends it.
        self._sleep(min(seconds, max(0.0, deadline - time.monotonic())))
        _check_deadline(deadline)
        history.append((name, "succeeded"))
        return None if state.get("End") else str(state["Next"])

    def _run_task(
        self, name: str, state: dict[str, Any], data: Any, deadline: float, history: list[tuple[str, str]]
    ) -> tuple[str | None, Any]:
        effective = _expand(name, state["Parameters"], data) if "Parameters" in state else data
        retriers: list[dict[str, Any]] = state.get("Retry", [])
        retries_done = [0] * len(retriers)
        while True:
            try:
                result = self._invoke(name, state, effective, deadline)
            except _TaskFailed as failure:
                history.append((name, f"failed {failure.error}"))
                delay = self._retry_delay(retriers, retries_done, failure.error)
                if delay is not None:
                    history.append((name, f"retry after {delay:g}s"))
                    # Sleep no longer than the execution has left; the deadline check then ends it.
                    self._sleep(min(delay, max(0.0, deadline - time.monotonic())))
                    _check_deadline(deadline)
                    continue
                catcher = next((c for c in state.get("Catch", []) if _matches(c["ErrorEquals"], failure.error)), None)
                if catcher is None:
                    raise _ExecutionEnded("FAILED", failure.error, failure.cause) from None
                history.append((name, f"caught {failure.error}"))
                error_output = {"Error": failure.error, "Cause": failure.cause}
                return catcher["Next"], _apply_result_path(name, catcher.get("ResultPath", "$"), data, error_output)
            history.append((name, "succeeded"))
            output = _apply_result_path(name, state.get("ResultPath", "$"), data, result)
            return (None if state.get("End") else state["Next"]), output

    def _retry_delay(self, retriers: list[dict[str, Any]], retries_done: list[int], error: str) -> float | None:
        # The first retrier naming the error decides alone; once its attempts are spent the error goes to Catch,
        # even if a later retrier names it too.
        for index, retrier in enumerate(retriers):
            if not _matches(retrier["ErrorEquals"], error):
                continue
            if retries_done[index] >= retrier.get("MaxAttempts", 3):
                return None
            retries_done[index] += 1
            seconds = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** (retries_done[index] - 1)
            if "MaxDelaySeconds" in retrier:
                seconds = min(seconds, retrier["MaxDelaySeconds"])
            return float(seconds * self._retry_interval_scale)
        return None

    def _invoke(self, name: str, state: dict[str, Any], effective: Any, deadline: float) -> Any:
        resource = self._resources[state["Resource"]]
        payload = _json_copy(effective)
        outcome: dict[str, Any] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                outcome["result"] = resource(payload)
            except BaseException as exc:  # everything a Lambda runtime would report as the invocation's error
                outcome["error"] = exc
            finally:
                finished.set()

        # A worker thread so that a task outliving TimeoutSeconds can be abandoned, as Step Functions stops waiting
        # for a Lambda; Python cannot kill the thread, so it is a daemon and its late result is dropped.
        threading.Thread(target=run, name=f"asl-task-{name}", daemon=True).start()
        task_deadline = time.monotonic() + state.get("TimeoutSeconds", _DEFAULT_TASK_TIMEOUT)
        wait_until = min(task_deadline, deadline)
        if not finished.wait(max(0.0, wait_until - time.monotonic())):
            if deadline <= task_deadline:
                raise _execution_timed_out()
            raise _TaskFailed("States.Timeout", "")
        if "error" in outcome:
            exc = outcome["error"]
            error = type(exc).__name__
            raise _TaskFailed(error, json.dumps({"errorMessage": str(exc), "errorType": error}))
        try:
            return _json_copy(outcome["result"])
        except (TypeError, ValueError) as exc:
            # What the Python Lambda runtime reports for a return value it cannot serialize.
            message = f"Unable to marshal response: {exc}"
            raise _TaskFailed(
                "Runtime.MarshalError", json.dumps({"errorMessage": message, "errorType": "Runtime.MarshalError"})
            ) from exc


def _parse_timestamp(value: Any) -> float | None:
    """Seconds since the epoch of an RFC 3339 timestamp with an uppercase T and a zone (Z or an offset); its
    milliseconds truncated, as Step Functions does."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if parsed.tzinfo is None else float(math.floor(parsed.timestamp()))


def _choose(name: str, state: dict[str, Any], data: Any, history: list[tuple[str, str]]) -> str:
    for rule in state["Choices"]:
        found, value = _select(data, rule["Variable"])
        if found and value == rule["StringEquals"]:
            history.append((name, f"chose {rule['Next']}"))
            return str(rule["Next"])
    if "Default" not in state:
        raise _ExecutionEnded("FAILED", "States.NoChoiceMatched", f"No Choices of state {name!r} matched the input")
    history.append((name, f"chose {state['Default']}"))
    return str(state["Default"])


def _matches(error_equals: list[str], error: str) -> bool:
    for name in error_equals:
        if name == error or name == "States.ALL":
            return True
        if name == "States.TaskFailed" and error != "States.Timeout":
            return True
    return False


def _check_deadline(deadline: float) -> None:
    if time.monotonic() >= deadline:
        raise _execution_timed_out()


def _execution_timed_out() -> _ExecutionEnded:
    # Step Functions reports the status TIMED_OUT, not FAILED; States.Timeout is the error in its history.
    return _ExecutionEnded("TIMED_OUT", "States.Timeout", "The execution ran longer than its TimeoutSeconds.")


def _json_copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _expand(state: str, template: Any, data: Any) -> Any:
    if isinstance(template, list):
        return [_expand(state, item, data) for item in template]
    if not isinstance(template, dict):
        return template
    expanded: dict[str, Any] = {}
    for key, value in template.items():
        if key.endswith(".$"):
            found, selected = _select(data, value)
            if not found:
                # Step Functions fails the execution with States.Runtime here; Catch (even States.ALL) does not apply.
                raise _ExecutionEnded(
                    "FAILED",
                    "States.Runtime",
                    f"An error occurred while executing the state {state!r}. The JSONPath {value!r} specified for "
                    f"the field {key!r} could not be found in the input {json.dumps(data)!r}",
                )
            expanded[key[:-2]] = selected
        else:
            expanded[key] = _expand(state, value, data)
    return expanded


def _select(data: Any, path: str) -> tuple[bool, Any]:
    node = data
    for step in _steps(path):
        if not isinstance(node, dict) or step not in node:
            return False, None
        node = node[step]
    return True, copy.deepcopy(node)


def _steps(path: str) -> list[str]:
    return [] if path == "$" else path[2:].split(".")


def _apply_result_path(state: str, path: str | None, data: Any, result: Any) -> Any:
    if path is None:
        return data
    steps = _steps(path)
    if not steps:
        return result
    output = copy.deepcopy(data)
    node = output
    for index, step in enumerate(steps):
        if not isinstance(node, dict):
            # Uncaught here: the state's own Catch does not see a failure to place its result.
            raise _ExecutionEnded(
                "FAILED",
                "States.ResultPathMatchFailure",
                f"Unable to apply ResultPath {path!r} of state {state!r} to input {json.dumps(data)!r}",
            )
        if index == len(steps) - 1:
            node[step] = result
        else:
            node = node.setdefault(step, {})
    return output
