"""Registrations (报名): submitted by a resident or for them, recommended by the community, confirmed by a home
visit, accepted or rejected by the organiser or host enterprise, withdrawn, and employed. Each move texts the
resident through the outbox in the same transaction; the last place of a position is taken once."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Notification, Region, User
from programs.services import TransitionError, audit_record, notification_schedule, transition
from programs.validators import normalize_id_number

from ..models import (
    REGISTRATION_MOVES,
    Employment,
    Position,
    Registration,
    Resident,
    Workshop,
    registration_reference,
)
from .residents import resident_for_public_registration, resident_update


def _position_takes_registrations(position: Position, today: date) -> None:
    if position.status != Position.Status.OPEN or position.workshop.status != Workshop.Status.OPEN:
        raise ValidationError({"position": _("This position is not open for registration.")})
    if position.seasonal_end and position.seasonal_end < today:
        raise ValidationError({"position": _("The seasonal hiring window of this position has ended.")})


def _unused_reference(reference: str) -> str:
    """The readable reference, drawn again in the rare case the day already has it."""
    while Registration.objects.filter(reference=reference).exists():
        reference = registration_reference()
    return reference


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
    registration.reference = _unused_reference(registration.reference)
    registration.full_clean(exclude=["resident", "position"], validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
            audit_record(
                obj=registration,
                field="status",
                old="",
                new=registration.status,
                actor=actor,
                action="registration.submit",
            )
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


def public_registration_submit(
    *,
    position: Position,
    name: str,
    id_number: str,
    phone: str,
    village: Region,
    has_disability: bool = False,
    baseline_monthly_income: Decimal | int = 0,
    consent: bool = False,
) -> Registration:
    """A registration from the public form. It answers alike whether or not the ID number is on record: when
    it is held under another name, the registration is made "to verify" for the community (with the name and
    phone given), the record is left as it is, nobody is texted, and the real person can still register."""
    if not consent:
        raise ValidationError({"consent": _("Please agree to the use of your personal data to register.")})
    try:
        resident = resident_for_public_registration(
            name=name, id_number=id_number, phone=phone, village=village, has_disability=has_disability
        )
    except ValidationError as exc:
        # The name differs from the record (or a racing form made the record under another name first).
        fields = getattr(exc, "error_dict", {})
        resident = Resident.objects.filter(id_number=normalize_id_number(id_number)).first()
        if not ("name" in fields or "id_number" in fields) or resident is None or resident.name == name.strip():
            raise
        return _registration_to_verify(
            resident=resident,
            position=position,
            claimed_name=name.strip(),
            claimed_phone=phone,
            baseline_monthly_income=baseline_monthly_income,
        )
    registration, _created = registration_submit(
        resident=resident,
        position=position,
        channel=Registration.Channel.SELF,
        actor=None,
        baseline_monthly_income=baseline_monthly_income,
        consent=consent,
    )
    return registration


def _registration_to_verify(
    *, resident: Resident, position: Position, claimed_name: str, claimed_phone: str, baseline_monthly_income
) -> Registration:
    """One "to verify" registration per resident, position and name given (a double submit finds it)."""
    existing = Registration.objects.filter(
        resident=resident, position=position, status=Registration.Status.TO_VERIFY, claimed_name=claimed_name
    ).first()
    if existing is not None:
        return existing
    position = Position.objects.select_related("workshop").get(pk=position.pk)
    _position_takes_registrations(position, timezone.localdate())
    if Decimal(baseline_monthly_income or 0) < 0:
        raise ValidationError({"baseline_monthly_income": _("Income cannot be negative.")})
    now = timezone.now()
    registration = Registration(
        resident=resident,
        position=position,
        channel=Registration.Channel.SELF,
        status=Registration.Status.TO_VERIFY,
        claimed_name=claimed_name,
        claimed_phone=claimed_phone,
        baseline_monthly_income=Decimal(baseline_monthly_income or 0),
        consent_at=now,
        status_changed_at=now,
    )
    registration.reference = _unused_reference(registration.reference)
    registration.full_clean(exclude=["resident", "position"], validate_constraints=False)
    with transaction.atomic():
        registration.save()
        audit_record(
            obj=registration, field="status", old="", new=registration.status, actor=None, action="registration.submit"
        )
    return registration


def registration_verify(*, registration: Registration, actor: User, note: str = "") -> Registration:
    """The community checked a "to verify" registration and found the claimant is the person this ID number
    belongs to (a wrong claimant is rejected instead): the record takes the name (and phone) given, an active
    registration for the same position made under the old name is withdrawn, and this one goes on as submitted."""
    with transaction.atomic():
        claim = Registration.objects.select_for_update().select_related("resident").get(pk=registration.pk)
        if claim.status != Registration.Status.TO_VERIFY:
            raise TransitionError(_("Only a registration to verify can be verified."), code="illegal_transition")
        squatted = Registration.objects.filter(
            resident=claim.resident, position=claim.position, status__in=Registration.ACTIVE
        ).first()
        if squatted is not None:
            registration_withdraw(
                registration=squatted,
                actor=actor,
                reason=_("Made under another name for this ID number; the community verified the real person."),
            )
        changes = {"name": claim.claimed_name}
        if claim.claimed_phone:
            changes["phone"] = claim.claimed_phone
        resident_update(resident=claim.resident, actor=actor, **changes)
        return _move(claim, Registration.Status.SUBMITTED, actor, reason=note)


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
        action=f"registration.{to}",
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
