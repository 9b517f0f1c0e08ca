"""The embedded default's secret key: random, made on first start and kept in a file only its owner can read,
so that no two installations share a key and nobody can forge another's signed links. Production passes
``SECRET_KEY`` in the environment instead.

Imported by settings: only the standard library here.
"""

import contextlib
import os
import secrets
from pathlib import Path

KEY_LENGTH = 64


def read_or_create_secret_key(path: Path) -> str:
    """The key in ``path``, made first if there is none. The web server's workers, the Celery worker and beat
    start at the same moment: the key is written to a private temporary file and linked into place, which
    fails for all but the first; the others read the first one's key."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass  # the first start: make the key below
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(KEY_LENGTH) + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < 50:
        raise ValueError(f"{path}: the secret key in this file is too short; delete the file to make a new one.")
    return key
