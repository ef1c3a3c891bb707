"""Tracking ids a citizen can read aloud or type on a phone keypad.

31 symbols (digits and capitals without 0/O, 1/I/L), 10 of them from the OS's CSPRNG:
31**10 ~ 8e14 ids, so guessing one is hopeless and collisions are left to the unique index.
Shown as two groups of five: "LPR-7K3M9-QXA4T" reads better than a run of ten.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
PREFIX = "LPR"
_PATTERN = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}$")


def new_tracking_id() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{PREFIX}-{body[:5]}-{body[5:]}"


def normalize(raw: str) -> str | None:
    """Accept what a person types: any case, with or without the prefix, spaces or dashes."""
    cleaned = re.sub(r"[\s\-_.]", "", raw.upper())
    if cleaned.startswith(PREFIX):
        cleaned = cleaned[len(PREFIX) :]
    if len(cleaned) != LENGTH:
        return None
    candidate = f"{PREFIX}-{cleaned[:5]}-{cleaned[5:]}"
    return candidate if _PATTERN.match(candidate) else None
