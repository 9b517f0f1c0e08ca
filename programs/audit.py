"""Audit: every status, grade or other tracked change is a row written in the transaction that made it, and
never edited afterwards. ``transition`` moves one object; ``bulk_transition`` is the one way a sweep moves
many."""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry, User

SCHEDULER = "scheduler"
SWEEP_CHUNK = 500


class TransitionError(ValidationError):
    """An illegal move: from a status that does not allow it, or missing what it needs (a reason)."""


def _actor_columns(actor: User | None, actor_label: str = "") -> dict:
    return {
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "actor_label": "" if actor is not None else (actor_label or SCHEDULER),
    }


def audit_record(
    *,
    obj: models.Model,
    old: str,
    new: str,
    actor: User | None,
    field: str = "status",
    reason: str = "",
    actor_label: str = "",
    at: datetime | None = None,
    action: str = "",
    data: Mapping | None = None,
) -> AuditEntry:
    """One audit row. ``old``/``new`` hold a status, a grade or another short value; lists and context (the
    officers assigned, the fields changed, how a link was sent) go whole into ``data``."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        field=field,
        old_value=str(old or ""),
        new_value=str(new or ""),
        action=action,
        data=dict(data or {}),
        reason=reason,
        created_at=at or timezone.now(),
        **_actor_columns(actor, actor_label),
    )


def audit_bulk(
    *,
    model: type[models.Model],
    changes: Iterable[tuple[int, str]],
    new: str,
    field: str = "status",
    actor: User | None = None,
    reason: str = "",
    at: datetime | None = None,
    action: str = "",
    data: Mapping | None = None,
) -> list[AuditEntry]:
    """The audit rows of many objects that moved to the same value, in one insert; ``changes`` is
    ``(pk, old value)`` per object."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    at = at or timezone.now()
    return AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                content_type=content_type,
                object_id=pk,
                field=field,
                old_value=str(old or ""),
                new_value=str(new or ""),
                action=action,
                data=dict(data or {}),
                reason=reason,
                created_at=at,
                **_actor_columns(actor),
            )
            for pk, old in changes
        ],
        batch_size=SWEEP_CHUNK,
    )


def audit_each(
    *,
    model: type[models.Model],
    rows: Iterable[tuple[int, str, str, str]],
    field: str = "status",
    actor: User | None = None,
    at: datetime | None = None,
) -> list[AuditEntry]:
    """The audit rows of many objects that moved, each to its own value with its own reason, in one insert;
    ``rows`` is ``(pk, old value, new value, reason)`` per object (a set-based job such as the coordination)."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    at = at or timezone.now()
    return AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                content_type=content_type,
                object_id=pk,
                field=field,
                old_value=str(old or ""),
                new_value=str(new or ""),
                reason=reason,
                created_at=at,
                **_actor_columns(actor),
            )
            for pk, old, new, reason in rows
        ],
        batch_size=SWEEP_CHUNK * 4,
    )


def audit_history(obj: models.Model) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=obj.pk
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def transition(
    *,
    instance: models.Model,
    to: str,
    actor: User | None,
    allowed: Mapping[str, Iterable[str]],
    reason: str = "",
    reason_required: bool = False,
    field: str = "status",
    changes: Mapping[str, object] | None = None,
    action: str = "",
    data: Mapping | None = None,
    actor_label: str = "",
):
    """Move ``instance.<field>`` to ``to``: lock the row, re-check the move against ``allowed`` (current
    status → statuses it may go to), save the field and ``changes``, and write the audit row, atomically.

    Returns the fresh, locked instance. ``actor=None`` means the scheduler did it, or whoever ``actor_label``
    names (e.g. the holder of a signed link).
    """
    model = type(instance)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        current = getattr(locked, field)
        if to not in allowed.get(current, ()):
            raise TransitionError(
                _("%(object)s cannot go from “%(old)s” to “%(new)s”.")
                % {
                    "object": model._meta.verbose_name,
                    "old": _label(model, field, current),
                    "new": _label(model, field, to),
                },
                code="illegal_transition",
            )
        if reason_required and not reason.strip():
            raise TransitionError({"reason": _("Give a reason for this change.")}, code="reason_required")
        setattr(locked, field, to)
        update_fields = [field]
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
            update_fields.append(name)
        locked.save(update_fields=update_fields)
        audit_record(
            obj=locked,
            old=current,
            new=to,
            actor=actor,
            field=field,
            reason=reason,
            action=action,
            data=data,
            actor_label=actor_label,
        )
    return locked


def bulk_transition(
    queryset: QuerySet,
    *,
    to: str,
    reason: str,
    field: str = "status",
    actor: User | None = None,
    now: datetime | None = None,
    changes: Mapping[str, object] | None = None,
    action: str = "",
    audit_field: str = "",
    chunk: int = SWEEP_CHUNK,
    after: Callable[[list[int]], None] | None = None,
) -> list[int]:
    """Move every row of ``queryset`` to ``to``: the one way a sweep changes many rows.

    Chunk by chunk, in one transaction each: claim the rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (a
    concurrent sweep skips them; on SQLite the IMMEDIATE transaction serialises sweeps instead), move them with
    one compare-and-set ``update()``, write their audit rows in one insert, and call ``after(ids)`` so that the
    notices reporting the change commit with it or not at all. Running it twice, or twice at once, moves and
    audits each row once. Returns the ids moved. ``audit_field`` names the change in the audit rows when it is
    not the column moved (``escalated_at`` set → an ``escalated`` row).
    """
    now = now or timezone.now()
    model = queryset.model
    moved: list[int] = []
    while True:
        with transaction.atomic():
            claimed = list(
                queryset.select_for_update(skip_locked=True).order_by("pk").values_list("pk", field)[:chunk]
            )
            if not claimed:
                return moved
            ids = [pk for pk, _old in claimed]
            # The compare-and-set: a row another writer moved since the claim keeps its new value.
            queryset.filter(pk__in=ids).update(**{field: to}, **(changes or {}))
            audit_bulk(
                model=model,
                changes=claimed,
                new=to,
                field=audit_field or field,
                actor=actor,
                reason=reason,
                at=now,
                action=action,
            )
            if after is not None:
                after(ids)
            moved.extend(ids)
        if len(claimed) < chunk:
            return moved


def _label(model, field, value):
    choices = dict(model._meta.get_field(field).flatchoices)
    return choices.get(value, value)
