"""Excel and CSV export of what an admin list shows: the same rows (filters, search, scoping) and the same
columns (``list_display``, so masked fields stay masked), streamed so a large list does not fill memory.
Every cell passes ``neutralise``: text a stranger typed never becomes a live formula."""

import csv
import datetime
import decimal
import io

from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.db import models
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from openpyxl import Workbook

FORMATS = ("xlsx", "csv")
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection"): such text gets a leading quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value that no spreadsheet runs: text starting with a formula trigger is prefixed with ``'``;
    numbers, dates and empty cells are kept as they are, so they stay numbers in Excel."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row):
    return [neutralise(value) for value in row]


def _cell(model_admin, obj, name):
    field, _attr, value = lookup_field(name, obj, model_admin)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        # A real date and time in the reader's clock (Excel keeps no time zone): a date cell, sortable and filterable.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, (datetime.date, int, float, decimal.Decimal)) and not (
        field is not None and getattr(field, "flatchoices", None)
    ):
        return value
    if field is not None and not isinstance(field, models.ForeignKey):
        return strip_tags(str(display_for_field(value, field, "")))
    return strip_tags(str(value))


def export_columns(model_admin, request) -> list[str]:
    """The list's columns; a column that only formats a field for the page (``raw_field``) exports the field."""
    columns = model_admin.get_list_display(request)
    return [getattr(name, "raw_field", name) for name in columns if name != "action_checkbox"]


def export_rows(model_admin, request, queryset):
    columns = export_columns(model_admin, request)
    yield [str(label_for_field(name, model_admin.model, model_admin)) for name in columns]
    for obj in queryset.iterator(chunk_size=2000):
        yield [_cell(model_admin, obj, name) for name in columns]


def export_response(model_admin, request, queryset, fmt: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{model_admin.model._meta.model_name}-{stamp}.{fmt}"
    rows = (neutralise_row(row) for row in export_rows(model_admin, request, queryset))
    if fmt == "csv":
        # A byte-order mark so that Excel opens the Chinese text as UTF-8.
        def stream():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            yield "\ufeff"
            for row in rows:
                writer.writerow(row)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate(0)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(model_admin.model._meta.verbose_name_plural)[:31])
        for row in rows:
            sheet.append(row)
        content = io.BytesIO()
        workbook.save(content)
        response = HttpResponse(
            content.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
