"""A scripted HTTP server on 127.0.0.1 that records what the client sends: for what needs no real API (retries
after failures, the headers and signatures of the AppSync face)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from airline_client import PassengerInput


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Script:
    """Answers in order (status, JSON body); the last one repeats."""

    answers: list[tuple[int, Any]]
    requests: list[Recorded] = field(default_factory=list)

    def next_answer(self) -> tuple[int, Any]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@contextmanager
def scripted_server(*answers: tuple[int, Any]) -> Iterator[tuple[str, Script]]:
    """Serves the answers at http://127.0.0.1:<port>/graphql; yields the URL and the script with its record."""
    script = Script(list(answers))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            script.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status, answer = script.next_answer()
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/graphql", script
    finally:
        server.shutdown()
        server.server_close()


def graphql_error(error_type: str, retryable: bool = False) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {"message": f"a {error_type}", "errorType": error_type, "errorInfo": {"retryable": retryable}, "path": []}
        ],
    }


FLIGHT: dict[str, Any] = {
    "id": "01JB0000000000000000000000",
    "flightNumber": "AW1",
    "departureAirportCode": "LGW",
    "departureAirportName": "London Gatwick",
    "departureCity": "London",
    "departureDateTime": "2030-05-01T10:00:00Z",
    "arrivalAirportCode": "MAD",
    "arrivalAirportName": "Madrid-Barajas",
    "arrivalCity": "Madrid",
    "arrivalDateTime": "2030-05-01T12:00:00Z",
    "ticketPrice": 8900,
    "ticketCurrency": "GBP",
    "seatCapacity": 50,
    "seatsAvailable": 50,
    "status": "SCHEDULED",
    "delayMinutes": 0,
}
# The passenger a test books for when it is not about passengers.
ADA = [PassengerInput("Ada", "Lovelace")]
BOOKING: dict[str, Any] = {
    "id": "01JB0000000000000000000001",
    "bookingReference": "ABC234",
    "status": "PENDING",
    "statusReason": None,
    "customer": "c-1",
    "outboundFlight": FLIGHT,
    "passengers": [{"firstName": "Ada", "lastName": "Lovelace", "seat": None, "boardingPass": None}],
    "totalPrice": 8900,
    "currency": "GBP",
    "checkedIn": False,
    "createdAt": "2030-04-01T10:00:00Z",
    "updatedAt": "2030-04-01T10:00:00Z",
}


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 to `upstream` whose connections can be cut at once (a dropped socket)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, server]
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Closes every connection through the proxy, both ends, as a network failure would."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self._listener.close()
        self.cut()
