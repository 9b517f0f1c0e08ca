"""Excel and CSV export of what an admin list shows: the same rows (filters, search, scoping) and the same
columns (``list_display``, so masked fields stay masked). Every cell passes ``neutralise``: text a stranger typed
never becomes a live formula.

Rows are read with ``values_list()`` through a server-side cursor, ``CHUNK`` at a time, and written by a streaming
writer (CSV chunks; openpyxl's write-only workbook, which keeps its rows in a temporary file), so memory stays flat
whatever the length. A column that is a model field is formatted from its value (a choice's label, yes/no, a
local date and time, a related row's name looked up once per chunk: its ``LABEL_FIELD`` by ``values_list`` when
the model declares one); a list with a column computed by the admin (a masked number, a path) is read object by
object, each cell through ``lookup_field`` as the page shows it.
A list longer than ``EXPORT_SYNC_ROWS`` is not written in the request: an ``ExportJob`` is queued for a worker
(``programs.export_jobs``) and the page of the job shows its progress and, when done, the download link."""

import csv
import datetime
import decimal
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection, models
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .export_models import ExportJob
from .queue import enqueue_on_commit

FORMATS = ("xlsx", "csv")
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection"): such text gets a leading quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Longer lists are exported by a worker (an ExportJob), not in the request.
EXPORT_SYNC_ROWS = 20_000
CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def neutralise(value):
    """A cell value that no spreadsheet runs: text starting with a formula trigger is prefixed with ``'``;
    numbers, dates and empty cells are kept as they are, so they stay numbers in Excel."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row):
    return [neutralise(value) for value in row]


# --- Cells ------------------------------------------------------------------------------------------------------


def _local(value):
    # A real date and time in the reader's clock (Excel keeps no time zone): a date cell, sortable and filterable.
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return local.replace(tzinfo=None, second=0, microsecond=0)


def _text(value) -> str:
    """Text as a cell: tags stripped, a leading formula trigger quoted (``neutralise``)."""
    text = str(value)
    if "<" in text:
        text = strip_tags(text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell(model_admin, obj, name):
    """One cell read from an object, as the list page shows it (the columns an admin computes)."""
    field, _attr, value = lookup_field(name, obj, model_admin)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return _local(value)
    if isinstance(value, (datetime.date, int, float, decimal.Decimal)) and not (
        field is not None and getattr(field, "flatchoices", None)
    ):
        return value
    if field is not None and not isinstance(field, models.ForeignKey):
        return strip_tags(str(display_for_field(value, field, "")))
    return strip_tags(str(value))


def label_field(model) -> models.Field | None:
    """The field a model's text is (``LABEL_FIELD``, declared by a model whose ``__str__`` returns that field's
    value), or None: the text is then ``str()`` of an object. A misspelt name raises ``FieldDoesNotExist``."""
    name = getattr(model, "LABEL_FIELD", None)
    if name is None:
        return None
    field = model._meta.get_field(name)
    if field.is_relation or not field.concrete:  # its value would be an id, or nothing values_list can read
        raise ImproperlyConfigured(f"{model.__name__}.LABEL_FIELD names {name}, not a column of its own.")
    return field


class _Related:
    """A foreign key column: the related rows' names, looked up once per chunk for the ids not seen yet. When
    the related model declares its ``LABEL_FIELD``, the names are read with ``values_list(key, label)``: no
    model object per name (9,000 villages' names for 10,000 enterprises took more time than the rows)."""

    KEPT = 20_000  # names remembered across chunks (a region column: all of them), then forgotten

    def __init__(self, field):
        self.model = field.related_model
        self.key = field.target_field.attname
        self.column = field.target_field.column
        label = label_field(self.model)
        self.label = None if label is None else label.attname
        self.names: dict = {}

    def resolve(self, keys: set) -> None:
        missing = [key for key in keys if key is not None and key not in self.names]
        if not missing:
            return
        if len(self.names) + len(missing) > self.KEPT:
            self.names = {}
        rows = self.model._base_manager.all()
        if connection.vendor == "postgresql":  # one array parameter: no per-id compiling of a long IN list
            column = f"{connection.ops.quote_name(self.model._meta.db_table)}.{connection.ops.quote_name(self.column)}"
            rows = rows.extra(where=[f"{column} = ANY(%s)"], params=[missing])  # noqa: S610 - names from the model
        else:
            rows = rows.filter(**{f"{self.key}__in": missing})
        if self.label is not None:
            for key, label in rows.order_by().values_list(self.key, self.label):
                self.names[key] = "" if label is None else _text(label)
            return
        for obj in rows:
            self.names[getattr(obj, self.key)] = _text(obj)

    def __call__(self, value):
        return "" if value is None else self.names.get(value, "")


def _renderer(field) -> Callable:
    """The cell of a field's value, as ``_cell`` makes it from the object."""
    if field.many_to_one or field.one_to_one:
        return _Related(field)
    if isinstance(field, models.BooleanField):
        yes, no = _("Yes"), _("No")
        return lambda value: "" if value is None else (yes if value else no)
    if field.flatchoices:
        labels = {key: _text(label) for key, label in field.flatchoices}
        return lambda value: "" if value is None else labels.get(value, "")
    if isinstance(field, models.DateTimeField):
        return lambda value: "" if value is None else _local(value)
    if isinstance(field, (models.DateField, models.IntegerField, models.FloatField, models.DecimalField)):
        return lambda value: "" if value is None else value
    if isinstance(field, (models.CharField, models.TextField)):
        return lambda value: "" if value is None else _text(value)
    return lambda value: "" if value is None else _text(display_for_field(value, field, ""))


def export_columns(model_admin, request) -> list[str]:
    """The list's columns; a column that only formats a field for the page (``raw_field``) exports the field."""
    columns = model_admin.get_list_display(request)
    return [getattr(name, "raw_field", name) for name in columns if name != "action_checkbox"]


def _fields(model, columns) -> list | None:
    """The model fields behind the columns, or None when a column is computed (read object by object then)."""
    fields = []
    for name in columns:
        if not isinstance(name, str):
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.many_to_many:
            return None
        fields.append(field)
    return fields


def export_rows(model_admin, request, queryset) -> Iterator[list]:
    """The header, then one list of cells per row, every cell neutralised."""
    columns = export_columns(model_admin, request)
    yield neutralise_row(str(label_for_field(name, model_admin.model, model_admin)) for name in columns)
    fields = _fields(model_admin.model, columns)
    if fields is None:
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield neutralise_row(_cell(model_admin, obj, name) for name in columns)
        return
    renderers = [_renderer(field) for field in fields]
    related = [(i, r) for i, r in enumerate(renderers) if isinstance(r, _Related)]
    # The primary key last: a DISTINCT list (a search across a many-to-many) stays distinct by row. Each
    # renderer neutralises the text it makes (numbers, dates and fixed labels need not be).
    values = queryset.values_list(*[field.attname for field in fields], "pk").iterator(chunk_size=CHUNK)
    while chunk := list(islice(values, CHUNK)):
        for i, renderer in related:
            renderer.resolve({row[i] for row in chunk})
        for row in chunk:
            yield [render(value) for render, value in zip(renderers, row)]  # noqa: B905 - the pk is left out


# --- Writers ----------------------------------------------------------------------------------------------------


def write_xlsx(rows: Iterable[list], target, *, title: str) -> None:
    """A workbook of ``rows`` (neutralised: ``export_rows``) written to ``target`` (a path or a binary file) by
    openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "export")
    append = sheet.append
    for row in rows:
        append(row)
    workbook.save(target)


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """CSV text of ``rows`` (neutralised: ``export_rows``) in pieces of 500 rows, after a byte-order mark so that
    Excel opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def write_csv(rows: Iterable[list], target) -> None:
    """CSV of ``rows`` into ``target``, a binary file."""
    for piece in csv_chunks(rows):
        target.write(piece.encode("utf-8"))


def export_filename(model, fmt: str) -> str:
    return f"{model._meta.model_name}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"


# --- The request ------------------------------------------------------------------------------------------------


def export_response(model_admin, request, queryset, fmt: str) -> HttpResponse:
    """The file, when the list holds at most ``EXPORT_SYNC_ROWS`` rows; else the page of a queued export job."""
    if queryset.order_by()[: EXPORT_SYNC_ROWS + 1].count() > EXPORT_SYNC_ROWS:
        job = export_job_create(model_admin, request, fmt)
        return redirect("export-job", job_id=job.pk)
    filename = export_filename(model_admin.model, fmt)
    rows = export_rows(model_admin, request, queryset)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return xlsx_response(rows, filename=filename, title=str(model_admin.model._meta.verbose_name_plural))


def xlsx_response(rows: Iterable[list], *, filename: str, title: str) -> HttpResponse:
    """The workbook of ``rows`` (neutralised; at most ``EXPORT_SYNC_ROWS``: a few megabytes at most, sent whole)
    as an attachment, written by ``write_xlsx`` into a spooled temporary file (on disk past 8 MB)."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spooled:
        write_xlsx(rows, spooled, title=title)
        spooled.seek(0)
        response = HttpResponse(spooled.read(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_job_create(model_admin, request, fmt: str) -> ExportJob:
    """Queue the export of the list as filtered (``request.GET`` without ``_export``) for ``request.user``."""
    opts = model_admin.model._meta
    job = ExportJob.objects.create(
        model=opts.label_lower,
        admin_site=model_admin.admin_site.name,
        path=request.path[:200],
        query=request.GET.urlencode(),
        format=fmt,
        language=translation.get_language() or "",
        title=str(opts.verbose_name_plural)[:200],
        filename=export_filename(model_admin.model, fmt),
        created_by=request.user,
    )
    enqueue_on_commit("programs.run_export_job", job.pk)
    return job
