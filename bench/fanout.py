"""Benchmarks the fan-out at scale with the server on its own: one `delayFlight` reaching 1,000 subscribers of its
flight while 200 listen to another flight (which must receive nothing), over AppSync's real-time protocol.

The server is `airline dev` (its own process, DynamoDB Local, the same code a developer runs). The subscribers are
raw WebSocket clients speaking AppSync's protocol (`graphql-ws` subprotocol, the auth header in a `header-…`
subprotocol and in each `start`), spread over subscriber processes of their own; each stamps a `data` frame with
time.monotonic() the moment its bytes arrive (the clock is the same for every process on Linux), before parsing
any JSON. The mutation is sent over HTTP by this process, which stamps it the same way. Prints a table."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from measure import percentile, process_cpu_seconds  # bench/measure.py

ROOT = Path(__file__).resolve().parent.parent
AIRLINE = Path(sys.prefix) / "bin" / "airline"
ON_DELAY = "subscription($flightId: ID) { onFlightDelayed(flightId: $flightId) { flightId delayMinutes occurredAt } }"
DELAY = "mutation($input: DelayFlightInput!) { delayFlight(input: $input) { flightId delayMinutes } }"
CREATE_FLIGHT = "mutation($input: CreateFlightInput!) { createFlight(input: $input) { id } }"
# Handshakes at once per subscriber process: a thousand at once on a busy machine outlast timeouts.
BATCH = 100


# ---------------------------------------------------------------------------------------------------------------
# A subscriber process: `fanout.py --subscribers <json>`; reads commands on stdin, answers JSON lines on stdout.


class Subscriber(asyncio.Protocol):
    """One AppSync real-time connection with one subscription, on websockets' sans-I/O protocol: a frame is
    stamped in data_received, with no task to wake between the socket and the clock."""

    def __init__(self, url: str, auth: dict[str, str], flight_id: str, arrivals: list[float]) -> None:
        from websockets.client import ClientProtocol
        from websockets.typing import Subprotocol
        from websockets.uri import parse_uri

        header = base64.urlsafe_b64encode(json.dumps(auth).encode()).decode().rstrip("=")
        self.ws = ClientProtocol(
            parse_uri(url), subprotocols=[Subprotocol("graphql-ws"), Subprotocol(f"header-{header}")]
        )
        self.auth = auth
        self.flight_id = flight_id
        # When each data frame arrived, in order: the nth is the nth delay's.
        self.arrivals = arrivals
        self.acknowledged = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.ws.send_request(self.ws.connect())
        self._flush()

    def _flush(self) -> None:
        assert self.transport is not None
        for data in self.ws.data_to_send():
            if data:
                self.transport.write(data)

    def _send(self, message: dict[str, Any]) -> None:
        self.ws.send_text(json.dumps(message).encode())
        self._flush()

    def data_received(self, data: bytes) -> None:
        arrived = time.monotonic()
        from websockets.frames import Frame, Opcode
        from websockets.http11 import Response

        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if event.status_code != 101:
                    self.acknowledged.set_exception(RuntimeError(f"handshake answered {event.status_code}"))
                self._send({"type": "connection_init"})
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self._message(json.loads(event.data), arrived)
        self._flush()

    def _message(self, message: dict[str, Any], arrived: float) -> None:
        kind = message.get("type")
        if kind == "connection_ack":
            request = {"query": ON_DELAY, "variables": {"flightId": self.flight_id}}
            payload = {"data": json.dumps(request), "extensions": {"authorization": self.auth}}
            self._send({"type": "start", "id": "1", "payload": payload})
        elif kind == "start_ack":
            self.acknowledged.set_result(None)
        elif kind == "data":
            assert message["payload"]["data"]["onFlightDelayed"]["flightId"] == self.flight_id, message
            self.arrivals.append(arrived)
        elif kind in ("error", "connection_error") and not self.acknowledged.done():
            self.acknowledged.set_exception(RuntimeError(json.dumps(message)))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.acknowledged.done():
            self.acknowledged.set_exception(RuntimeError(f"connection lost: {exc}"))


async def run_subscribers(spec: dict[str, Any]) -> None:
    from urllib.parse import urlsplit

    loop = asyncio.get_running_loop()
    url = spec["url"].replace("http://", "ws://") + "/realtime"
    host, port = urlsplit(url).hostname, urlsplit(url).port
    auth = {"host": f"{host}:{port}", "x-api-key": spec["api_key"]}
    groups: dict[str, list[list[float]]] = {}
    for flight_id, count in spec["flights"].items():
        groups[flight_id] = [[] for _ in range(count)]
    subscribers = [(flight_id, arrivals) for flight_id, all_ in groups.items() for arrivals in all_]
    for start in range(0, len(subscribers), BATCH):
        protocols = []
        for flight_id, arrivals in subscribers[start : start + BATCH]:
            _, protocol = await loop.create_connection(
                lambda f=flight_id, a=arrivals: Subscriber(url, auth, f, a),  # type: ignore[misc]
                host,
                port,
            )
            protocols.append(protocol)
        await asyncio.gather(*(p.acknowledged for p in protocols))
    print(json.dumps({"ready": len(subscribers)}), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        # {"wait": n, "flight": id, "seconds": s}: the arrivals of the nth delay of that flight once its subscribers
        # have all received it (or after `seconds`), and how many frames the others received.
        deadline = loop.time() + command["seconds"]
        nth = command["wait"]
        expected = groups.get(command["flight"], [])
        while loop.time() < deadline and not all(len(a) >= nth for a in expected):
            await asyncio.sleep(0.002)
        others = sum(len(a) for f, all_ in groups.items() if f != command["flight"] for a in all_)
        print(
            json.dumps({"arrivals": [a[nth - 1] if len(a) >= nth else None for a in expected], "others": others}),
            flush=True,
        )


# ---------------------------------------------------------------------------------------------------------------
# The bench: `airline dev`, subscriber processes, delays.


class Dev:
    """`airline dev` on free ports with a state directory of its own."""

    def __init__(self, state_dir: Path) -> None:
        from appsync.local.dynamodb.local import free_port

        self.port, tls_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.state_dir = state_dir
        self.log = open(state_dir / "dev.log", "w+")  # noqa: SIM115
        environ = {k: v for k, v in os.environ.items() if k not in {"TABLE_NAME", "DYNAMODB_ENDPOINT"}}
        environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        self.process = subprocess.Popen(
            [str(AIRLINE), "dev", "--port", str(self.port), "--tls-port", str(tls_port), "--state-dir", str(state_dir)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=ROOT,
        )
        self.api_key = self._wait_for(r"API key\s+(\S+)")
        token = subprocess.run(
            [str(AIRLINE), "token", "ops", "--state-dir", str(state_dir)], capture_output=True, text=True, check=True
        )
        self.admin = {"Authorization": token.stdout.strip()}
        self.http = requests.Session()

    def _wait_for(self, pattern: str) -> str:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            match = re.search(pattern, (self.state_dir / "dev.log").read_text())
            if match:
                return match.group(1)
            time.sleep(0.2)
        raise RuntimeError("airline dev did not start:\n" + (self.state_dir / "dev.log").read_text())

    def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(self.url, json={"query": query, "variables": variables}, headers=self.admin, timeout=60)
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        assert "errors" not in body, body
        return body["data"]

    def new_flight(self, number: str) -> str:
        departs = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        flight = {
            "flightNumber": number,
            "departureAirportCode": "LGW",
            "departureAirportName": "London Gatwick",
            "departureCity": "London",
            "departureDateTime": departs.isoformat().replace("+00:00", "Z"),
            "arrivalAirportCode": "MAD",
            "arrivalAirportName": "Madrid Barajas",
            "arrivalCity": "Madrid",
            "arrivalDateTime": (departs + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
            "ticketPrice": 8900,
            "ticketCurrency": "GBP",
            "seatCapacity": 50,
        }
        return str(self.post(CREATE_FLIGHT, {"input": flight})["createFlight"]["id"])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class SubscriberProcess:
    def __init__(self, url: str, api_key: str, flights: dict[str, int]) -> None:
        spec = json.dumps({"url": url, "api_key": api_key, "flights": flights})
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--subscriber-process", spec],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a subscriber process stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def bench(args: argparse.Namespace) -> dict[str, Any]:
    state_dir = Path(tempfile.mkdtemp(prefix="fanout-"))
    dev = Dev(state_dir)
    processes: list[SubscriberProcess] = []
    try:
        delayed, other = dev.new_flight("AW1000"), dev.new_flight("AW0200")
        for subscribers, others in zip(
            split(args.count, args.processes), split(args.others, args.processes), strict=True
        ):
            processes.append(SubscriberProcess(dev.url, dev.api_key, {delayed: subscribers, other: others}))
        for process in processes:
            process.read()  # ready: every subscription acknowledged (start_ack), so registered
        # On stderr, for a profiler to attach to the server for the delays alone (e.g. py-spy record -p <pid>).
        print(f"subscribed; airline dev is pid {dev.process.pid}", file=sys.stderr, flush=True)
        load = os.getloadavg()[0]
        cpu_before = process_cpu_seconds(dev.process.pid)
        rounds: list[dict[str, float]] = []
        others_received = 0
        for nth in range(1, args.rounds + 1):
            time.sleep(args.pause)
            sent = time.monotonic()
            dev.post(DELAY, {"input": {"flightId": delayed, "delayMinutes": 5, "reason": "Late crew"}})
            answered = time.monotonic()
            arrivals: list[float | None] = []
            for process in processes:
                process.ask({"wait": nth, "flight": delayed, "seconds": 30})
            for process in processes:
                reply = process.read()
                arrivals += reply["arrivals"]
                others_received = max(others_received, reply["others"])
            missing = sum(1 for a in arrivals if a is None)
            assert not missing, f"{missing} subscribers did not receive delay {nth}"
            times = [a for a in arrivals if a is not None]
            rounds.append(
                {
                    "last": (max(times) - sent) * 1000,
                    "first": (min(times) - sent) * 1000,
                    "median": (statistics.median(times) - sent) * 1000,
                    "answer": (answered - sent) * 1000,
                }
            )
        # What the server's process (all its threads; not DynamoDB Local's) spent on the CPU per delay: steadier
        # than the latencies on a busy machine (it counts its background work during the pauses too).
        cpu_per_delay = (process_cpu_seconds(dev.process.pid) - cpu_before) * 1000 / args.rounds
        # The other flight's subscribers received nothing, even after the last delay had time to reach them.
        time.sleep(0.5)
        for process in processes:
            process.ask({"wait": 0, "flight": delayed, "seconds": 0})
        others_received = max(process.read()["others"] for process in processes)
        assert others_received == 0, f"{others_received} frames reached subscribers of the other flight"
        return {"rounds": rounds, "load": load, "load_after": os.getloadavg()[0], "cpu": cpu_per_delay}
    finally:
        for process in processes:
            process.stop()
        dev.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscriber-process", help=argparse.SUPPRESS)
    parser.add_argument("--count", dest="count", type=int, default=1000, help="subscribers of the delayed flight")
    parser.add_argument("--others", type=int, default=200, help="subscribers of another flight meanwhile")
    parser.add_argument("--processes", type=int, default=2, help="subscriber processes (default 2)")
    parser.add_argument("--rounds", type=int, default=30, help="delays measured (default 30)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between delays (default 0.3)")
    args = parser.parse_args()
    if args.subscriber_process:
        asyncio.run(run_subscribers(json.loads(args.subscriber_process)))
        return
    sys.path.insert(0, str(ROOT))
    result = bench(args)
    rounds = result["rounds"]
    print(
        f"delayFlight to {args.count:,} subscribers over AppSync's real-time protocol ({args.others} others on another "
        f"flight received nothing); `airline dev` in its own process, subscribers in {args.processes} others; "
        f"{os.cpu_count()} cores, load average {result['load']:.1f} before and {result['load_after']:.1f} after\n"
    )
    print("| from sending delayFlight to | delays | median ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for key, name in (
        ("answer", "its HTTP answer"),
        ("first", "the first subscriber's frame"),
        ("median", "the median subscriber's frame"),
        ("last", f"the last ({args.count:,}th) subscriber's frame"),
    ):
        samples = [r[key] for r in rounds]
        print(
            f"| {name} | {len(samples)} | {statistics.median(samples):.0f} | {percentile(samples, 0.99):.0f} "
            f"| {max(samples):.0f} |"
        )
    print(f"\nCPU of the server's process per delay: {result['cpu']:.0f} ms")


if __name__ == "__main__":
    main()
