"""Deferral and instalments (延期 / 分期缴纳, 行政处罚法 art. 66) requested by the enterprise and decided by an officer
of the case's department, and the application for compulsory enforcement (申请强制执行) of a fine left unpaid."""

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import User
from programs.notify import notify_enterprise
from programs.payments import payment_orders_cancel
from programs.services import audit_record, transition

from ..models import ARRANGEMENT_MOVES, FINE_MOVES, Fine, FineArrangement, FineInstalment
from .fines import OWNER, fine_reminders_reschedule, require_fine_enterprise, require_fine_officer

MAX_DEFERRAL_DAYS = 180  # a deferral reaches at most six months past the original due date
MIN_INSTALMENTS, MAX_INSTALMENTS = 2, 12
INSTALMENT_INTERVAL_DAYS = 30


def _open_for_arrangement(fine: Fine) -> None:
    if fine.status != Fine.Status.UNPAID:
        raise ValidationError(_("Only an unpaid fine not sent to enforcement can be deferred or split."), code="closed")
    if fine.instalments.exists():
        raise ValidationError(_("This fine is already paid in instalments."), code="already_instalments")
    if fine.due_date < timezone.localdate():
        # New dates would wipe the late fee already accrued (it is computed from the dates): asked for in time only.
        raise ValidationError(
            {"kind": ValidationError(_("The fine is overdue: ask before its due date."), code="overdue")}
        )


def fine_overdue(fine: Fine, today: date) -> bool:
    """Unpaid past its due date, or an instalment unpaid past its own."""
    return fine.due_date < today or fine.instalments.filter(paid_at__isnull=True, due_date__lt=today).exists()


def fine_arrangement_request(
    *,
    fine: Fine,
    actor: User,
    kind: str,
    reason: str,
    defer_until: date | None = None,
    instalments: int | None = None,
) -> FineArrangement:
    """The enterprise asks to defer the fine to ``defer_until`` or to pay it in ``instalments`` parts."""
    require_fine_enterprise(fine, actor)
    errors = {}
    if kind not in FineArrangement.Kind.values:
        errors["kind"] = ValidationError(_("Choose deferral or instalments."), code="invalid")
    if not reason.strip():
        errors["reason"] = ValidationError(_("Say why you ask for it."), code="required")
    if kind == FineArrangement.Kind.DEFERRAL:
        latest = fine.original_due_date + timedelta(days=MAX_DEFERRAL_DAYS)
        if defer_until is None or defer_until <= fine.due_date:
            errors["defer_until"] = ValidationError(_("Choose a day after the due date."), code="not_later")
        elif defer_until > latest:
            errors["defer_until"] = ValidationError(
                _("A deferral reaches at most %(date)s.") % {"date": latest}, code="too_late"
            )
        instalments = None
    if kind == FineArrangement.Kind.INSTALMENTS:
        if instalments is None or not MIN_INSTALMENTS <= instalments <= MAX_INSTALMENTS:
            errors["instalments"] = ValidationError(
                _("Between %(min)s and %(max)s instalments.") % {"min": MIN_INSTALMENTS, "max": MAX_INSTALMENTS},
                code="out_of_range",
            )
        defer_until = None
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            locked = Fine.objects.select_for_update().select_related("case").get(pk=fine.pk)
            _open_for_arrangement(locked)
            arrangement = FineArrangement.objects.create(
                fine=locked,
                kind=kind,
                reason=reason.strip(),
                defer_until=defer_until,
                instalments=instalments,
                requested_by=actor,
            )
            audit_record(obj=arrangement, field="created", old="", new=arrangement.status, actor=actor)
    except IntegrityError:
        raise ValidationError(_("A request for this fine is already waiting for a decision."), code="pending") from None
    return arrangement


def _instalment_plan(fine: Fine, parts: int, today: date) -> list[tuple[Decimal, date]]:
    """Equal parts (the first takes the cents left over), every 30 days from the due date (or today if later)."""
    share = (fine.principal_due / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    first = fine.principal_due - share * (parts - 1)
    start = max(fine.due_date, today)
    return [(first if n == 0 else share, start + timedelta(days=INSTALMENT_INTERVAL_DAYS * n)) for n in range(parts)]


def fine_arrangement_decide(
    *, arrangement: FineArrangement, actor: User, approve: bool, note: str = ""
) -> FineArrangement:
    """An officer of the case's department approves (the due date moves, or the instalments are set, and the
    reminders follow) or rejects (with a note) the request; the enterprise is told."""
    require_fine_officer(arrangement.fine, actor)
    today = timezone.localdate()
    with transaction.atomic():
        fine = Fine.objects.select_for_update().select_related("case__enterprise").get(pk=arrangement.fine_id)
        arrangement = transition(
            instance=arrangement,
            to=FineArrangement.Status.APPROVED if approve else FineArrangement.Status.REJECTED,
            actor=actor,
            allowed=ARRANGEMENT_MOVES,
            reason=note,
            reason_required=not approve,
            changes={"decided_by": actor, "decided_at": timezone.now(), "decision_note": note},
        )
        if approve:
            _open_for_arrangement(fine)
            old_due = fine.due_date
            if arrangement.kind == FineArrangement.Kind.DEFERRAL:
                fine.due_date = arrangement.defer_until
            else:
                plan = _instalment_plan(fine, arrangement.instalments, today)
                FineInstalment.objects.bulk_create(
                    [
                        FineInstalment(fine=fine, number=n, amount=amount, due_date=due)
                        for n, (amount, due) in enumerate(plan, start=1)
                    ]
                )
                fine.due_date = plan[-1][1]
            # The late fee is recomputed from the new dates by the next sweep.
            fine.late_fee_through = None
            fine.save(update_fields=["due_date", "late_fee_through"])
            audit_record(
                obj=fine,
                field="due_date",
                old=str(old_due),
                new=str(fine.due_date),
                actor=actor,
                action=arrangement.kind,
                data={"arrangement": arrangement.pk},
            )
            payment_orders_cancel(owner=OWNER, owner_id=fine.pk, actor=actor, reason=arrangement.kind)
            fine_reminders_reschedule(fine)
        enterprise = fine.case.enterprise
        notify_enterprise(
            enterprise_id=enterprise.pk,
            key=f"inspections:fine-arrangement:{arrangement.pk}:decided",
            subject=(
                _("Your request for case %(number)s is approved")
                if approve
                else _("Your request for case %(number)s is rejected")
            )
            % {"number": fine.case.number},
            body=note or _("The case's page shows the due dates."),
            email=enterprise.contact_email,
        )
    return arrangement


def fine_enforcement_apply(*, fine: Fine, actor: User, reason: str = "") -> Fine:
    """An officer applies for compulsory enforcement (申请强制执行) of a fine unpaid past its due date: from now on
    no waiver applies and the late fee is paid with the fine. Orders awaiting payment are cancelled."""
    require_fine_officer(fine, actor)
    with transaction.atomic():
        locked = Fine.objects.select_for_update().select_related("case__enterprise").get(pk=fine.pk)
        if locked.status == Fine.Status.UNPAID and not fine_overdue(locked, timezone.localdate()):
            raise ValidationError(_("The fine is not overdue yet."), code="not_overdue")
        locked = transition(
            instance=locked,
            to=Fine.Status.ENFORCEMENT,
            actor=actor,
            allowed=FINE_MOVES,
            reason=reason,
            changes={"enforcement_applied_at": timezone.now(), "enforcement_applied_by": actor},
        )
        payment_orders_cancel(owner=OWNER, owner_id=locked.pk, actor=actor, reason="enforcement")
        enterprise = locked.case.enterprise
        notify_enterprise(
            enterprise_id=enterprise.pk,
            key=f"inspections:fine:{locked.pk}:enforcement",
            subject=_("Compulsory enforcement applied for: case %(number)s") % {"number": locked.case.number},
            body=_("The fine and its late fee remain payable in the enterprise area."),
            email=enterprise.contact_email,
        )
    return locked
