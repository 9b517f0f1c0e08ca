"""The inspection code (亮码): made when an inspection is scheduled, shown on arrival, checked by anyone. A module
of its own below services and selectors, which both read it."""

import secrets

# An unambiguous alphabet (no 0/O, 1/I/L): 20 characters of it are 100 random bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20


def new_inspection_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:CODE_LENGTH]


def format_code(code: str | None) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else ""
