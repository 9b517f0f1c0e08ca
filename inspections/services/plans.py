"""Plan entries (检查计划): a department drafts, submits or withdraws them; the coordinator cuts or reinstates.
An entry of a year plan (年计划) is submitted by publishing its plan (``year_plans.py``)."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Department, Enterprise, User
from programs.notify import notify_user
from programs.roles import COORDINATORS, require_role
from programs.selectors import scope
from programs.services import TransitionError, audit_record, transition

from ..models import PLAN_ENTRY_MOVES, YEAR_PLAN_MOVES, InspectionItem, PlanEntry, YearPlan
from ._common import inspection_for, month_start


def plan_entry_create(
    *,
    department: Department,
    enterprise: Enterprise,
    items: Iterable[InspectionItem],
    month: date,
    actor: User,
    mode: str = PlanEntry.Mode.ON_SITE,
    note: str = "",
    year_plan: YearPlan | None = None,
) -> PlanEntry:
    """A department drafts a plan entry: one enterprise, the items to check, the month; in ``year_plan`` (the
    department's, drafted or returned, of the month's year) when given."""
    if not (actor.is_superuser or actor.role == User.Role.COORDINATOR or actor.department_id == department.pk):
        raise PermissionDenied(_("You can plan only for your own department."))
    items = list(items)
    errors = plan_entry_errors(department=department, enterprise=enterprise, items=items, mode=mode, actor=actor)
    errors.update(year_plan_errors(year_plan=year_plan, department=department, month=month))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if year_plan is not None:
            # Publishing locks the same row: an entry added while the plan is published waits, then is refused,
            # instead of staying a draft in a published plan that nobody can submit or withdraw.
            year_plan = YearPlan.objects.select_for_update().get(pk=year_plan.pk)
            locked_errors = year_plan_errors(year_plan=year_plan, department=department, month=month)
            if locked_errors:
                raise ValidationError(locked_errors)
        entry = PlanEntry.objects.create(
            department=department,
            enterprise=enterprise,
            month=month_start(month),
            mode=mode,
            note=note,
            created_by=actor,
            year_plan=year_plan,
        )
        entry.items.set(items)
        audit_record(
            obj=entry,
            field="created",
            old="",
            new=entry.status,
            actor=actor,
            data={"year_plan": year_plan.pk} if year_plan else None,
        )
    return entry


def year_plan_errors(*, year_plan: YearPlan | None, department: Department, month: date) -> dict:
    """Why an entry cannot join ``year_plan`` (by field), or nothing."""
    if year_plan is None:
        return {}
    if year_plan.department_id != department.pk:
        return {"year_plan": ValidationError(_("This year plan is another department's."), code="other_department")}
    if not year_plan.editable:
        return {
            "year_plan": ValidationError(
                _("Entries are added to a year plan only while it is a draft or returned."), code="year_plan_closed"
            )
        }
    if month.year != year_plan.year:
        return {
            "month": ValidationError(
                _("The month is not in the plan's year %(year)s.") % {"year": year_plan.year}, code="other_year"
            )
        }
    return {}


def plan_entry_errors(
    *, department: Department, enterprise: Enterprise, items: list[InspectionItem], mode: str, actor: User
) -> dict:
    """What is wrong with an entry, by field (empty when nothing is)."""
    errors = {}
    if not items:
        errors["items"] = _("Choose at least one inspection item.")
    elif any(not item.is_active for item in items):
        errors["items"] = _("An inactive item cannot be planned.")
    elif any(item.department_id != department.pk and not item.simple for item in items):
        errors["items"] = _("Another department's item can be planned only if it is a simple item.")
    if mode not in PlanEntry.Mode.values:
        errors["mode"] = _("Choose on-site or off-site.")
    # Nobody plans for a department or an enterprise outside their own region (a coordinator included).
    if not scope(Department.objects.filter(pk=department.pk), actor, region="region").exists():
        errors["department"] = ValidationError(_("This department is outside your region."), code="out_of_scope")
    if not scope(Enterprise.objects.filter(pk=enterprise.pk), actor, region="region").exists():
        errors["enterprise"] = ValidationError(_("This enterprise is outside your region."), code="out_of_scope")
    return errors


def plan_entry_submit(*, entry: PlanEntry, actor: User) -> PlanEntry:
    if not (actor.is_superuser or actor.department_id == entry.department_id):
        raise PermissionDenied(_("Only the planning department submits its entries."))
    if entry.year_plan_id is not None:
        raise TransitionError(
            _("An entry of a year plan is submitted when its year plan is published."), code="in_year_plan"
        )
    return transition(
        instance=entry,
        to=PlanEntry.Status.SUBMITTED,
        actor=actor,
        allowed=PLAN_ENTRY_MOVES,
        changes={"submitted_at": timezone.now()},
    )


def plan_entry_withdraw(*, entry: PlanEntry, actor: User, reason: str = "") -> PlanEntry:
    if not (actor.is_superuser or actor.department_id == entry.department_id):
        raise PermissionDenied(_("Only the planning department withdraws its drafts."))
    if entry.year_plan_id is not None and not entry.year_plan.editable:
        raise TransitionError(
            _("Entries are withdrawn from a year plan only while it is a draft or returned."), code="year_plan_closed"
        )
    return transition(
        instance=entry, to=PlanEntry.Status.WITHDRAWN, actor=actor, allowed=PLAN_ENTRY_MOVES, reason=reason
    )


def plan_entry_cut(*, entry: PlanEntry, actor: User, reason: str) -> PlanEntry:
    """The coordinator cuts a submitted entry by hand, with a reason."""
    require_role(actor, *COORDINATORS)
    if entry.status != PlanEntry.Status.SUBMITTED:
        raise TransitionError(_("Only a submitted entry can be cut by hand."), code="illegal_transition")
    return transition(
        instance=entry,
        to=PlanEntry.Status.CUT,
        actor=actor,
        allowed=PLAN_ENTRY_MOVES,
        reason=reason,
        reason_required=True,
        changes={"cut_reason": PlanEntry.CutReason.COORDINATOR, "cut_note": reason, "decided_at": timezone.now()},
    )


def plan_entry_reinstate(*, entry: PlanEntry, actor: User, reason: str) -> PlanEntry:
    """The coordinator overrides a cut: the entry joins its enterprise's open inspection of the month, or gets one."""
    require_role(actor, *COORDINATORS)
    with transaction.atomic():
        entry = PlanEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != PlanEntry.Status.CUT:
            raise TransitionError(_("Only a cut entry can be reinstated."), code="illegal_transition")
        if not reason.strip():
            raise TransitionError({"reason": _("Give a reason for this change.")}, code="reason_required")
        inspection, _created = inspection_for([entry], actor=actor)
        return transition(
            instance=entry,
            to=PlanEntry.Status.EXECUTED,
            actor=actor,
            allowed=PLAN_ENTRY_MOVES,
            reason=reason,
            changes={"inspection": inspection, "cut_reason": "", "delegated": False, "decided_at": timezone.now()},
        )


# --- Year plans (年计划) ---------------------------------------------------------------------------------------


def _require_department_officer(actor: User, department_id: int, message: str) -> None:
    if not (actor.is_superuser or (actor.role == User.Role.OFFICER and actor.department_id == department_id)):
        raise PermissionDenied(message)


def year_plan_create(*, department: Department, year: int, actor: User) -> YearPlan:
    """A department starts its plan for a year (one per department and year)."""
    _require_department_officer(actor, department.pk, _("A year plan is drafted by an officer of its department."))
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = ValidationError(_("Enter a year such as 2025."), code="invalid")
    elif YearPlan.objects.filter(department=department, year=year).exists():
        errors["year"] = ValidationError(
            _("The department already has a plan for %(year)s.") % {"year": year}, code="exists"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = YearPlan.objects.create(department=department, year=year, created_by=actor)
        audit_record(obj=plan, field="created", old="", new=plan.status, actor=actor)
    return plan


def year_plan_submit(*, plan: YearPlan, actor: User) -> YearPlan:
    """The department submits its drafted (or returned) plan to its head."""
    _require_department_officer(actor, plan.department_id, _("Only the planning department submits its year plan."))
    if not plan.entries.exclude(status=PlanEntry.Status.WITHDRAWN).exists():
        raise ValidationError(_("Add the plan's entries before submitting it."), code="year_plan_empty")
    with transaction.atomic():
        plan = transition(
            instance=plan,
            to=YearPlan.Status.SUBMITTED,
            actor=actor,
            allowed=YEAR_PLAN_MOVES,
            changes={"submitted_by": actor, "submitted_at": timezone.now(), "return_reason": ""},
        )
        head = Department.objects.filter(pk=plan.department_id).values_list("head", flat=True).first()
        head = User.objects.filter(pk=head, is_active=True).first() if head else None
        if head is not None and head.pk != actor.pk:
            notify_user(
                user=head,
                key=f"{_year_plan_key(plan)}:submitted-{plan.submitted_at:%Y%m%dT%H%M%S%f}:head-{head.pk}",
                subject=_("Year plan %(plan)s is waiting for your approval") % {"plan": _plan_label(plan)},
                body=_("%(who)s submitted it. Approve, return or publish it here: %(url)s")
                % {"who": actor.get_full_name() or actor.get_username(), "url": _year_plan_url(plan)},
            )
    return plan


def _year_plan_key(plan: YearPlan) -> str:
    return f"inspections:year-plan:{plan.pk}"


def _year_plan_url(plan: YearPlan) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("admin:inspections_yearplan_change", args=[plan.pk])


def _plan_label(plan: YearPlan) -> str:
    return f"{plan.department.name} {plan.year}"


def _notify_planners(plan: YearPlan, actor: User, *, key: str, subject: str, body: str) -> None:
    """Whoever drafted and whoever submitted the plan (once each; never the actor), in the caller's transaction."""
    for user in User.objects.filter(pk__in=[plan.created_by_id, plan.submitted_by_id], is_active=True).order_by("pk"):
        if user.pk != actor.pk:
            notify_user(user=user, key=f"{key}:user-{user.pk}", subject=subject, body=body)


def _require_head(plan: YearPlan, actor: User) -> None:
    head_id = Department.objects.filter(pk=plan.department_id).values_list("head_id", flat=True).first()
    # The head is an officer of the department now: one moved to another department or role decides nothing.
    still_there = actor.role == User.Role.OFFICER and actor.department_id == plan.department_id
    if head_id is None or head_id != actor.pk or not still_there:
        raise PermissionDenied(_("Only the head of the department decides on its year plan."))


def year_plan_approve(*, plan: YearPlan, actor: User) -> YearPlan:
    """The department head approves a submitted plan; never the person who submitted it."""
    _require_head(plan, actor)
    if plan.submitted_by_id == actor.pk:
        raise PermissionDenied(_("Whoever submitted a year plan cannot approve it."))
    return transition(
        instance=plan,
        to=YearPlan.Status.APPROVED,
        actor=actor,
        allowed=YEAR_PLAN_MOVES,
        changes={"approved_by": actor, "approved_at": timezone.now()},
    )


def year_plan_return(*, plan: YearPlan, actor: User, reason: str) -> YearPlan:
    """The department head sends a submitted (or approved, not yet published) plan back, with the reason."""
    _require_head(plan, actor)
    with transaction.atomic():
        plan = transition(
            instance=plan,
            to=YearPlan.Status.RETURNED,
            actor=actor,
            allowed=YEAR_PLAN_MOVES,
            reason=reason,
            reason_required=True,
            changes={"return_reason": reason, "approved_by": None, "approved_at": None},
        )
        submitted = f"{plan.submitted_at:%Y%m%dT%H%M%S%f}" if plan.submitted_at else "draft"
        _notify_planners(
            plan,
            actor,
            key=f"{_year_plan_key(plan)}:returned-{submitted}",
            subject=_("Year plan %(plan)s was returned") % {"plan": _plan_label(plan)},
            body=_("Reason: %(reason)s. Amend the plan and submit it again here: %(url)s")
            % {"reason": plan.return_reason, "url": _year_plan_url(plan)},
        )
    return plan


def year_plan_publish(*, plan: YearPlan, actor: User) -> YearPlan:
    """The head (or a coordinator of the region) publishes an approved plan: every entry still drafted is
    submitted, at once, to the coordination of its month, each with its audit row."""
    is_coordinator = (
        actor.role == User.Role.COORDINATOR
        and scope(Department.objects.filter(pk=plan.department_id), actor, region="region").exists()
    )
    if not is_coordinator:
        _require_head(plan, actor)
    now = timezone.now()
    with transaction.atomic():
        plan = transition(
            instance=plan,
            to=YearPlan.Status.PUBLISHED,
            actor=actor,
            allowed=YEAR_PLAN_MOVES,
            changes={"published_at": now},
        )
        for entry in plan.entries.filter(status=PlanEntry.Status.DRAFT).order_by("month", "pk"):
            transition(
                instance=entry,
                to=PlanEntry.Status.SUBMITTED,
                actor=actor,
                allowed=PLAN_ENTRY_MOVES,
                changes={"submitted_at": now},
                action="year_plan_published",
                data={"year_plan": plan.pk},
            )
        _notify_planners(
            plan,
            actor,
            key=f"{_year_plan_key(plan)}:published",
            subject=_("Year plan %(plan)s was published") % {"plan": _plan_label(plan)},
            body=_("Its entries are submitted to the coordination of their months: %(url)s")
            % {"url": _year_plan_url(plan)},
        )
    return plan


# --- A department's month in one call ---------------------------------------------------------------------------


def plan_month_submit(
    *,
    department: Department,
    month: date,
    rows: list[dict],
    actor: User,
    year_plan: YearPlan | None = None,
) -> list[tuple[PlanEntry, bool]]:
    """A department's whole month at once: each row (``enterprise``, ``items``, ``mode``, ``note``) becomes an
    entry, submitted (or, with ``year_plan``, drafted in the plan, to be submitted when it is published).

    All or nothing: a bad row refuses the whole call, each error named ``entries[<index>].<field>``. Sent
    again, nothing is made twice: a row whose department, enterprise and month already have an entry (not
    withdrawn) answers with that entry, ``created`` false (a draft of it is submitted now)."""
    _require_department_officer(actor, department.pk, _("Only the planning department submits its entries."))
    month = month_start(month)
    errors = year_plan_errors(year_plan=year_plan, department=department, month=month)
    if not rows:
        errors["entries"] = ValidationError(_("Send at least one entry."), code="required")
    seen: dict[int, int] = {}
    for index, row in enumerate(rows):
        row_errors = plan_entry_errors(
            department=department,
            enterprise=row["enterprise"],
            items=list(row["items"]),
            mode=row.get("mode", PlanEntry.Mode.ON_SITE),
            actor=actor,
        )
        if row["enterprise"].pk in seen and "enterprise" not in row_errors:
            row_errors["enterprise"] = ValidationError(
                _("The same enterprise is already in entries[%(index)s].") % {"index": seen[row["enterprise"].pk]},
                code="duplicate",
            )
        seen.setdefault(row["enterprise"].pk, index)
        errors.update({f"entries[{index}].{field}": error for field, error in row_errors.items()})
    if errors:
        raise ValidationError(errors)
    answered = []
    with transaction.atomic():
        # One month submission of a department at a time: two calls racing (a phone's retry without an
        # Idempotency-Key) would otherwise both find no entry and both create it.
        Department.objects.select_for_update().get(pk=department.pk)
        existing = {
            entry.enterprise_id: entry
            for entry in PlanEntry.objects.select_for_update()
            .filter(department=department, month=month, enterprise_id__in=list(seen))
            .exclude(status=PlanEntry.Status.WITHDRAWN)
            .order_by("-pk")
        }
        for index, row in enumerate(rows):
            entry = existing.get(row["enterprise"].pk)
            if entry is not None:
                if entry.year_plan_id != (year_plan.pk if year_plan else None):
                    raise ValidationError(
                        {
                            f"entries[{index}].enterprise": ValidationError(
                                _("This enterprise already has an entry this month in another plan."),
                                code="exists_in_other_plan",
                            )
                        }
                    )
                if year_plan is None and entry.status == PlanEntry.Status.DRAFT:
                    entry = plan_entry_submit(entry=entry, actor=actor)  # drafted earlier: submitted now
                answered.append((entry, False))
                continue
            entry = plan_entry_create(
                department=department,
                enterprise=row["enterprise"],
                items=row["items"],
                month=month,
                mode=row.get("mode", PlanEntry.Mode.ON_SITE),
                note=row.get("note", ""),
                actor=actor,
                year_plan=year_plan,
            )
            if year_plan is None:
                entry = plan_entry_submit(entry=entry, actor=actor)
            answered.append((entry, True))
    return answered
