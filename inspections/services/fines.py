"""Fines (罚款) of served penalty decisions: opened when a fine decision is served, due ``FINE_DUE_DAYS`` (15) days
later, reminded 3 days and 1 day before, paid through the payment backend (``programs.payments``), deferred or
paid in instalments on approval (``fine_arrangements``), and, unpaid past the due date, charged the statutory late
fee (加处罚款: 3 % of the fine a day, never more than the fine) by a daily sweep, or sent to compulsory enforcement.

The late fee is a function of the dates (``late_fee_as_of``): the sweep writes what it comes to as of today and
through which day, so running it twice, or at once in two workers, changes nothing the second time. The
automatic-fulfilment waiver (自动履行免加罚, ``LateFeeWaiverPolicy``, data) waives what accrued when the enterprise
pays the whole fine of its own accord before enforcement is applied for; the amount and the policy are recorded.
The late fee is collected with the last payment (the whole fine, or the last instalment), when the waiver is
decided."""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import SWEEP_CHUNK, audit_bulk
from programs.models import User
from programs.notify import notify_enterprise
from programs.payment_models import PaymentOrder
from programs.payments import payment_backend, payment_order_create, payment_orders_cancel
from programs.services import audit_record, notifications_cancel, transition

from ..models import (
    FINE_DUE_DAYS,
    FINE_MOVES,
    LATE_FEE_DAILY_RATE,
    Fine,
    FineInstalment,
    LateFeeWaiverPolicy,
    PenaltyCase,
)

OWNER = "inspections.fine"
REMINDER_DAYS = (3, 1)
CENT = Decimal("0.01")


def _key(fine: Fine) -> str:
    return f"inspections:fine:{fine.pk}:"


def is_fine_officer(fine: Fine, actor: User) -> bool:
    return actor.is_superuser or (actor.role == User.Role.OFFICER and actor.department_id == fine.case.department_id)


def require_fine_officer(fine: Fine, actor: User) -> None:
    if not is_fine_officer(fine, actor):
        raise PermissionDenied(_("Only an officer of the case's department can do this."))


def require_fine_enterprise(fine: Fine, actor: User) -> None:
    if not (
        actor.is_superuser or (actor.role == User.Role.ENTERPRISE and actor.enterprise_id == fine.case.enterprise_id)
    ):
        raise PermissionDenied(_("Only the enterprise of the case can do this."))


# --- Opening ----------------------------------------------------------------------------------------------------


def fine_open(case: PenaltyCase) -> Fine:
    """The fine of a served fine decision, due 15 days after service, with its reminders. Called again for the same
    case it returns the fine already open and changes nothing."""
    if case.penalty_kind != PenaltyCase.PenaltyKind.FINE or case.fine_amount <= 0:
        raise ValidationError(_("Only a fine decision opens a fine."), code="not_a_fine")
    if case.decision_served_at is None:
        raise ValidationError(_("The decision has not been served yet."), code="not_served")
    served_on = timezone.localdate(case.decision_served_at)
    due = served_on + timedelta(days=FINE_DUE_DAYS)
    with transaction.atomic():
        PenaltyCase.objects.select_for_update().get(pk=case.pk)  # one fine per case, whoever asks at once
        fine, created = Fine.objects.get_or_create(
            case=case,
            defaults={"amount": case.fine_amount, "served_on": served_on, "original_due_date": due, "due_date": due},
        )
        if created:
            audit_record(obj=fine, field="created", old="", new=fine.status, actor=None, data={"due": str(due)})
            fine.case = case
            _schedule_reminders(fine)
    return fine


def _reminder_at(day: date, days_before: int) -> datetime:
    return timezone.make_aware(datetime.combine(day - timedelta(days=days_before), time(9)))


def _schedule_reminders(fine: Fine) -> None:
    """Reminders 3 days and 1 day before each due date (the fine's, or each instalment's) still ahead."""
    now = timezone.now()
    dues = [(i.due_date, i.amount, f"instalment-{i.number}") for i in fine.instalments.filter(paid_at__isnull=True)]
    dues = dues or [(fine.due_date, fine.principal_due, "fine")]
    enterprise = fine.case.enterprise
    for due, amount, what in dues:
        for days in REMINDER_DAYS:
            at = _reminder_at(due, days)
            if at < now - timedelta(hours=12):
                continue  # that reminder's day has gone
            notify_enterprise(
                enterprise_id=enterprise.pk,
                key=f"{_key(fine)}{what}-due-{due.isoformat()}:reminder-{days}d",
                subject=_("Fine of case %(number)s due on %(date)s") % {"number": fine.case.number, "date": due},
                body=_(
                    "Please pay %(amount)s yuan by %(date)s in the enterprise area (the case's page). Paid late, a "
                    "late fee of 3 %% of the fine a day is added."
                )
                % {"amount": amount, "date": due},
                due_at=max(at, now),
                email=enterprise.contact_email,
                phone=enterprise.contact_phone,
            )


def fine_reminders_reschedule(fine: Fine) -> None:
    notifications_cancel(dedupe_key_prefix=_key(fine))
    _schedule_reminders(fine)


# --- The late fee -----------------------------------------------------------------------------------------------


def _portions(fine: Fine, instalments: list[FineInstalment] | None = None) -> list[tuple[Decimal, date, date | None]]:
    """(amount, due date, day paid) of what the fine is paid in: its instalments, or the whole fine."""
    instalments = list(fine.instalments.all()) if instalments is None else instalments
    if instalments:
        return [(i.amount, i.due_date, i.paid_at and timezone.localdate(i.paid_at)) for i in instalments]
    return [(fine.amount, fine.due_date, fine.paid_at and timezone.localdate(fine.paid_at))]


def late_fee_as_of(fine: Fine, day: date, instalments: list[FineInstalment] | None = None) -> Decimal:
    """3 % of each overdue part a day, from the day after its due date until the day it is paid (or ``day``),
    together never more than the fine."""
    total = Decimal(0)
    for amount, due, paid_on in _portions(fine, instalments):
        until = min(day, paid_on) if paid_on else day
        days_late = max(0, (until - due).days)
        total += amount * LATE_FEE_DAILY_RATE * days_late
    return min(total, fine.amount).quantize(CENT, rounding=ROUND_HALF_UP)


def fine_late_fees_accrue(*, today: date | None = None) -> int:
    """The daily sweep: each fine unpaid past a due date gets its late fee as of today. A fine already computed
    through today is skipped (claimed with SKIP LOCKED, compare-and-set on ``late_fee_through``), so a second
    run, or a concurrent one, changes nothing. One audit row per change. Returns the fines changed."""
    today = today or timezone.localdate()
    now = timezone.now()
    overdue = Q(due_date__lt=today) | Q(instalments__paid_at__isnull=True, instalments__due_date__lt=today)
    due = (
        Fine.objects.filter(status__in=[Fine.Status.UNPAID, Fine.Status.ENFORCEMENT])
        .filter(Q(late_fee_through__isnull=True) | Q(late_fee_through__lt=today))
        .filter(overdue)
        .distinct()
    )
    changed_total = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            ids = list(
                Fine.objects.filter(pk__in=due.filter(pk__gt=last_pk).values("pk"))
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:SWEEP_CHUNK]
            )
            if not ids:
                return changed_total
            last_pk = ids[-1]
            fines = Fine.objects.filter(pk__in=ids).prefetch_related("instalments")
            changes = []
            for fine in fines:
                fee = late_fee_as_of(fine, today)
                updated = Fine.objects.filter(
                    Q(late_fee_through__isnull=True) | Q(late_fee_through__lt=today), pk=fine.pk
                ).update(late_fee=fee, late_fee_through=today)
                if updated and fee != fine.late_fee:
                    changes.append((fine.pk, str(fine.late_fee), str(fee)))
            for new in {fee for _pk, _old, fee in changes}:
                audit_bulk(
                    model=Fine,
                    changes=[(pk, old) for pk, old, fee in changes if fee == new],
                    new=new,
                    field="late_fee",
                    at=now,
                    reason=_("Late fee: 3 per cent of the fine a day, at most the fine."),
                    action="late_fee_accrued",
                    data={"through": today.isoformat()},
                )
            changed_total += len(changes)
        if len(ids) < SWEEP_CHUNK:
            return changed_total


# --- The waiver (免加罚) ------------------------------------------------------------------------------------------


def waiver_policy_for(fine: Fine, *, settles_the_fine: bool, day: date) -> LateFeeWaiverPolicy | None:
    """The first active waiver policy whose conditions a payment made on ``day`` meets, or none."""
    for policy in LateFeeWaiverPolicy.objects.filter(is_active=True).order_by("pk"):
        if policy.before_enforcement and fine.status == Fine.Status.ENFORCEMENT:
            continue
        if policy.full_payment and not settles_the_fine:
            continue
        if policy.max_days_late is not None and (day - fine.due_date).days > policy.max_days_late:
            continue
        if policy.max_fine is not None and fine.amount > policy.max_fine:
            continue
        return policy
    return None


# --- Paying ------------------------------------------------------------------------------------------------------


def fine_payment_due(fine: Fine, *, day: date | None = None) -> dict:
    """What the enterprise pays now: the next instalment (or the whole fine), with the late fee on the last
    payment unless a waiver policy applies; the waiver the payment would bring."""
    day = day or timezone.localdate()
    instalments = list(fine.instalments.all())
    unpaid = [i for i in instalments if i.paid_at is None]
    instalment = unpaid[0] if unpaid else None
    principal = instalment.amount if instalment else fine.principal_due
    settles = principal == fine.principal_due
    accrued = late_fee_as_of(fine, day, instalments)
    policy = waiver_policy_for(fine, settles_the_fine=settles, day=day) if accrued else None
    outstanding_fee = accrued - fine.late_fee_paid
    late_fee = outstanding_fee if settles and policy is None else Decimal(0)
    return {
        "principal": principal,
        "late_fee": late_fee,
        "late_fee_accrued": accrued,
        "waived": outstanding_fee if settles and policy is not None else Decimal(0),
        "policy": policy,
        "instalment": instalment,
        "total": principal + late_fee,
        "settles": settles,
    }


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def fine_pay_start(*, fine: Fine, actor: User, return_path: str = "") -> tuple[PaymentOrder, str]:
    """The enterprise pays: an order for what is due today (``fine_payment_due``), and the cashier to send it
    to. An order of today for the same amount is reused; older ones are cancelled. The order is priced for today
    (the late fee grows by the day): it expires at the end of today, and money paid for it later is not applied
    (``programs.payments``: kept for a refund or to apply); the enterprise starts a new order."""
    require_fine_enterprise(fine, actor)
    today = timezone.localdate()
    with transaction.atomic():
        locked = Fine.objects.select_for_update().select_related("case").get(pk=fine.pk)
        if locked.status == Fine.Status.PAID:
            raise ValidationError(_("This fine is paid."), code="already_paid")
        due = fine_payment_due(locked, day=today)
        breakdown = {
            "principal": str(due["principal"]),
            "late_fee": str(due["late_fee"]),
            "instalment": due["instalment"].pk if due["instalment"] else None,
            "policy": due["policy"].pk if due["policy"] else None,
            "day": today.isoformat(),
        }
        pending = PaymentOrder.objects.filter(owner=OWNER, owner_id=locked.pk, status=PaymentOrder.Status.PENDING)
        reusable = next((o for o in pending if o.breakdown == breakdown and o.amount == due["total"]), None)
        if reusable is None:
            payment_orders_cancel(owner=OWNER, owner_id=locked.pk, actor=actor, reason="superseded")
            what = (
                _("instalment %(n)s of the fine of case %(number)s")
                % {"n": due["instalment"].number, "number": locked.case.number}
                if due["instalment"]
                else _("Fine of case %(number)s") % {"number": locked.case.number}
            )
            reusable = payment_order_create(
                owner=OWNER,
                owner_id=locked.pk,
                enterprise_id=locked.case.enterprise_id,
                subject=what,
                amount=due["total"],
                breakdown=breakdown,
                return_path=return_path,
                department_id=locked.case.department_id,
                expires_at=_end_of(today),
                actor=actor,
            )
    return reusable, payment_backend().cashier_url(reusable)


def fine_payment_record(*, order: PaymentOrder) -> Fine:
    """A paid order of a fine (the payment backend's notification): the instalment or the fine paid; on the last
    payment the late fee is frozen as of the order's day and either collected or waived by the policy recorded
    in the order; the reminders left are cancelled. Returns the fine, paid or still in instalments."""
    parts = order.breakdown
    day = date.fromisoformat(parts["day"])
    paid_at = order.paid_at or timezone.now()
    if timezone.localdate(paid_at) != day:
        # Priced for another day: the late fee paid would not be today's. Refused (kept by the payment services).
        raise ValidationError(_("The order was priced for another day."), code="stale_price")
    with transaction.atomic():
        fine = Fine.objects.select_for_update().select_related("case").get(pk=order.owner_id)
        principal, late_fee = Decimal(parts["principal"]), Decimal(parts["late_fee"])
        if parts.get("instalment"):
            FineInstalment.objects.filter(pk=parts["instalment"], paid_at__isnull=True).update(paid_at=paid_at)
        fine.principal_paid += principal
        fine.late_fee_paid += late_fee
        fields = ["principal_paid", "late_fee_paid"]
        data = {"order": order.reference, "transaction": order.transaction_id, "principal": str(principal)}
        if fine.principal_paid < fine.amount:
            fine.save(update_fields=fields)
            audit_record(obj=fine, field="payment", old="", new=str(principal), actor=None, data=data)
            return fine
        accrued = late_fee_as_of(fine, day)
        fine.late_fee, fine.late_fee_through = max(accrued, fine.late_fee_paid), day
        fields += ["late_fee", "late_fee_through"]
        if parts.get("policy"):
            fine.waiver_policy_id = parts["policy"]
            fine.late_fee_waived = fine.late_fee - fine.late_fee_paid
            fields += ["waiver_policy", "late_fee_waived"]
        fine.save(update_fields=fields)
        fine = transition(
            instance=fine,
            to=Fine.Status.PAID,
            actor=None,
            actor_label=f"payment:{order.reference}",
            allowed=FINE_MOVES,
            changes={"paid_at": paid_at},
            data={**data, "late_fee": str(fine.late_fee_paid), "waived": str(fine.late_fee_waived)},
        )
        notifications_cancel(dedupe_key_prefix=_key(fine))
    return fine
