"""Writes of the shared core. Every status change in every app goes through ``transition``; every other
tracked change writes its audit row through ``audit_record``; every message goes through the outbox."""

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .delivery import deliver
from .models import AuditEntry, Department, Enterprise, Notification, Region, User
from .validators import normalize_credit_code

logger = logging.getLogger(__name__)

SCHEDULER = "scheduler"


class TransitionError(ValidationError):
    """An illegal move: from a status that does not allow it, or missing what it needs (a reason)."""


# --- Audit ------------------------------------------------------------------------------------------


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
) -> AuditEntry:
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        field=field,
        # A value is a status, a grade or a short list of field names; past the column it is cut, not refused.
        old_value=str(old or "")[:255],
        new_value=str(new or "")[:255],
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label="" if actor is not None else (actor_label or SCHEDULER),
        reason=reason,
        created_at=at or timezone.now(),
    )


def audit_history(obj: models.Model):
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
):
    """Move ``instance.<field>`` to ``to``: lock the row, re-check the move against ``allowed`` (current
    status → statuses it may go to), save the field and ``changes``, and write the audit row, atomically.

    Returns the fresh, locked instance. ``actor=None`` means the scheduler did it.
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
        audit_record(obj=locked, old=current, new=to, actor=actor, field=field, reason=reason)
    return locked


def _label(model, field, value):
    choices = dict(model._meta.get_field(field).flatchoices)
    return choices.get(value, value)


# --- Enterprises ------------------------------------------------------------------------------------


def enterprise_create(*, actor: User | None, **fields) -> Enterprise:
    """Create an enterprise after full validation; the credit code is normalised (spaces, case) first."""
    if fields.get("credit_code"):
        fields["credit_code"] = normalize_credit_code(fields["credit_code"])
    else:
        fields["credit_code"] = None
    enterprise = Enterprise(**fields)
    enterprise.full_clean()
    with transaction.atomic():
        enterprise.save()
        audit_record(obj=enterprise, field="created", old="", new=enterprise.name, actor=actor)
    return enterprise


def enterprise_update(*, enterprise: Enterprise, actor: User | None, **fields) -> Enterprise:
    if "credit_code" in fields:
        fields["credit_code"] = normalize_credit_code(fields["credit_code"]) or None
    # The grade follows from findings; it is never set by hand through this path.
    fields.pop("grade", None)
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields) or None)
    return locked


def region_create(*, code: str, name: str, parent: Region | None = None) -> Region:
    region = Region(code=code, name=name, parent=parent, level=Region.level_of_code(code))
    region.full_clean()
    region.save()
    return region


def department_create(*, name: str, kind: str, region: Region) -> Department:
    department = Department(name=name, kind=kind, region=region)
    department.full_clean()
    department.save()
    return department


# --- Notifications: the outbox ----------------------------------------------------------------------


def notification_schedule(
    *,
    dedupe_key: str,
    channel: str,
    subject: str,
    body: str,
    due_at: datetime | None = None,
    recipient: User | None = None,
    address: str = "",
    attachments: list[dict] | None = None,
) -> tuple[Notification, bool]:
    """Put a message in the outbox, once per dedupe key. Returns (row, created).

    Asking again with the same key returns the existing row unchanged, so a retried request or a task run
    twice never queues a second message.
    """
    if channel == Notification.Channel.IN_APP and recipient is None:
        raise ValidationError({"recipient": _("An in-app notification needs a recipient.")})
    if channel in (Notification.Channel.EMAIL, Notification.Channel.SMS) and not address:
        raise ValidationError({"address": _("An email or SMS needs an address.")})
    return Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "address": address,
            "subject": subject[:200],
            "body": body,
            "attachments": attachments or [],
            "due_at": due_at or timezone.now(),
        },
    )


def notification_schedule_for_user(
    *,
    user: User,
    dedupe_key: str,
    subject: str,
    body: str,
    due_at: datetime | None = None,
    attachments: list[dict] | None = None,
) -> None:
    """Tell a person in the app and, when they have an email address, by email too (key ``…:email``)."""
    notification_schedule(
        dedupe_key=dedupe_key,
        channel=Notification.Channel.IN_APP,
        recipient=user,
        subject=subject,
        body=body,
        due_at=due_at,
    )
    if user.email:
        notification_schedule(
            dedupe_key=f"{dedupe_key}:email",
            channel=Notification.Channel.EMAIL,
            address=user.email,
            subject=subject,
            body=body,
            due_at=due_at,
            attachments=attachments,
        )


def notifications_cancel(*, dedupe_key_prefix: str) -> int:
    """Cancel the pending messages whose key starts with the prefix (a moved or cancelled booking's reminders)."""
    return Notification.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix, status=Notification.Status.PENDING
    ).update(status=Notification.Status.CANCELLED)


def notifications_send_due(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Deliver due messages; returns how many were sent. Safe to run any number of times at once.

    Each batch is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked sent in the same transaction
    as the delivery: a concurrent sweep skips the claimed rows, and a worker that dies mid-batch rolls back,
    leaving its rows pending for the next sweep. Backends receive the dedupe key so that a gateway that
    accepted a message just before the worker died can drop the repeat. On SQLite the IMMEDIATE transaction
    serialises sweeps instead.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    sent_total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(status=Notification.Status.PENDING, due_at__lte=now)
                .order_by("due_at", "id")[:batch_size]
            )
            if not batch:
                return sent_total
            for notification in batch:
                _deliver_one(notification)
            sent = [n.pk for n in batch if n.status == Notification.Status.SENT]
            # Delivered rows in one UPDATE (bulk_update's CASE per field was most of a sweep's time); the few
            # failures, each with its own back-off and error, row by row.
            Notification.objects.filter(pk__in=sent).update(
                status=Notification.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
            failed = [n for n in batch if n.status != Notification.Status.SENT]
            Notification.objects.bulk_update(failed, ["status", "attempts", "last_error", "due_at"])
            sent_total += len(sent)
        if len(batch) < batch_size:
            return sent_total


def _deliver_one(notification: Notification) -> None:
    """Deliver one row and record the outcome on the instance; the sweep writes it back."""
    notification.attempts += 1
    try:
        deliver(notification)
    except Exception as exc:  # a backend failure must not stop the batch; the row retries later
        logger.warning(
            "notification %s delivery failed (attempt %s): %s",
            notification.pk,
            notification.attempts,
            type(exc).__name__,
        )
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
        else:
            notification.due_at = timezone.now() + timedelta(minutes=2**notification.attempts)
        return
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""


def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise ValidationError(_("This notification is not yours."))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification
