"""APPSYNC_JS locally: the project's resolver files run in one embedded QuickJS (`quickjs`), as AppSync runs them.

How a file is loaded (the module shim). The files are ES modules that `import { util, ... } from
'@aws-appsync/utils'` and `export function request/response`. The engine here evaluates scripts, so each file is
rewritten, line for line (line numbers in stack traces stay right), into a script that defines it:

    import { util } from '@aws-appsync/utils';   ->   const { util } = __appsync_utils;
    export function request(ctx) {               ->   function request(ctx) {

and the whole is wrapped in `__appsync_define("<name>", function (__appsync_utils) { ... return {request,
response}; })`, which keeps each file's names to itself. `appsync/local/js/utils.js` (loaded first) is the
`@aws-appsync/utils` the files get, and the driver that runs one handler with a context given as JSON.

What a file may use is checked when it is loaded (at server start): any other import, `export default`, or a
reference to a `util.*`, `extensions.*` or `runtime.*` function the local runtime does not implement refuses the
file with the name of what is missing, as the ASL interpreter refuses a state it does not know.

One context serves every file and thread, created once; a lock makes one handler run at a time. QuickJS runs in
the calling thread (no hop to an engine thread, as V8 embeddings make), so a run costs tens of microseconds, and it
bounds what a file may do: each run stops after RUN_TIME_LIMIT seconds (AppSync stops a resolver too) and the
context's memory is capped, so a file with an endless loop fails its request instead of stalling the server.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import quickjs

log = logging.getLogger("appsync.local")

UTILS_JS = Path(__file__).resolve().parent / "utils.js"
UTILS_MODULE = "@aws-appsync/utils"
# The objects a file may import from @aws-appsync/utils.
IMPORTABLE = frozenset({"util", "extensions", "runtime"})
# What one handler run may take before it is interrupted, and what the context may hold.
RUN_TIME_LIMIT = 1.0
MEMORY_LIMIT = 64 * 1024 * 1024

_IMPORT = re.compile(r"^([ \t]*)import\s*\{([^}]*)\}\s*from\s*(['\"])([^'\"]+)\3\s*;?", re.MULTILINE)
_ANY_IMPORT = re.compile(r"^[ \t]*import\b", re.MULTILINE)
_EXPORT = re.compile(r"^([ \t]*)export\s+(?=(?:async\s+)?function\b|const\b|let\b|var\b)", re.MULTILINE)
_OTHER_EXPORT = re.compile(r"^[ \t]*export\b", re.MULTILINE)
# Comments and string literals, blanked before looking for references (a message may say "util.foo").
_NOT_CODE = re.compile(r"//[^\n]*|/\*[\s\S]*?\*/|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`")
_REFERENCE = re.compile(r"(?<![\w$.])(util|extensions|runtime)((?:\s*\.\s*[A-Za-z_$][\w$]*)+)")


class UnsupportedJs(ValueError):
    """A resolver file uses something the local APPSYNC_JS runtime does not implement."""


@dataclass
class JsError:
    """An error a handler raised (util.error, util.unauthorized) or appended (util.appendError)."""

    message: str
    error_type: str | None = None
    data: Any = None
    error_info: Any = None


@dataclass
class Outcome:
    """What one handler run did: its value, or how it stopped, and what it asked of AppSync besides."""

    value: Any = None
    early_return: bool = False
    error: JsError | None = None
    unauthorized: bool = False
    stash: dict[str, Any] = field(default_factory=dict)
    appended_errors: list[JsError] = field(default_factory=list)
    subscription_filter: Any = None
    invalidation_filter: Any = None
    invalidations: list[Any] = field(default_factory=list)


class JsRuntimeError(RuntimeError):
    """A resolver file threw something other than AppSync's own signals (a bug in the file)."""


def _to_json(value: Any) -> Any:
    # What AppSync's context holds is JSON; Python values the local server carries (enums, dates) become theirs.
    while isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _js_error(raw: Mapping[str, Any]) -> JsError:
    return JsError(raw.get("message", ""), raw.get("errorType"), raw.get("data"), raw.get("errorInfo"))


def _blank(match: re.Match[str]) -> str:
    # Keep newlines so line numbers of what remains stay right.
    return "".join("\n" if char == "\n" else " " for char in match.group(0))


def references(source: str) -> set[str]:
    """Every `util.x.y`, `extensions.x`, `runtime.x` path the code names (outside comments and strings)."""
    code = _NOT_CODE.sub(_blank, source)
    return {root + re.sub(r"\s+", "", rest) for root, rest in _REFERENCE.findall(code)}


def missing(used: Iterable[str], implemented: Iterable[str]) -> list[str]:
    """The references not implemented: a path is fine if it is a function, a namespace holding functions
    (util.time), or a member of a function (util.error.name)."""
    functions = set(implemented)
    namespaces = {name.rsplit(".", i)[0] for name in functions for i in range(1, name.count(".") + 1)}
    absent: list[str] = []
    for path in sorted(used):
        parts = path.split(".")
        prefixes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if path in namespaces or any(prefix in functions for prefix in prefixes):
            continue
        # Name it up to the first part that does not exist.
        known = [prefix for prefix in prefixes if prefix in namespaces]
        absent.append(prefixes[len(known)] if len(known) < len(prefixes) else path)
    return sorted(set(absent))


def to_script(name: str, source: str) -> str:
    """The module shim: the file as a script that defines it under `name` (see the module docstring)."""
    imported: set[str] = set()

    def rewrite_import(match: re.Match[str]) -> str:
        module = match.group(4)
        if module != UTILS_MODULE:
            raise UnsupportedJs(f"{name}: imports {module!r}; only {UTILS_MODULE!r} is available locally")
        names = {part.strip() for part in match.group(2).split(",") if part.strip()}
        unknown = sorted(names - IMPORTABLE)
        if unknown:
            raise UnsupportedJs(f"{name}: imports {', '.join(unknown)} from {UTILS_MODULE}, not implemented locally")
        imported.update(names)
        return f"{match.group(1)}const {{ {', '.join(sorted(names))} }} = __appsync_utils;"

    body = _IMPORT.sub(rewrite_import, source)
    if _ANY_IMPORT.search(_NOT_CODE.sub(_blank, body)):
        raise UnsupportedJs(f"{name}: only `import {{ ... }} from '{UTILS_MODULE}'` is supported locally")
    body = _EXPORT.sub(r"\1", body)
    if _OTHER_EXPORT.search(_NOT_CODE.sub(_blank, body)):
        raise UnsupportedJs(f"{name}: only `export function` and `export const` are supported locally")
    return (
        f"__appsync_define({json.dumps(name)}, function (__appsync_utils) {{ 'use strict'; {body}\n"
        "return { request: typeof request === 'function' ? request : undefined,"
        " response: typeof response === 'function' ? response : undefined }; });"
    )


APPSYNC_DIR = Path(__file__).resolve().parents[2]


def _name_of(path: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(APPSYNC_DIR).as_posix() if resolved.is_relative_to(APPSYNC_DIR) else str(resolved)


class JsRuntime:
    """The embedded JavaScript context with @aws-appsync/utils and the resolver files loaded into it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._js = quickjs.Context()
        self._js.set_memory_limit(MEMORY_LIMIT)
        self._js.set_time_limit(RUN_TIME_LIMIT)
        self._js.eval(UTILS_JS.read_text())
        self._run = self._js.get("__appsync_run")
        self.implemented: tuple[str, ...] = tuple(json.loads(str(self._js.eval("__appsync_implemented()"))))
        self._loaded: dict[str, Path] = {}

    def load(self, path: Path, name: str | None = None) -> str:
        """Check and load a resolver file (once); answers the name it runs under (its path under appsync/, unique
        where two folders hold files of the same name). Raises UnsupportedJs."""
        name = name or _name_of(path)
        if self._loaded.get(name) == path:
            return name
        source = path.read_text()
        absent = missing(references(source), self.implemented)
        if absent:
            raise UnsupportedJs(
                f"{name} uses {', '.join(absent)}, which the local APPSYNC_JS runtime does not implement "
                f"(it has: {', '.join(self.implemented)})"
            )
        script = to_script(name, source)
        with self._lock:
            try:
                defined = json.loads(str(self._js.eval(script)))
            except quickjs.JSException as error:
                raise UnsupportedJs(f"{name}: {error}") from error
        lacking = [handler for handler in ("request", "response") if handler not in defined]
        if lacking:
            raise UnsupportedJs(f"{name}: a resolver exports request and response; it lacks {', '.join(lacking)}")
        self._loaded[name] = path
        return name

    def run(self, name: str, handler: str, ctx: Mapping[str, Any]) -> Outcome:
        """Run `handler` ('request' or 'response') of a loaded file with AppSync's context `ctx`."""
        # The context crosses as one JSON string (parsed inside), the outcome comes back as one: the cheapest way
        # across (converting objects member by member, or compiling the context as a script literal, costs more).
        context = json.dumps(ctx, default=_to_json)
        with self._lock:
            try:
                answer = self._run(name, handler, context)
            except quickjs.JSException as error:
                # What utils.js cannot catch: the time or memory limit (an endless loop, a runaway allocation).
                raise JsRuntimeError(f"{name} {handler}: {error}") from error
        raw: dict[str, Any] = json.loads(str(answer))
        for line in raw.get("logs") or ():
            log.info("%s %s: %s", name, handler, line)
        kind = raw["kind"]
        if kind == "exception":
            raise JsRuntimeError(f"{name} {handler}: {raw['message']}")
        return Outcome(
            value=raw.get("value"),
            early_return=kind == "earlyReturn",
            error=_js_error(raw) if kind in ("error", "unauthorized") else None,
            unauthorized=kind == "unauthorized",
            stash=raw.get("stash") or {},
            appended_errors=[_js_error(error) for error in raw.get("appendedErrors") or ()],
            subscription_filter=raw.get("subscriptionFilter"),
            invalidation_filter=raw.get("invalidationFilter"),
            invalidations=list(raw.get("invalidations") or ()),
        )


_shared: JsRuntime | None = None
_shared_lock = threading.Lock()


def shared_runtime() -> JsRuntime:
    """The process's one runtime, created on first use and reused by every server and test."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = JsRuntime()
        return _shared
