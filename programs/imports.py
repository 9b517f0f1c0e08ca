"""Bulk import from Excel or CSV, for the data staff bring in spreadsheets (enterprises, departments' plan
entries, residents' survey results).

An importer declares its columns, turns one row into clean values or a ValidationError naming the field, and
saves a chunk of clean rows. The flow is always the same: upload → every row validated → a preview with each
bad row's errors → confirm → everything saved in one transaction, or nothing. Files above
``IMPORT_SYNC_ROWS`` rows are saved by a Celery task whose progress the job page shows. Columns are matched by
header name, in any order. The file is streamed ``CHUNK_ROWS`` rows at a time (one look-up of the chunk's codes,
one insert), so memory depends on neither the table's size nor the file's.
"""

import csv
import io
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import ClassVar
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .audit import audit_record, transition
from .models import Enterprise, ImportJob, Region, User
from .queue import enqueue_on_commit
from .selectors import scope
from .spreadsheets import SeenKeys, not_a_spreadsheet, refuse_oversized_xlsx, too_many_rows
from .uploads import IMPORTS, check_upload
from .validators import normalize_credit_code

IMPORT_SYNC_ROWS = 500
MAX_ROWS = 100_000
# 100,000 rows of eleven columns are about 20 MB of CSV: above the other uploads' limit (``UPLOAD_MAX_BYTES``).
IMPORT_MAX_BYTES = 50 * 1024 * 1024
CHUNK_ROWS = 1000
PREVIEW_ROWS = 20
KEPT_ERRORS = 1000
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

    def __init__(self, actor: User, *, job_id: int | None = None):
        self.actor = actor
        self.job_id = job_id

    def prepare(self, rows: list[dict[str, str]]) -> None:  # noqa: B027 (a hook most importers use)
        """Before a chunk is cleaned: look up what its rows name (one query for all their codes)."""

    @abstractmethod
    def clean_row(self, values: dict[str, str]) -> dict:
        """Return the row's clean values, or raise ValidationError({column key: message})."""

    @abstractmethod
    def save(self, rows: list[dict]) -> int:
        """Save a chunk of clean rows (inside the caller's transaction); return how many were saved."""

    def check_duplicates(self, cleaned: list[dict]) -> list[dict]:
        """Errors that only show across rows (the same code twice in the file), for one chunk's clean rows,
        each carrying ``_row``; the importer remembers the earlier chunks' keys."""
        return []

    def clean_chunk(self, numbered: list[tuple[int, dict[str, str]]]) -> tuple[list[dict], list[dict]]:
        """A chunk's rows cleaned, plus the errors as [{row, column, message}] (row numbers as in the sheet)."""
        self.prepare([values for _number, values in numbered])
        cleaned, errors = [], []
        for number, values in numbered:
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
        errors += self.check_duplicates(cleaned)
        return cleaned, sorted(errors, key=lambda error: error["row"])

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


def clean_field(model, name: str, value, errors: dict):
    """``value`` through the model field's own checks (type, choices, length, validators) without a whole
    ``full_clean()``; a problem is added to ``errors`` under the field's name."""
    field = model._meta.get_field(name)
    if value == "" and field.blank:  # what clean() would answer, without its calls
        return value
    try:
        return field.clean(value, None)
    except ValidationError as exc:
        errors[name] = exc.messages
        return None


# --- Reading -----------------------------------------------------------------------------------------


def read_sheet(uploaded, columns: list[Column]) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows of an .xlsx or .csv, read as a stream, as (row number in the sheet, {column key: text}),
    matched by the header row's names whatever their order. Reading stops at the row limit (``MAX_ROWS``): a
    larger file is refused without being read to its end."""
    name = uploaded.name.lower()
    if name.endswith(".xlsx"):
        raw = _xlsx_rows(uploaded)
    elif name.endswith(".csv"):
        raw = _csv_rows(uploaded)
    else:
        raise ValidationError({"file": _("Upload an Excel (.xlsx) or CSV file.")})
    rows = _limited(raw)
    first = next(rows, None)
    if first is None:
        raise ValidationError({"file": _("The file is empty.")})
    try:
        index = header_index(first[1], columns)
    except ValidationError:
        rows.close()  # the reader lets go of the file now, not when collected
        raise
    return ((number, {key: (cells[i] if i < len(cells) else "") for key, i in index.items()}) for number, cells in rows)


def _same_header(text: str) -> str:
    return text.replace("(", "（").replace(")", "）").replace(" ", "")


def header_index(header: list[str], columns: list[Column]) -> dict[str, int]:
    """{column key: position in the row} from the header row. Refused by name: a header this import does not
    know, a header written twice, a required header missing, a column without a header before named ones."""
    known = {_same_header(c.header): c for c in columns}
    found: dict[str, int] = {}
    unknown, twice, unnamed = [], [], []
    last_named = max((i for i, text in enumerate(header) if text), default=-1)
    for position, text in enumerate(header):
        column = known.get(_same_header(text))
        if not text:
            if position < last_named:
                unnamed.append(str(position + 1))
        elif column is None:
            unknown.append(text)
        elif column.key in found:
            twice.append(text)
        else:
            found[column.key] = position
    missing = [c.header for c in columns if c.required and c.key not in found]
    problems = []
    if unknown:
        message = _("The header row has columns this import does not know: %(columns)s. Its columns are: %(known)s.")
        problems.append(message % {"columns": "、".join(unknown), "known": "、".join(c.header for c in columns)})
    if twice:
        problems.append(_("The header row names these columns twice: %(columns)s.") % {"columns": "、".join(twice)})
    if unnamed:
        message = _("These columns of the header row have no name: %(positions)s.")
        problems.append(message % {"positions": "、".join(unnamed)})
    if missing:
        problems.append(_("The header row lacks the columns: %(columns)s.") % {"columns": "、".join(missing)})
    if problems:
        raise ValidationError({"file": problems})
    return found


def _limited(rows: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """The non-empty rows with their number in the sheet, header included, refused as soon as there are more
    than ``MAX_ROWS`` below it."""
    kept = 0
    for number, row in enumerate(rows, start=1):
        if any(row):
            kept += 1
            if kept > MAX_ROWS + 1:
                raise too_many_rows(MAX_ROWS)
            yield number, row


def _xlsx_rows(uploaded) -> Iterator[list[str]]:
    _refuse_oversized_xlsx(uploaded)
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
        try:
            if workbook.active is None:
                raise not_a_spreadsheet()
            for row in workbook.active.iter_rows(values_only=True):
                yield ["" if v is None else str(v).strip() for v in row]
        finally:
            workbook.close()
    except (zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, ParseError, ValueError) as exc:
        raise not_a_spreadsheet() from exc


def _refuse_oversized_xlsx(uploaded) -> None:
    refuse_oversized_xlsx(uploaded, max_rows=MAX_ROWS)


def _csv_rows(uploaded) -> Iterator[list[str]]:
    text = io.TextIOWrapper(uploaded, encoding="utf-8-sig", newline="")
    try:
        for row in csv.reader(text):
            yield [v.strip() for v in row]
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": _("Save the CSV file as UTF-8 and upload it again.")}) from exc
    except csv.Error as exc:
        raise ValidationError({"file": _("This file cannot be read as CSV.")}) from exc
    finally:
        if not text.closed:
            text.detach()  # the upload stays open: the job keeps it


def chunks(rows: Iterator) -> Iterator[list]:
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield chunk


# --- Jobs -------------------------------------------------------------------------------------------


def import_job_create(*, kind: str, uploaded, actor: User) -> ImportJob:
    """Read and validate the whole file, a chunk at a time; nothing is saved but the job with its preview (the
    first rows, {column key: value}) and errors."""
    importer_class = REGISTRY[kind]
    if not (actor.is_superuser or actor.role in importer_class.roles):
        raise ValidationError(_("Your role cannot import this."), code="import_not_allowed")
    check_upload(
        uploaded, field="file", kinds=IMPORTS, max_bytes=getattr(settings, "IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)
    )
    importer = importer_class(actor)
    total, errors, preview = 0, [], []
    for chunk in chunks(read_sheet(uploaded, importer_class.columns)):
        if len(preview) < PREVIEW_ROWS:
            preview += [_masked(values, importer_class.columns) for _number, values in chunk[:PREVIEW_ROWS]]
        total += len(chunk)
        _cleaned, chunk_errors = importer.clean_chunk(chunk)
        errors += chunk_errors[: KEPT_ERRORS - len(errors)]
    uploaded.seek(0)
    job = ImportJob.objects.create(
        kind=kind,
        file=uploaded,
        created_by=actor,
        total_rows=total,
        errors=errors,
        preview=preview[:PREVIEW_ROWS],
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
    """Every column's value under its key, in the columns' order (absent columns empty), sensitive ones masked."""
    return {c.key: c.mask(row.get(c.key, "")) if c.mask else row.get(c.key, "") for c in columns}


def preview_table(job: ImportJob) -> tuple[list[str], list[list[str]]]:
    """The preview as headers and rows of cells, each cell under its own header: the stored rows are read by
    column key (a JSON object's key order is not kept by PostgreSQL's ``jsonb``)."""
    columns = REGISTRY[job.kind].columns
    rows = [row if isinstance(row, dict) else {} for row in job.preview]
    return [c.header for c in columns], [[str(row.get(c.key, "")) for c in columns] for row in rows]


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
    """Validate again (the data may have changed since the preview) and save chunk by chunk in one transaction,
    the progress counted per chunk; any error rolls back every chunk. Idempotent: a job that is no longer queued
    is left as it is."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    audit_record(obj=job, old=ImportJob.Status.QUEUED, new=ImportJob.Status.RUNNING, actor=None)
    importer = REGISTRY[job.kind](job.created_by, job_id=job.pk)
    try:
        with job.file.open("rb") as handle:
            handle.name = job.file.name
            saved, errors = _save_all(importer, read_sheet(handle, importer.columns), job_id)
    except ValidationError as exc:  # the file itself (it was read before) or a service's refusal
        return _failed(job, [{"row": 0, "column": "", "message": " ".join(exc.messages)}])
    except IntegrityError:  # another import or a person registered the same code meanwhile
        message = _("A record of this file was registered meanwhile by someone else; upload the file again.")
        return _failed(job, [{"row": 0, "column": "", "message": message}])
    finally:
        _discard_file(job)  # a claimed job never reads its file again
    if errors:
        return _failed(job, errors)
    return transition(
        instance=job,
        to=ImportJob.Status.DONE,
        actor=None,
        allowed=ImportJob.MOVES,
        changes={"saved_rows": saved, "finished_at": timezone.now()},
    )


def _save_all(importer: Importer, rows: Iterator, job_id: int) -> tuple[int, list[dict]]:
    """(rows saved, errors); after an error the chunks are only checked, and the saved ones rolled back."""
    saved, done, errors = 0, 0, []
    with transaction.atomic():
        for chunk in chunks(rows):
            cleaned, chunk_errors = importer.clean_chunk(chunk)
            errors += chunk_errors[: KEPT_ERRORS - len(errors)]
            if not errors:
                saved += importer.save(cleaned)
            done += len(chunk)
            cache.set(progress_key(job_id), done, 3600)
        transaction.set_rollback(bool(errors))
    return saved, errors


def _failed(job: ImportJob, errors: list[dict]) -> ImportJob:
    job.errors = errors
    job.save(update_fields=["errors"])
    return transition(instance=job, to=ImportJob.Status.FAILED, actor=None, allowed=ImportJob.MOVES)


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
    TEXT: ClassVar[tuple[str, ...]] = ("name", "address", "industry", "contact_name", "contact_phone", "contact_email")
    SIZES: ClassVar[dict[str, str]] = {"微型": "micro", "小型": "small", "中型": "medium", "大型": "large"}

    def __init__(self, actor, **kwargs):
        super().__init__(actor, **kwargs)
        # the importer's places by division code (ids only: a province is about 10,000 of them)
        self.regions = dict(scope(Region.objects.all(), actor, region="").values_list("code", "pk"))
        self.registered: set[str] = set()  # the chunk's codes on record
        self.seen = SeenKeys()  # the file's codes so far

    def prepare(self, rows):
        codes = {normalize_credit_code(values.get("credit_code", "")) for values in rows} - {""}
        on_record = Enterprise.objects.filter(credit_code__in=codes).order_by().values_list("credit_code", flat=True)
        self.registered = set(on_record)

    def clean_row(self, values):
        errors = {}
        region_id = self.regions.get(values["region_code"])
        if region_id is None:
            errors["region_code"] = _("No region of yours has this division code.")
        fields = {name: clean_field(Enterprise, name, values.get(name, ""), errors) for name in self.TEXT}
        code = clean_field(Enterprise, "credit_code", normalize_credit_code(values["credit_code"]), errors)
        size = values.get("size", "")
        size = clean_field(Enterprise, "size", self.SIZES.get(size, size or Enterprise.Size.SMALL), errors)
        if code in self.registered:
            errors["credit_code"] = _("An enterprise with this credit code is registered already.")
        if errors:
            raise ValidationError(errors)
        return {
            **fields,
            "credit_code": code,
            "region_id": region_id,
            "size": size,
            "is_key": is_yes(values.get("is_key", "")),
            "is_four_new": is_yes(values.get("is_four_new", "")),
        }

    def check_duplicates(self, cleaned):
        errors = []
        for row in cleaned:
            code = row["credit_code"]
            if self.seen.add(code):
                message = _("%(code)s appears twice in the file.") % {"code": code}
                errors.append({"row": row["_row"], "column": "统一社会信用代码", "message": message})
        return errors

    @staticmethod
    def fields(row: dict) -> dict:
        return {key: value for key, value in row.items() if key != "_row"}

    def save(self, rows):
        """One insert for the chunk's enterprises and one audit row naming them all (an audit row per enterprise
        would double the import's time)."""
        created = Enterprise.objects.bulk_create([Enterprise(**self.fields(row)) for row in rows])
        if created:
            data = {"import_job": self.job_id, "enterprises": [enterprise.pk for enterprise in created]}
            audit_record(obj=created[0], field="imported", old="", new=str(len(created)), actor=self.actor, data=data)
        return len(created)
