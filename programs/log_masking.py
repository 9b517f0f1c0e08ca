"""Personal data kept out of every log: a filter on each logging handler (``LOGGING`` in settings, gunicorn's
error and access logs through ``gunicorn.conf.py``) masks ID numbers, mobile numbers and signed-link tokens in a
record's message, its arguments and its traceback before any formatter sees them.

Masks are the product's own (``mask_id_number``, ``mask_phone``): a log line still tells two people apart,
never who they are. A signed link keeps its path and loses its token, so the link cannot be replayed from a log.
"""

import logging
import re
from collections.abc import Mapping
from decimal import Decimal

from .validators import mask_id_number, mask_phone

# A resident ID number: region (6 digits), birth date (YYYYMMDD), sequence (3 digits), check character.
ID_NUMBER = re.compile(
    r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])"
)
# A mainland mobile number, with or without +86.
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d{9})(?![0-9])")
# The guidance app's signed links (/guidance/manage/<token>/…, /guidance/feedback/<token>/), Django's
# password-reset links (/accounts/reset/<uid>/<token>/) and any ``token=`` / ``signature=`` query parameter.
# A token never starts with "%", so a format string ("/guidance/manage/%s/") keeps its placeholder.
SIGNED_PATH = re.compile(
    r"(/guidance/(?:manage|feedback)/|/accounts/reset/[^/?#\s\"'<>]+/)(?!set-password/)[^/?#\s\"'<>%][^/?#\s\"'<>]*"
)
TOKEN_PARAMETER = re.compile(r"([?&;](?:token|signature|sig)=)[^&#\s\"'<>%][^&#\s\"'<>]*", re.IGNORECASE)
# Anything shaped like a Django signed value: payload:timestamp:signature (base64, with a 43-character HMAC).
SIGNED_VALUE = re.compile(r"[A-Za-z0-9_\-.]{8,}:[A-Za-z0-9]{4,10}:[A-Za-z0-9_\-]{27,}")
HIDDEN = "[hidden]"


def mask_personal_data(text: str) -> str:
    """``text`` with every ID number, mobile number and signed-link token masked."""
    text = SIGNED_PATH.sub(rf"\1{HIDDEN}", text)
    text = TOKEN_PARAMETER.sub(rf"\1{HIDDEN}", text)
    text = SIGNED_VALUE.sub(HIDDEN, text)
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE.sub(lambda m: mask_phone(m.group(1)), text)


def _masked(value):
    """A log argument with personal data masked: strings masked; numbers, None and booleans as they are (a
    ``%d`` still gets its number); any other object replaced by its masked text only when that text hides
    something (an exception's message, a model's name)."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
    masked = mask_personal_data(text)
    return masked if masked != text else value


class _MaskedMapping(Mapping):
    """``%(name)s`` arguments (gunicorn's access-log atoms) masked as they are read, without copying or
    changing the caller's mapping and keeping its own rules for missing keys."""

    def __init__(self, inner: Mapping):
        self._inner = inner

    def __getitem__(self, key):
        return _masked(self._inner[key])

    def __iter__(self):
        return iter(self._inner)

    def __len__(self):
        return len(self._inner)


class PersonalDataFilter(logging.Filter):
    """Masks a record in place and always lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, Mapping):
            record.args = _MaskedMapping(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
