"""The pool's users, groups and refresh tokens, kept in one JSON file in the state directory; every change reads,
edits and replaces the file under a lock, so the server and `airline user add` can write it at the same time."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FILE = "cognito-users.json"

Data = dict[str, Any]


def token_key(refresh_token: str) -> str:
    """Refresh tokens are kept by their hash: the file never holds one that would sign somebody in."""
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class UserStore:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE
        self._lock_path = state_dir / (FILE + ".lock")
        self._thread_lock = threading.Lock()

    def _empty(self) -> Data:
        return {"users": {}, "refreshTokens": {}}

    def _read(self) -> Data:
        if not self.path.exists():
            return self._empty()
        data: Data = json.loads(self.path.read_text())
        return data

    @contextmanager
    def change(self) -> Iterator[Data]:
        """The whole store, to edit in place; written back (atomically) when the block ends without an error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = self._read()
                yield data
                temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
                temporary.touch(mode=0o600)
                temporary.write_text(json.dumps(data, indent=1, sort_keys=True))
                os.replace(temporary, self.path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read(self) -> Data:
        with self._thread_lock, open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            try:
                return self._read()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def user(self, username: str) -> Data | None:
        found: Data | None = self.read()["users"].get(username)
        return found
