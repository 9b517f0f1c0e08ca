"""Scheduled sweeps of the workshops app: reminders of waiting registrations, the expiry of those nobody acted
on, and the close of seasonal positions. Each is set-based and chunked, and has no second effect when it runs
twice, or twice at once: moves go through ``bulk_transition``, notices are keyed."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Notification, User
from programs.services import bulk_transition

from ..models import Position, Registration

SWEEP_CHUNK = 500


def _outbox_bulk(rows: list[Notification]) -> int:
    """Queue many outbox rows at once, idempotently: a key already queued is left as it is."""
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).values_list("dedupe_key", flat=True)
    )
    new = [r for r in rows if r.dedupe_key not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def responsible_grid_workers(residents) -> dict[int, list[User]]:
    """For each resident: their own grid worker if they have one, otherwise the grid workers of the most
    local region above their village (the village's, else the town's, …)."""
    workers = list(
        User.objects.filter(role=User.Role.GRID_WORKER, is_active=True, region__isnull=False).select_related("region")
    )
    answer: dict[int, list[User]] = {}
    for resident in residents:
        if resident.grid_worker_id and resident.grid_worker.is_active:
            answer[resident.pk] = [resident.grid_worker]
            continue
        code = resident.village.code
        covering = [w for w in workers if code.startswith(w.region.prefix)]
        if covering:
            deepest = max(len(w.region.prefix) for w in covering)
            answer[resident.pk] = [w for w in covering if len(w.region.prefix) == deepest]
        else:
            answer[resident.pk] = []
    return answer


def registrations_remind(*, now: datetime | None = None) -> int:
    """Remind the responsible community worker of registrations waiting longer than
    ``WORKSHOPS_REMINDER_DAYS`` in one status. One reminder per registration and waiting period: the dedupe
    key carries the status and the time it was entered, so a second run adds nothing. Returns rows queued."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WORKSHOPS_REMINDER_DAYS)
    waiting = (
        Registration.objects.filter(status__in=Registration.WAITING, status_changed_at__lt=cutoff)
        .select_related("resident__village", "resident__grid_worker", "position__workshop")
        .order_by("pk")
    )
    queued = 0
    start = 0
    while True:
        chunk = list(waiting[start : start + SWEEP_CHUNK])
        if not chunk:
            return queued
        recipients = responsible_grid_workers([r.resident for r in chunk])
        rows = []
        for registration in chunk:
            days = (now - registration.status_changed_at).days
            stamp = int(registration.status_changed_at.timestamp())
            for worker in recipients[registration.resident_id]:
                rows.append(
                    Notification(
                        dedupe_key=f"workshops:registration:{registration.pk}:{registration.status}:{stamp}:"
                        f"remind:{worker.pk}",
                        channel=Notification.Channel.IN_APP,
                        recipient=worker,
                        subject=_("Registration %(reference)s has waited %(days)d days")
                        % {"reference": registration.reference, "days": days},
                        body=_(
                            "%(resident)s registered for “%(position)s” at %(workshop)s; it has been “%(status)s” "
                            "for %(days)d days. Please follow it up."
                        )
                        % {
                            # A claim to verify names the person who registered, not the one on record.
                            "resident": registration.claimed_name or registration.resident.name,
                            "position": registration.position.title,
                            "workshop": registration.position.workshop.name,
                            "status": registration.get_status_display(),
                            "days": days,
                        },
                        due_at=now,
                    )
                )
        queued += _outbox_bulk(rows)
        start += SWEEP_CHUNK


def registrations_expire(*, now: datetime | None = None) -> int:
    """Expire registrations nobody acted on for ``WORKSHOPS_EXPIRY_DAYS``, and tell the resident by SMS in the
    same transaction as each chunk's move. Returns how many expired in this run (0 on a second run)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WORKSHOPS_EXPIRY_DAYS)
    stale = Registration.objects.filter(status__in=Registration.WAITING, status_changed_at__lt=cutoff)
    reason = _("Nobody acted on it for %(days)d days.") % {"days": settings.WORKSHOPS_EXPIRY_DAYS}
    expired = bulk_transition(
        stale,
        to=Registration.Status.EXPIRED,
        reason=reason,
        now=now,
        changes={"status_changed_at": now, "reason": reason},
        action="registration.expire",
        chunk=SWEEP_CHUNK,
        after=lambda ids: _text_expired(ids, now),
    )
    return len(expired)


def _expiry_phone(registration: Registration) -> str:
    """Who registered: the claimant of a claim to verify (the person on record did not register), else the
    resident."""
    return registration.claimed_phone if registration.claimed_name else registration.resident.phone


def _text_expired(ids: list[int], now: datetime) -> None:
    """The expiry SMS of the registrations just moved, one per registration however often it is asked."""
    _outbox_bulk(
        [
            Notification(
                dedupe_key=f"workshops:registration:{registration.pk}:expired",
                channel=Notification.Channel.SMS,
                address=_expiry_phone(registration),
                subject=_("Registration expired"),
                body=_(
                    "Your registration %(reference)s for “%(position)s” has expired. You are welcome to register "
                    "again or ask your community."
                )
                % {"reference": registration.reference, "position": registration.position.title},
                due_at=now,
            )
            for registration in Registration.objects.filter(pk__in=ids).select_related("resident", "position")
            if _expiry_phone(registration)
        ]
    )


def positions_close_seasonal(*, today: date | None = None) -> int:
    """Close open positions whose seasonal hiring window has ended. Returns how many closed in this run."""
    today = today or timezone.localdate()
    ended = Position.objects.filter(status=Position.Status.OPEN, seasonal_end__lt=today)
    closed = bulk_transition(
        ended,
        to=Position.Status.CLOSED,
        reason=_("The seasonal hiring window has ended."),
        now=timezone.now(),
        action="position.close_seasonal",
        chunk=SWEEP_CHUNK,
    )
    return len(closed)
