"""Uploaded files: what may come in, under which name it is stored, and who may take it out again.

- ``check_upload`` reads the first bytes and accepts a file only when its real type (by magic bytes, never by
  its name or the browser's content type) is in the allow-list and it is within the size limit.
- ``RandomName`` is the ``upload_to`` of every uploaded file: ``<folder>/<uuid4><ext of the detected type>``.
- Every file is served by ``programs.views.file_download`` only; each app registers a resolver that finds the
  file among the records the user may see (the app's scoped selectors), so the core imports no domain app.
"""

import codecs
import uuid
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

JPEG, PNG, HEIC, PDF, XLSX, CSV = ".jpg", ".png", ".heic", ".pdf", ".xlsx", ".csv"
EVIDENCE = (JPEG, PNG, HEIC, PDF)
PHOTOS = (JPEG, PNG, HEIC)
IMPORTS = (XLSX, CSV)
KNOWN = (*EVIDENCE, *IMPORTS)

HEIC_BRANDS = {b"heic", b"heix", b"mif1", b"msf1"}
HEAD_BYTES = 4096
NAMES = {JPEG: "JPEG", PNG: "PNG", HEIC: "HEIC", PDF: "PDF", XLSX: "Excel (.xlsx)", CSV: "CSV (UTF-8)"}


def _is_xlsx(uploaded) -> bool:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, OSError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut multibyte tail is fine
    except UnicodeDecodeError:
        return False
    return True


def detect(uploaded) -> str | None:
    """The extension of the file's real type among ``KNOWN``, or None; leaves the file at its start."""
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    uploaded.seek(0)
    kind = None
    if head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        kind = HEIC
    elif head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"PK\x03\x04"):
        kind = XLSX if _is_xlsx(uploaded) else None
    elif head and _is_text(head):
        kind = CSV
    uploaded.seek(0)
    return kind


def check_upload(uploaded, *, kinds: tuple[str, ...], max_bytes: int | None = None, field: str = "") -> str:
    """Refuse ``uploaded`` unless its real type is one of ``kinds`` and it fits ``max_bytes`` (default
    ``UPLOAD_MAX_BYTES``); the error names ``field`` (a form's ``clean_<field>`` passes none). Renames it to
    ``upload<ext>`` (the detected type's extension, which ``RandomName`` keeps) and returns that extension."""
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if uploaded.size > limit:
        message = _("The file is larger than %(megabytes)d MB.") % {"megabytes": limit // (1024 * 1024)}
        raise _named(ValidationError(message, code="file_too_large"), field)
    kind = detect(uploaded)
    if kind not in kinds:
        allowed = ", ".join(NAMES[k] for k in kinds)
        message = _("This file type is not accepted; upload %(kinds)s.") % {"kinds": allowed}
        raise _named(ValidationError(message, code="file_type"), field)
    uploaded.name = f"upload{kind}"
    return kind


def _named(error: ValidationError, field: str) -> ValidationError:
    return ValidationError({field: [error]}) if field else error


@deconstructible
class RandomName:
    """``upload_to``: a random name under ``folder`` with the extension of the detected type (or none)."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        ext = PurePosixPath(filename).suffix.lower()
        return f"{self.folder}/{uuid.uuid4().hex}{ext if ext in KNOWN else ''}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


# kind → resolver(user, pk) -> the file of that record if the user may see the record, else None
Resolver = Callable[[AbstractBaseUser, int], FieldFile | None]
RESOLVERS: dict[str, Resolver] = {}


def register(kind: str, resolver: Resolver) -> None:
    RESOLVERS[kind] = resolver


def resolve(kind: str, pk: int, user: AbstractBaseUser) -> FieldFile | None:
    resolver = RESOLVERS.get(kind)
    if resolver is None or not user.is_authenticated:
        return None
    found = resolver(user, pk)
    return found if found else None


def file_url(kind: str, pk: int) -> str:
    """The one address an uploaded file is opened at (``programs.views.file_download``)."""
    return reverse("file-download", args=[kind, pk])
