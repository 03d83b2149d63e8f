"""AppSync's built-in scalars (AWSDate, AWSDateTime, ...) as Strawberry scalars that accept AppSync's formats."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any, NewType
from urllib.parse import urlsplit

import strawberry
from strawberry.types.scalar import ScalarDefinition

# AppSync's extended ISO 8601 forms: an optional offset on dates and times, a required one on date-times.
_OFFSET = r"(Z|[+-]\d{2}:\d{2}(:\d{2})?)"
_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_DATE = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}}){_OFFSET}?")
_TIME_OF_DAY = re.compile(rf"({_TIME}){_OFFSET}?")
_DATE_TIME = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}})T({_TIME}){_OFFSET}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-.]{2,}")


def _text(value: Any, kind: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{kind} must be a string")
    return value


def _valid_date(text: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a calendar date") from exc


def _valid_time(text: str) -> None:
    hours, minutes, *rest = (float(part) for part in text.split(":"))
    if hours > 23 or minutes > 59 or (rest and rest[0] >= 60):
        raise ValueError(f"{text!r} is not a time of day")


def aws_date(value: Any) -> str:
    text = _text(value, "AWSDate")
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError("AWSDate must look like 2026-01-31 (YYYY-MM-DD, optionally with an offset like Z)")
    _valid_date(match.group(1))
    return text


def aws_time(value: Any) -> str:
    text = _text(value, "AWSTime")
    match = _TIME_OF_DAY.fullmatch(text)
    if match is None:
        raise ValueError("AWSTime must look like 09:30:00 (hh:mm[:ss[.sss]], optionally with an offset like Z)")
    _valid_time(match.group(1))
    return text


def aws_date_time(value: Any) -> str:
    text = _text(value, "AWSDateTime")
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise ValueError("AWSDateTime must look like 2026-01-31T09:30:00.000Z (with a time zone offset)")
    _valid_date(match.group(1))
    _valid_time(match.group(2))
    return text


def aws_timestamp(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("AWSTimestamp must be a whole number of seconds since 1970-01-01T00:00Z")
    return value


def aws_email(value: Any) -> str:
    text = _text(value, "AWSEmail")
    if _EMAIL.fullmatch(text) is None:
        raise ValueError("AWSEmail must be an email address like name@example.com")
    return text


def aws_json_input(value: Any) -> Any:
    """AppSync takes AWSJSON as a string of JSON and hands the resolver the parsed value."""
    try:
        return json.loads(_text(value, "AWSJSON"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"AWSJSON must be a string of valid JSON: {exc.msg}") from exc


def aws_json_output(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def aws_url(value: Any) -> str:
    text = _text(value, "AWSURL")
    parts = urlsplit(text)
    if not parts.scheme or not (parts.netloc or parts.path):
        raise ValueError("AWSURL must be a URL with a scheme, like https://example.com/path")
    return text


def aws_phone(value: Any) -> str:
    text = _text(value, "AWSPhone")
    if _PHONE.fullmatch(text) is None:
        raise ValueError("AWSPhone must be a phone number like +44 20 7946 0000")
    return text


def aws_ip_address(value: Any) -> str:
    text = _text(value, "AWSIPAddress")
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ValueError("AWSIPAddress must be an IPv4 or IPv6 address, optionally with a CIDR prefix") from exc
    return text


_PARSERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    # Outputs are checked like inputs: AppSync, too, refuses a resolver result that breaks a scalar's format.
    "AWSDate": (aws_date, aws_date),
    "AWSTime": (aws_time, aws_time),
    "AWSDateTime": (aws_date_time, aws_date_time),
    "AWSTimestamp": (aws_timestamp, aws_timestamp),
    "AWSEmail": (aws_email, aws_email),
    "AWSJSON": (aws_json_input, aws_json_output),
    "AWSURL": (aws_url, aws_url),
    "AWSPhone": (aws_phone, aws_phone),
    "AWSIPAddress": (aws_ip_address, aws_ip_address),
}
# The Python type each scalar stands for in the Strawberry types, by GraphQL name ...
SCALARS: dict[str, Any] = {name: NewType(name, str) for name in _PARSERS}
# ... and its definition, for StrawberryConfig(scalar_map=...).
SCALAR_MAP: dict[object, ScalarDefinition] = {
    SCALARS[name]: strawberry.scalar(name=name, parse_value=parse, serialize=serialize)
    for name, (parse, serialize) in _PARSERS.items()
}
