"""An uploaded workbook checked before openpyxl parses it (issue 13, point 11), the errors a spreadsheet import
gives about its file, and the compact memory of the keys a file has named."""

import hashlib
import heapq
import re
import zipfile
import zlib
from array import array
from bisect import bisect_left

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def too_many_rows(max_rows: int) -> ValidationError:
    return ValidationError({"file": _("At most %(count)d rows can be imported at once.") % {"count": max_rows}})


def not_a_spreadsheet() -> ValidationError:
    return ValidationError({"file": _("This file cannot be read as an Excel (.xlsx) workbook.")})


# A worksheet's row element, with or without a namespace prefix (not <rowBreaks>).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CHUNK = 1 << 20


def refuse_oversized_xlsx(uploaded, *, max_rows: int) -> None:
    """Before openpyxl parses anything: the workbook's unpacked size, as its zip directory declares it (zipfile
    never inflates past that), must stay under ``IMPORT_MAX_XLSX_BYTES``, and each worksheet's rows, counted
    while inflating its XML, under the row limit. A zip bomb or a million-row sheet of a few hundred kilobytes is
    refused in a fraction of a second instead of being parsed."""
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > settings.IMPORT_MAX_XLSX_BYTES:
                megabytes = settings.IMPORT_MAX_XLSX_BYTES // (1024 * 1024)
                message = _("The workbook is too large once unpacked (at most %(megabytes)d MB).")
                raise ValidationError({"file": message % {"megabytes": megabytes}})
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    _count_rows(archive, member, max_rows)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise not_a_spreadsheet() from exc
    uploaded.seek(0)


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, max_rows: int) -> None:
    rows, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            # a tag cut by the chunk boundary is counted once, in the window where it ends
            rows += sum(1 for match in _ROW_TAG.finditer(window) if match.end() > len(tail))
            if rows > max_rows + 1:
                raise too_many_rows(max_rows)
            tail = window[-32:]


class SeenKeys:
    """The keys met so far in a file (credit codes, ID numbers), to find one written twice, kept as 8-byte
    digests in a few sorted arrays merged like a binary counter rather than as a set of strings: 100,000 keys
    hold about 1 MB instead of about 10 MB, so an import's memory stays flat. Two different keys share a digest
    with a chance of about one in a billion at that size."""

    def __init__(self):
        self.pending: set[int] = set()
        self.runs: list[array] = []  # sorted, largest first

    @staticmethod
    def _digest(key) -> int:
        return int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "big", signed=True)

    def add(self, key) -> bool:
        """Remember ``key``; True when it was met before."""
        value = self._digest(key)
        if value in self.pending or any(_holds(run, value) for run in self.runs):
            return True
        self.pending.add(value)
        if len(self.pending) >= 1024:
            run = array("q", sorted(self.pending))
            self.pending = set()
            while self.runs and len(self.runs[-1]) <= len(run):
                run = array("q", heapq.merge(self.runs.pop(), run))
            self.runs.append(run)
        return False


def _holds(run: array, value: int) -> bool:
    position = bisect_left(run, value)
    return position < len(run) and run[position] == value
