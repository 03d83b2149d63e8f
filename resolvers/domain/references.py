"""Booking references: six characters a passenger can read out on the phone without confusion."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: characters people mix up when reading or hearing them.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
