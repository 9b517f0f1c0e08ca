"""Writes of the workshops app. The API, the public form, the admin actions and the tasks all call these.

Sensitive fields (ID number, disability, low-income) never reach a log line, an audit value or a message.
"""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import AuditEntry, Notification, Region, User
from programs.services import SCHEDULER, TransitionError, audit_record, notification_schedule, transition
from programs.validators import normalize_id_number

from .models import (
    POSITION_MOVES,
    REGISTRATION_MOVES,
    WORKSHOP_MOVES,
    Activity,
    Category,
    Employment,
    IncomeRecord,
    Position,
    Registration,
    Resident,
    VillageDistance,
    Workshop,
)

logger = logging.getLogger(__name__)
SWEEP_CHUNK = 500


def _require_village(region: Region, field: str = "village") -> None:
    if region.level != Region.Level.VILLAGE:
        raise ValidationError({field: _("Choose a village or community, not a larger region.")})


# --- Workshops and positions ----------------------------------------------------------------------


def workshop_create(*, actor: User | None, **fields) -> Workshop:
    workshop = Workshop(**fields)
    workshop.full_clean()
    _require_village(workshop.village)
    with transaction.atomic():
        workshop.save()
        audit_record(obj=workshop, field="created", old="", new=workshop.status, actor=actor)
    return workshop


def workshop_update(*, workshop: Workshop, actor: User | None, **fields) -> Workshop:
    fields.pop("status", None)  # statuses move only through workshop_set_status
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        _require_village(locked.village)
        locked.save(update_fields=list(fields) or None)
    return locked


def workshop_set_status(*, workshop: Workshop, to: str, actor: User | None, reason: str = "") -> Workshop:
    changes = {"closed_on": timezone.localdate()} if to == Workshop.Status.CLOSED else {"closed_on": None}
    return transition(
        instance=workshop,
        to=to,
        actor=actor,
        allowed=WORKSHOP_MOVES,
        reason=reason,
        reason_required=to in (Workshop.Status.SUSPENDED, Workshop.Status.CLOSED),
        changes=changes,
    )


def position_create(*, actor: User | None, **fields) -> Position:
    position = Position(**fields)
    position.full_clean()
    with transaction.atomic():
        position.save()
        audit_record(obj=position, field="created", old="", new=position.status, actor=actor)
    return position


def position_update(*, position: Position, actor: User | None, **fields) -> Position:
    fields.pop("status", None)
    fields.pop("accepted_count", None)
    with transaction.atomic():
        locked = Position.objects.select_for_update().get(pk=position.pk)
        if "openings" in fields and fields["openings"] < locked.accepted_count:
            raise ValidationError(
                {
                    "openings": _("%(count)d places are already taken; openings cannot be fewer.")
                    % {"count": locked.accepted_count}
                }
            )
        old_openings = locked.openings
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields) or None)
        if locked.openings != old_openings:
            audit_record(obj=locked, field="openings", old=str(old_openings), new=str(locked.openings), actor=actor)
    return locked


def position_close(*, position: Position, actor: User | None, reason: str = "") -> Position:
    return transition(instance=position, to=Position.Status.CLOSED, actor=actor, allowed=POSITION_MOVES, reason=reason)


def position_reopen(*, position: Position, actor: User | None, reason: str = "") -> Position:
    return transition(instance=position, to=Position.Status.OPEN, actor=actor, allowed=POSITION_MOVES, reason=reason)


# --- Residents --------------------------------------------------------------------------------------


def _clean_categories(categories) -> list[str]:
    categories = list(dict.fromkeys(categories or []))
    unknown = [c for c in categories if c not in Category.values]
    if unknown:
        raise ValidationError({"wished_categories": _("Unknown category: %(names)s.") % {"names": ", ".join(unknown)}})
    return categories


def resident_create(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    village: Region,
    phone: str = "",
    has_disability: bool = False,
    is_low_income: bool = False,
    wants_work: bool = True,
    wished_categories: list[str] | None = None,
    surveyed_on: date | None = None,
    user: User | None = None,
) -> Resident:
    """Register a resident. When a grid worker does it, it is their willingness survey: they become the
    resident's responsible grid worker and the survey date is recorded."""
    is_survey = actor is not None and actor.role == User.Role.GRID_WORKER
    resident = Resident(
        name=name.strip(),
        id_number=normalize_id_number(id_number),
        village=village,
        phone=(phone or "").strip(),
        has_disability=has_disability,
        is_low_income=is_low_income,
        wants_work=wants_work,
        wished_categories=_clean_categories(wished_categories),
        surveyed_on=surveyed_on or (timezone.localdate() if is_survey else None),
        grid_worker=actor if is_survey else None,
        user=user,
    )
    resident.full_clean()
    _require_village(resident.village)
    with transaction.atomic():
        resident.save()
        # The audit row says that and by whom, never the personal values.
        audit_record(obj=resident, field="created", old="", new="resident", actor=actor)
    return resident


RESIDENT_EDITABLE = {"name", "phone", "village", "has_disability", "is_low_income", "wants_work", "wished_categories"}


def resident_update(*, resident: Resident, actor: User | None, **fields) -> Resident:
    unknown = set(fields) - RESIDENT_EDITABLE
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(names)s.") % {"names": ", ".join(unknown)})
    if "wished_categories" in fields:
        fields["wished_categories"] = _clean_categories(fields["wished_categories"])
    with transaction.atomic():
        locked = Resident.objects.select_for_update().get(pk=resident.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        _require_village(locked.village)
        locked.save(update_fields=list(fields) or None)
        if fields:
            audit_record(obj=locked, field="updated", old="", new=", ".join(sorted(fields)), actor=actor)
    return locked


def resident_survey(
    *,
    resident: Resident,
    actor: User,
    wants_work: bool,
    wished_categories: list[str],
    surveyed_on: date | None = None,
    **fields,
) -> Resident:
    """A grid worker's willingness survey (就业意愿摸排): wish to work, in what, on which day."""
    with transaction.atomic():
        locked = resident_update(
            resident=resident, actor=actor, wants_work=wants_work, wished_categories=wished_categories, **fields
        )
        locked.surveyed_on = surveyed_on or timezone.localdate()
        update = ["surveyed_on"]
        if actor.role == User.Role.GRID_WORKER:
            locked.grid_worker = actor
            update.append("grid_worker")
        locked.save(update_fields=update)
        audit_record(obj=locked, field="surveyed_on", old="", new=str(locked.surveyed_on), actor=actor)
    return locked


def resident_for_public_registration(
    *, name: str, id_number: str, phone: str, village: Region, has_disability: bool = False
) -> Resident:
    """The resident behind a public form: the one on record for this ID number, or a new one.

    A record made by a grid worker is never overwritten from the public form; the name must match it.
    """
    id_number = normalize_id_number(id_number)
    existing = Resident.objects.filter(id_number=id_number).first()
    if existing is not None:
        if existing.name != name.strip():
            raise ValidationError(
                {"name": _("This name does not match our record for this ID number; please ask your community.")}
            )
        return existing
    try:
        return resident_create(
            actor=None, name=name, id_number=id_number, village=village, phone=phone, has_disability=has_disability
        )
    except (ValidationError, IntegrityError) as exc:
        # Two copies of the same form racing: the other one created the resident first.
        clash = isinstance(exc, IntegrityError) or (hasattr(exc, "error_dict") and "id_number" in exc.error_dict)
        existing = Resident.objects.filter(id_number=id_number).first() if clash else None
        if existing is not None and existing.name == name.strip():
            return existing
        raise


# --- Registrations ----------------------------------------------------------------------------------


def _position_takes_registrations(position: Position, today: date) -> None:
    if position.status != Position.Status.OPEN or position.workshop.status != Workshop.Status.OPEN:
        raise ValidationError({"position": _("This position is not open for registration.")})
    if position.seasonal_end and position.seasonal_end < today:
        raise ValidationError({"position": _("The seasonal hiring window of this position has ended.")})


def registration_submit(
    *,
    resident: Resident,
    position: Position,
    channel: str,
    actor: User | None,
    baseline_monthly_income: Decimal | int = 0,
    note: str = "",
    consent: bool = False,
) -> tuple[Registration, bool]:
    """Register a resident for a position. Returns (registration, created).

    At most one active registration per resident and position (a partial unique constraint): asking again,
    a double submit or a retried request, returns the active one instead of a second.
    """
    if channel == Registration.Channel.SELF and not consent:
        raise ValidationError({"consent": _("Please agree to the use of your personal data to register.")})
    if Decimal(baseline_monthly_income or 0) < 0:
        raise ValidationError({"baseline_monthly_income": _("Income cannot be negative.")})
    existing = Registration.objects.filter(resident=resident, position=position, status__in=Registration.ACTIVE).first()
    if existing is not None:
        return existing, False
    position = Position.objects.select_related("workshop").get(pk=position.pk)  # judge its status as it is now
    _position_takes_registrations(position, timezone.localdate())
    now = timezone.now()
    registration = Registration(
        resident=resident,
        position=position,
        channel=channel,
        baseline_monthly_income=Decimal(baseline_monthly_income or 0),
        note=note,
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
        consent_at=now if consent else None,
        status_changed_at=now,
    )
    registration.full_clean(exclude=["resident", "position"], validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
            audit_record(obj=registration, field="status", old="", new=registration.status, actor=actor)
            _text_resident(
                registration,
                _("Registration received"),
                _("You are registered for “%(position)s” at %(workshop)s, reference %(reference)s. Your community "
                  "will visit you at home before the workshop decides."),
            )  # fmt: skip
    except IntegrityError:
        existing = Registration.objects.filter(
            resident=resident, position=position, status__in=Registration.ACTIVE
        ).first()
        if existing is None:
            raise
        return existing, False
    return registration, True


def _move(registration: Registration, to: str, actor: User | None, *, reason: str = "") -> Registration:
    needs_reason = to in (Registration.Status.REJECTED, Registration.Status.WITHDRAWN)
    changes = {"status_changed_at": timezone.now()}
    if needs_reason:
        changes["reason"] = reason.strip()
    return transition(
        instance=registration,
        to=to,
        actor=actor,
        allowed=REGISTRATION_MOVES,
        reason=reason,
        reason_required=needs_reason,
        changes=changes,
    )


def registration_recommend(*, registration: Registration, actor: User, note: str = "") -> Registration:
    """Community recommendation (社区推荐): the community vouches for the resident."""
    return _move(registration, Registration.Status.RECOMMENDED, actor, reason=note)


def registration_record_home_visit(*, registration: Registration, actor: User, note: str = "") -> Registration:
    """The home visit (入户走访) confirmed that the resident can take up the work."""
    return _move(registration, Registration.Status.HOME_VISIT, actor, reason=note)


def registration_accept(*, registration: Registration, actor: User) -> Registration:
    """Accept, taking one of the position's places.

    The place is taken by a conditional update (``accepted_count < openings``) in the same transaction as
    the status change: of two acceptances at the same moment for the last place, the second one's update
    waits for the first's row lock, re-reads the count, matches nothing and is refused. A check constraint
    on the table backs this up.
    """
    with transaction.atomic():
        accepted = _move(registration, Registration.Status.ACCEPTED, actor, reason="")
        taken = Position.objects.filter(
            pk=accepted.position_id, status=Position.Status.OPEN, accepted_count__lt=F("openings")
        ).update(accepted_count=F("accepted_count") + 1)
        if not taken:
            raise TransitionError(
                _("No place is left in this position: all its openings are taken, or it is closed."),
                code="position_full",
            )
        _text_resident(
            accepted,
            _("Registration accepted"),
            _("Good news: you are accepted for “%(position)s” at %(workshop)s (reference %(reference)s). The workshop "
              "will tell you when to start."),
        )  # fmt: skip
    return accepted


def _text_resident(registration: Registration, subject: str, template: str) -> None:
    """A text to the resident about their registration, through the outbox in the same transaction as the
    change; once per registration and status. Names only the position, never personal data."""
    registration = Registration.objects.select_related("resident", "position__workshop").get(pk=registration.pk)
    if not registration.resident.phone:
        return
    notification_schedule(
        dedupe_key=f"workshops:registration:{registration.pk}:{registration.status}",
        channel=Notification.Channel.SMS,
        address=registration.resident.phone,
        subject=subject,
        body=template
        % {
            "position": registration.position.title,
            "workshop": registration.position.workshop.name,
            "reference": registration.reference,
        },
    )


def _release_place(position_id: int) -> None:
    Position.objects.filter(pk=position_id, accepted_count__gt=0).update(accepted_count=F("accepted_count") - 1)


def registration_reject(*, registration: Registration, actor: User, reason: str) -> Registration:
    with transaction.atomic():
        rejected = _move(registration, Registration.Status.REJECTED, actor, reason=reason)
        _text_resident(
            rejected,
            _("Registration not accepted"),
            _("Your registration %(reference)s for “%(position)s” was not accepted this time. Your community can "
              "suggest other positions near you."),
        )  # fmt: skip
    return rejected


def registration_withdraw(*, registration: Registration, actor: User | None, reason: str) -> Registration:
    """The resident, or staff for them, withdraws; an accepted registration gives its place back."""
    with transaction.atomic():
        before = Registration.objects.select_for_update().get(pk=registration.pk).status
        withdrawn = _move(registration, Registration.Status.WITHDRAWN, actor, reason=reason)
        if before in Registration.HOLDING_A_PLACE:
            _release_place(withdrawn.position_id)
    return withdrawn


def registration_employ(
    *,
    registration: Registration,
    actor: User,
    start_date: date,
    wage: Decimal | None = None,
    wage_unit: str | None = None,
) -> Employment:
    """The accepted resident starts work: the registration becomes employed and the employment is recorded."""
    with transaction.atomic():
        employed = _move(registration, Registration.Status.EMPLOYED, actor)
        position = employed.position
        employment = Employment(
            registration=employed,
            start_date=start_date,
            wage=position.pay_amount if wage is None else wage,
            wage_unit=wage_unit or position.pay_unit,
        )
        employment.full_clean(exclude=["registration"])
        employment.save()
    return employment


def employment_end(*, employment: Employment, actor: User, end_date: date) -> Employment:
    with transaction.atomic():
        locked = Employment.objects.select_for_update().get(pk=employment.pk)
        if locked.end_date is not None:
            raise TransitionError(_("This employment has already ended."), code="already_ended")
        locked.end_date = end_date
        locked.full_clean(exclude=["registration"])
        locked.save(update_fields=["end_date"])
        audit_record(obj=locked, field="end_date", old="", new=str(end_date), actor=actor)
    return locked


def income_record(*, employment: Employment, month: date, income: Decimal, actor: User | None) -> IncomeRecord:
    """Record (or correct) what an employed resident earned in a month; a correction keeps its audit row."""
    month = month.replace(day=1)
    if Decimal(income) < 0:
        raise ValidationError({"income": _("Income cannot be negative.")})
    if month < employment.start_date.replace(day=1) or (employment.end_date and month > employment.end_date):
        raise ValidationError({"month": _("This month lies outside the employment.")})
    with transaction.atomic():
        record, created = IncomeRecord.objects.select_for_update().get_or_create(
            employment=employment, month=month, defaults={"income": income, "recorded_by": actor}
        )
        if not created and record.income != Decimal(income):
            old = record.income
            record.income = income
            record.recorded_by = actor
            record.save(update_fields=["income", "recorded_by"])
            audit_record(obj=record, field="income", old=str(old), new=str(income), actor=actor)
    return record


# --- Activities and travel times --------------------------------------------------------------------


def activity_record(*, actor: User | None, **fields) -> Activity:
    activity = Activity(recorded_by=actor if actor is not None and actor.is_authenticated else None, **fields)
    activity.full_clean()
    with transaction.atomic():
        activity.save()
        audit_record(obj=activity, field="created", old="", new=activity.kind, actor=actor)
    return activity


def activity_cancel(*, activity: Activity, actor: User, reason: str) -> Activity:
    return transition(
        instance=activity,
        to=True,
        actor=actor,
        allowed={False: [True]},
        reason=reason,
        reason_required=True,
        field="is_cancelled",
    )


def village_distance_set(*, from_village: Region, to_village: Region, minutes: int) -> VillageDistance:
    """One row per pair whichever way it is asked: the lower id comes first."""
    a, b = sorted([from_village, to_village], key=lambda r: r.pk)
    row = VillageDistance(from_village=a, to_village=b, minutes=minutes)
    row.full_clean(validate_unique=False, validate_constraints=False)
    if a.pk == b.pk:
        raise ValidationError({"to_village": _("Choose two different villages.")})
    row, _created = VillageDistance.objects.update_or_create(
        from_village=a, to_village=b, defaults={"minutes": minutes}
    )
    return row


# --- Scheduled sweeps -------------------------------------------------------------------------------


def _audit_rows(model, changes: list[tuple[int, str]], new: str, reason: str, at: datetime) -> list[AuditEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return [
        AuditEntry(
            content_type=content_type,
            object_id=pk,
            field="status",
            old_value=old,
            new_value=new,
            actor=None,
            actor_label=SCHEDULER,
            reason=reason,
            created_at=at,
        )
        for pk, old in changes
    ]


def _sweep_status(queryset, *, model, to: str, reason: str, now: datetime, extra: dict | None = None) -> list[int]:
    """Move every row of ``queryset`` to ``to``, set-based and chunked. Each chunk is claimed under row locks
    that a concurrent sweep skips, changed with one compare-and-set ``update()`` and audited with one bulk
    insert, so running the sweep twice (or twice at once) moves and audits each row once."""
    moved: list[int] = []
    while True:
        with transaction.atomic():
            claimed = list(
                queryset.select_for_update(skip_locked=True).order_by("pk").values_list("pk", "status")[:SWEEP_CHUNK]
            )
            if not claimed:
                return moved
            ids = [pk for pk, _status in claimed]
            queryset.filter(pk__in=ids).update(status=to, **(extra or {}))
            AuditEntry.objects.bulk_create(_audit_rows(model, claimed, to, reason, now))
            moved.extend(ids)
        if len(claimed) < SWEEP_CHUNK:
            return moved


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
                            "resident": registration.resident.name,
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
    """Expire registrations nobody acted on for ``WORKSHOPS_EXPIRY_DAYS``, and tell the resident by SMS.
    Returns how many expired in this run (0 on a second run)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WORKSHOPS_EXPIRY_DAYS)
    stale = Registration.objects.filter(status__in=Registration.WAITING, status_changed_at__lt=cutoff)
    reason = _("Nobody acted on it for %(days)d days.") % {"days": settings.WORKSHOPS_EXPIRY_DAYS}
    expired = _sweep_status(
        stale,
        model=Registration,
        to=Registration.Status.EXPIRED,
        reason=reason,
        now=now,
        extra={"status_changed_at": now, "reason": reason},
    )
    for start in range(0, len(expired), SWEEP_CHUNK):
        rows = [
            Notification(
                dedupe_key=f"workshops:registration:{registration.pk}:expired",
                channel=Notification.Channel.SMS,
                address=registration.resident.phone,
                subject=_("Registration expired"),
                body=_(
                    "Your registration %(reference)s for “%(position)s” has expired. You are welcome to register "
                    "again or ask your community."
                )
                % {"reference": registration.reference, "position": registration.position.title},
                due_at=now,
            )
            for registration in Registration.objects.filter(pk__in=expired[start : start + SWEEP_CHUNK])
            .exclude(resident__phone="")
            .select_related("resident", "position")
        ]
        _outbox_bulk(rows)
    return len(expired)


def positions_close_seasonal(*, today: date | None = None) -> int:
    """Close open positions whose seasonal hiring window has ended. Returns how many closed in this run."""
    today = today or timezone.localdate()
    ended = Position.objects.filter(status=Position.Status.OPEN, seasonal_end__lt=today)
    closed = _sweep_status(
        ended,
        model=Position,
        to=Position.Status.CLOSED,
        reason=_("The seasonal hiring window has ended."),
        now=timezone.now(),
    )
    return len(closed)
