"""A real-time client that stops reading: AppSync's protocol over a plain socket, for tests and benchmarks."""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

# How long a read may wait for the server before the client gives up.
PATIENCE = 30.0


class NeverReadingClient:
    """AppSync's real-time protocol over a plain socket with a small receive buffer: it reads only when told to,
    so once it stops, the server's sends back up as they do behind a stalled browser tab."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        uri = parse_uri(url)
        encoded = base64.urlsafe_b64encode(json.dumps(headers).encode()).decode().rstrip("=")
        self.protocol = ClientProtocol(uri, subprotocols=[Subprotocol("graphql-ws"), Subprotocol(f"header-{encoded}")])
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect((uri.host, uri.port))
        self.sock.settimeout(PATIENCE)
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        self.closed_with: int | None = None
        self.ended = False
        self.pending: list[dict[str, Any]] = []
        # The handshake's answer (and anything after it in the same read) before any message is sent.
        while self.protocol.handshake_exc is None and self.protocol.state is State.CONNECTING:
            self.pending.extend(self.read())
            assert not self.ended, "the server closed the connection during the handshake"
        assert self.protocol.handshake_exc is None, self.protocol.handshake_exc

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def send(self, message: dict[str, Any]) -> None:
        self.protocol.send_text(json.dumps(message).encode())
        self._flush()

    def read(self) -> list[dict[str, Any]]:
        """The messages of what one recv() brings; sets `ended` when the server has closed the connection."""
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
            self.ended = True
        messages = []
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                assert event.status_code == 101, event
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                messages.append(json.loads(event.data))
            elif isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
                self.closed_with = int.from_bytes(event.data[:2], "big")
                self.ended = True
        self._flush()
        return messages

    def read_until(self, kind: str, count: int = 1) -> None:
        seen = 0
        while seen < count:
            messages = self.read()
            assert not self.ended, "the server closed the connection"
            seen += sum(1 for message in messages if message["type"] == kind)

    def read_to_the_end(self) -> list[dict[str, Any]]:
        messages = []
        while not self.ended:
            messages.extend(self.read())
        return messages
