"""Plan entries (检查计划): a department drafts, submits or withdraws them; the coordinator cuts or reinstates."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Department, Enterprise, User
from programs.roles import COORDINATORS, require_role
from programs.selectors import scope
from programs.services import TransitionError, audit_record, transition

from ..models import PLAN_ENTRY_MOVES, InspectionItem, PlanEntry
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
) -> PlanEntry:
    """A department drafts a plan entry: one enterprise, the items to check, the month."""
    if not (actor.is_superuser or actor.role == User.Role.COORDINATOR or actor.department_id == department.pk):
        raise PermissionDenied(_("You can plan only for your own department."))
    items = list(items)
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
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = PlanEntry.objects.create(
            department=department,
            enterprise=enterprise,
            month=month_start(month),
            mode=mode,
            note=note,
            created_by=actor,
        )
        entry.items.set(items)
        audit_record(obj=entry, field="created", old="", new=entry.status, actor=actor)
    return entry


def plan_entry_submit(*, entry: PlanEntry, actor: User) -> PlanEntry:
    if not (actor.is_superuser or actor.department_id == entry.department_id):
        raise PermissionDenied(_("Only the planning department submits its entries."))
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
