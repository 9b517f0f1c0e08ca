"""An audit row as a person reads it: the field's label, a status's label instead of its code, a time in the
reader's time zone and the locale's format instead of ISO text. The row itself stays as it was written."""

from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .audit import SCHEDULER
from .models import AuditEntry, GridAssignment

# What a row records that is not one of the model's fields: the creation (its value is the first status), an
# edit, an import, a document issued.
EVENTS = {
    "created": pgettext_lazy("audit event", "created"),
    "updated": pgettext_lazy("audit event", "edited"),
    "imported": pgettext_lazy("audit event", "imported"),
    "document": pgettext_lazy("audit event", "document issued"),
    "letter": pgettext_lazy("audit event", "letter issued"),
    "photos": pgettext_lazy("audit event", "photos"),
    "file": pgettext_lazy("audit event", "file"),
    "code_shown": pgettext_lazy("audit event", "inspection code shown"),
    "escalated": pgettext_lazy("audit event", "escalated"),
    "withdrawn": pgettext_lazy("audit event", "withdrawn"),
    "session": pgettext_lazy("audit event", "session held"),
}
# A person assigned to a grid or a micro-grid, or no longer: the row's field is the duty (programs.grids).
EVENTS.update(GridAssignment.Role.choices)
# Who acted when it was not a person (``AuditEntry.actor_label``).
ACTORS = {
    SCHEDULER: _("the scheduler"),
    "signed link": _("the holder of the emailed link"),
}


def _field_named(entry: AuditEntry, name: str) -> models.Field | None:
    model = entry.content_type.model_class()
    if model is None:  # a model removed since the row was written
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field(entry: AuditEntry) -> models.Field | None:
    return _field_named(entry, entry.field)


def field_label(entry: AuditEntry) -> str:
    """“状态” for ``status``, “创建” for a creation; the raw name when the field no longer exists."""
    if entry.field in EVENTS:
        return str(capfirst(EVENTS[entry.field]))
    field = _field(entry)
    return str(capfirst(field.verbose_name)) if field is not None and hasattr(field, "verbose_name") else entry.field


def actor_label(entry: AuditEntry) -> str:
    if entry.actor_id:
        return entry.actor.get_username()
    return str(ACTORS.get(entry.actor_label, entry.actor_label or _("the scheduler")))


def _moment(value: str) -> str | None:
    """A stored ISO date or time in the locale's format, in the reader's time zone; None if it is neither."""
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        return None
    if isinstance(moment, datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "DATETIME_FORMAT")
    if isinstance(day, date):
        return formats.date_format(day, "DATE_FORMAT")
    return None


def value_label(entry: AuditEntry, value: str) -> str:
    """A choice's label (“已排期” for ``scheduled``), a date or time in the locale's format, or the value."""
    if not value:
        return "—"
    field = _field(entry)
    if field is None and entry.field == "created":  # a creation records the first status (or kind)
        return _first_choice_label(entry, value) or value
    if field is not None and getattr(field, "choices", None):
        label = dict(field.flatchoices).get(value)
        if label is not None:
            return str(label)
    if isinstance(field, models.BooleanField) and value in ("True", "False"):
        return str(_("Yes") if value == "True" else _("No"))
    return _moment(value) or value


def _first_choice_label(entry: AuditEntry, value: str) -> str | None:
    model = entry.content_type.model_class()
    for field in model._meta.concrete_fields if model is not None else ():
        label = dict(field.flatchoices).get(value) if field.choices else None
        if label is not None:
            return str(label)
    return None


def change_time(entry: AuditEntry) -> str:
    return formats.date_format(timezone.localtime(entry.created_at), "DATETIME_FORMAT")
