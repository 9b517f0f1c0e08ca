"""Bulk import from Excel or CSV, for the data staff bring in spreadsheets (enterprises, departments' plan
entries, residents' survey results).

An importer declares its columns, turns one row into clean values or a ValidationError naming the field, and
saves a list of clean rows. The flow is always the same: upload → every row validated → a preview with each
bad row's errors → confirm → everything saved in one transaction, or nothing. Files above
``IMPORT_SYNC_ROWS`` rows are saved by a Celery task whose progress the job page shows.
"""

import csv
import io
import re
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .audit import audit_record, transition
from .models import Enterprise, ImportJob, Region, User
from .queue import enqueue_on_commit
from .selectors import scope
from .uploads import IMPORTS, check_upload
from .validators import normalize_credit_code

IMPORT_SYNC_ROWS = 500
MAX_ROWS = 100_000
REGISTRY: dict[str, type["Importer"]] = {}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # what the spreadsheet's first row says (Chinese, as staff write it)
    required: bool = False
    mask: Callable[[str], str] | None = None  # sensitive values are masked in the stored preview


YES = {"是", "yes", "true", "1", "y", "√"}


def is_yes(value: str) -> bool:
    return (value or "").strip().lower() in YES


class Importer(ABC):
    kind: ClassVar[str]
    label: ClassVar[str]
    roles: ClassVar[tuple[str, ...]]
    columns: ClassVar[list[Column]]

    def __init__(self, actor: User):
        self.actor = actor

    @abstractmethod
    def clean_row(self, values: dict[str, str]) -> dict:
        """Return the row's clean values, or raise ValidationError({column key: message})."""

    @abstractmethod
    def save(self, rows: list[dict]) -> int:
        """Save clean rows (inside the caller's transaction); return how many were saved."""

    def clean_all(self, rows: list[dict[str, str]]) -> tuple[list[dict], list[dict]]:
        """All rows cleaned, plus the errors as [{row, column, message}] (row numbers as in the sheet)."""
        cleaned, errors = [], []
        for number, values in enumerate(rows, start=2):
            missing = [c for c in self.columns if c.required and not values.get(c.key, "").strip()]
            if missing:
                errors += [
                    {"row": number, "column": c.header, "message": _("This column is required.")} for c in missing
                ]
                continue
            try:
                cleaned.append({**self.clean_row(values), "_row": number})
            except ValidationError as exc:
                errors += self._row_errors(number, exc)
        return cleaned, errors

    def check_duplicates(self, cleaned: list[dict]) -> list[dict]:
        """Errors that only show across rows (the same code twice in the file); each row carries ``_row``."""
        return []

    def _row_errors(self, number, exc):
        headers = {c.key: c.header for c in self.columns}
        if hasattr(exc, "error_dict"):
            return [
                {"row": number, "column": headers.get(key, key), "message": " ".join(messages)}
                for key, messages in exc.message_dict.items()
            ]
        return [{"row": number, "column": "", "message": " ".join(exc.messages)}]


def register(importer: type[Importer]) -> type[Importer]:
    REGISTRY[importer.kind] = importer
    return importer


def importers_for(user: User) -> list[type[Importer]]:
    return [i for i in REGISTRY.values() if user.is_superuser or user.role in i.roles]


def read_sheet(uploaded, columns: list[Column]) -> list[dict[str, str]]:
    """Rows of an .xlsx or .csv as {column key: text}, matched by the header row's names. Reading stops at the
    row limit (``MAX_ROWS``): a larger file is refused without being read to its end."""
    name = uploaded.name.lower()
    if name.endswith(".xlsx"):
        raw = _xlsx_rows(uploaded)
    elif name.endswith(".csv"):
        raw = _csv_rows(uploaded)
    else:
        raise ValidationError({"file": _("Upload an Excel (.xlsx) or CSV file.")})
    if not raw:
        raise ValidationError({"file": _("The file is empty.")})
    header = raw[0]
    missing = [c.header for c in columns if c.required and c.header not in header]
    if missing:
        message = _("The header row lacks the columns: %(columns)s.") % {"columns": "、".join(missing)}
        raise ValidationError({"file": message})
    index = {c.key: header.index(c.header) for c in columns if c.header in header}
    return [{key: (row[i] if i < len(row) else "") for key, i in index.items()} for row in raw[1:]]


def _too_many_rows() -> ValidationError:
    return ValidationError({"file": _("At most %(count)d rows can be imported at once.") % {"count": MAX_ROWS}})


def _not_a_spreadsheet() -> ValidationError:
    return ValidationError({"file": _("This file cannot be read as an Excel (.xlsx) workbook.")})


def _first_rows(rows) -> list[list[str]]:
    """The non-empty rows, header included, refused as soon as there are more than ``MAX_ROWS`` below it."""
    kept = []
    for row in rows:
        if any(row):
            kept.append(row)
            if len(kept) > MAX_ROWS + 1:
                raise _too_many_rows()
    return kept


def _xlsx_rows(uploaded) -> list[list[str]]:
    _refuse_oversized_xlsx(uploaded)
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
        try:
            if workbook.active is None:
                raise _not_a_spreadsheet()
            cells = workbook.active.iter_rows(values_only=True)
            return _first_rows(["" if v is None else str(v).strip() for v in row] for row in cells)
        finally:
            workbook.close()
    except (zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, ParseError, ValueError) as exc:
        raise _not_a_spreadsheet() from exc


# A worksheet's row element, with or without a namespace prefix (not <rowBreaks>).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CHUNK = 1 << 20


def _refuse_oversized_xlsx(uploaded) -> None:
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
                    _count_rows(archive, member)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _not_a_spreadsheet() from exc
    uploaded.seek(0)


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    rows, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            # a tag cut by the chunk boundary is counted once, in the window where it ends
            rows += sum(1 for match in _ROW_TAG.finditer(window) if match.end() > len(tail))
            if rows > MAX_ROWS + 1:
                raise _too_many_rows()
            tail = window[-32:]


def _csv_rows(uploaded) -> list[list[str]]:
    text = io.TextIOWrapper(uploaded, encoding="utf-8-sig", newline="")
    try:
        return _first_rows([v.strip() for v in row] for row in csv.reader(text))
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": _("Save the CSV file as UTF-8 and upload it again.")}) from exc
    except csv.Error as exc:
        raise ValidationError({"file": _("This file cannot be read as CSV.")}) from exc
    finally:
        text.detach()  # the upload stays open: the job keeps it


# --- Jobs -------------------------------------------------------------------------------------------


def import_job_create(*, kind: str, uploaded, actor: User) -> ImportJob:
    """Read and validate the whole file; nothing is saved but the job with its preview and errors."""
    importer_class = REGISTRY[kind]
    if not (actor.is_superuser or actor.role in importer_class.roles):
        raise ValidationError(_("Your role cannot import this."), code="import_not_allowed")
    check_upload(uploaded, field="file", kinds=IMPORTS)
    rows = read_sheet(uploaded, importer_class.columns)
    importer = importer_class(actor)
    cleaned, errors = importer.clean_all(rows)
    errors += importer.check_duplicates(cleaned)
    uploaded.seek(0)
    job = ImportJob.objects.create(
        kind=kind,
        file=uploaded,
        created_by=actor,
        total_rows=len(rows),
        errors=errors[:1000],
        preview=[_masked(row, importer_class.columns) for row in rows[:20]],
        status=ImportJob.Status.INVALID if errors else ImportJob.Status.VALIDATED,
    )
    if job.status == ImportJob.Status.INVALID:
        _discard_file(job)  # an invalid job ends here: nothing will read its file
    return job


def _discard_file(job: ImportJob) -> None:
    """An import file holds personal data (ID numbers): it is kept only until the job has read it."""
    if job.file:
        job.file.delete(save=False)
        job.save(update_fields=["file"])


def _masked(row: dict[str, str], columns: list[Column]) -> dict[str, str]:
    masks = {c.key: c.mask for c in columns if c.mask}
    return {key: masks[key](value) if key in masks else value for key, value in row.items()}


def import_job_confirm(*, job: ImportJob, actor: User) -> ImportJob:
    """Save a validated job: at once when small, else in the background (``run_import_job``)."""
    if job.created_by_id != actor.pk and not actor.is_superuser:
        raise ValidationError(_("Only who uploaded the file can confirm it."))
    job = transition(
        instance=job,
        to=ImportJob.Status.QUEUED,
        actor=actor,
        allowed=ImportJob.MOVES,
        changes={"queued_at": timezone.now()},
    )
    if job.total_rows <= IMPORT_SYNC_ROWS:
        return import_job_run(job_id=job.pk)
    enqueue_on_commit("programs.run_import_job", job.pk)
    return job


STALLED_AFTER = timedelta(minutes=2)


def stalled_import_jobs(*, now=None):
    return ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED, queued_at__lt=(now or timezone.now()) - STALLED_AFTER
    )


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate again (the data may have changed since the preview) and save all rows in one transaction.
    Idempotent: a job that is no longer queued is left as it is."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    audit_record(obj=job, old=ImportJob.Status.QUEUED, new=ImportJob.Status.RUNNING, actor=None)
    importer = REGISTRY[job.kind](job.created_by)
    try:
        with job.file.open("rb") as handle:
            handle.name = job.file.name
            rows = read_sheet(handle, importer.columns)
    finally:
        _discard_file(job)  # the rows are in memory; a claimed job never reads its file again
    cleaned, errors = [], []
    for start in range(0, len(rows), 1000):
        part, part_errors = importer.clean_all(rows[start : start + 1000])
        cleaned += [{**row, "_row": row["_row"] + start} for row in part]
        errors += [{**e, "row": e["row"] + start} for e in part_errors]
        cache.set(progress_key(job_id), min(start + 1000, len(rows)), 3600)
    errors += importer.check_duplicates(cleaned)
    if errors:
        job.errors = errors[:1000]
        job.save(update_fields=["errors"])
        return transition(instance=job, to=ImportJob.Status.FAILED, actor=None, allowed=ImportJob.MOVES)
    try:
        with transaction.atomic():
            saved = importer.save(cleaned)
    except ValidationError as exc:
        job.errors = [{"row": 0, "column": "", "message": " ".join(exc.messages)}]
        job.save(update_fields=["errors"])
        return transition(instance=job, to=ImportJob.Status.FAILED, actor=None, allowed=ImportJob.MOVES)
    return transition(
        instance=job,
        to=ImportJob.Status.DONE,
        actor=None,
        allowed=ImportJob.MOVES,
        changes={"saved_rows": saved, "finished_at": timezone.now()},
    )


def import_job_progress(job: ImportJob) -> int:
    if job.status == ImportJob.Status.DONE:
        return job.total_rows
    return cache.get(progress_key(job.pk), 0)


# --- The core's importer ----------------------------------------------------------------------------


@register
class EnterpriseImporter(Importer):
    kind = "enterprises"
    label = gettext_lazy("Enterprises")
    roles = (User.Role.COORDINATOR,)
    columns: ClassVar[list[Column]] = [
        Column("name", "企业名称", required=True),
        Column("credit_code", "统一社会信用代码", required=True),
        Column("region_code", "区划代码", required=True),
        Column("address", "地址"),
        Column("industry", "行业"),
        Column("size", "规模"),
        Column("is_key", "重点企业"),
        Column("is_four_new", "四新企业"),
        Column("contact_name", "联系人"),
        Column("contact_phone", "联系电话"),
        Column("contact_email", "联系邮箱"),
    ]
    SIZES: ClassVar[dict[str, str]] = {"微型": "micro", "小型": "small", "中型": "medium", "大型": "large"}

    def __init__(self, actor):
        super().__init__(actor)
        self.regions = {r.code: r for r in scope(Region.objects.all(), actor, region="")}
        self.existing_codes = set(Enterprise.objects.exclude(credit_code=None).values_list("credit_code", flat=True))

    def clean_row(self, values):
        region = self.regions.get(values["region_code"])
        if region is None:
            raise ValidationError({"region_code": _("No region of yours has this division code.")})
        size = values.get("size", "")
        enterprise = Enterprise(
            name=values["name"],
            credit_code=normalize_credit_code(values["credit_code"]),
            region=region,
            address=values.get("address", ""),
            industry=values.get("industry", ""),
            size=self.SIZES.get(size, size or Enterprise.Size.SMALL),
            is_key=is_yes(values.get("is_key", "")),
            is_four_new=is_yes(values.get("is_four_new", "")),
            contact_name=values.get("contact_name", ""),
            contact_phone=values.get("contact_phone", ""),
            contact_email=values.get("contact_email", ""),
        )
        enterprise.full_clean(validate_unique=False, validate_constraints=False)
        if enterprise.credit_code in self.existing_codes:
            raise ValidationError({"credit_code": _("An enterprise with this credit code is registered already.")})
        return {"enterprise": enterprise}

    def check_duplicates(self, cleaned):
        seen, errors = set(), []
        for row in cleaned:
            code = row["enterprise"].credit_code
            if code in seen:
                message = _("%(code)s appears twice in the file.") % {"code": code}
                errors.append({"row": row["_row"], "column": "统一社会信用代码", "message": message})
            seen.add(code)
        return errors

    def save(self, rows):
        created = Enterprise.objects.bulk_create([row["enterprise"] for row in rows], batch_size=1000)
        for enterprise in created[:1]:
            audit_record(obj=enterprise, field="imported", old="", new=str(len(created)), actor=self.actor)
        return len(created)
