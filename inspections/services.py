"""Writes of the inspections app. Every status change goes through ``programs.services.transition``."""

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Department, Enterprise, Notification, Region, User
from programs.services import TransitionError, audit_record, notification_schedule, transition
from programs.tasks import enqueue_on_commit

from . import grades
from .models import (
    FINDING_DECISION_MOVES,
    FINDING_MOVES,
    INSPECTION_MOVES,
    OBSERVATION_MOVES,
    PLAN_ENTRY_MOVES,
    Coordination,
    Finding,
    FindingPhoto,
    GradeChange,
    GradePolicy,
    Inspection,
    InspectionItem,
    ItemCheck,
    LenientListEntry,
    ObservationPeriod,
    PlanEntry,
    RectificationEvidence,
    Reinspection,
)

# An unambiguous alphabet (no 0/O, 1/I/L): 20 characters of it are 100 random bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20
OBSERVATION_REMINDER_DAYS = (7, 1)


def month_start(value: date) -> date:
    return value.replace(day=1)


def _is_officer_of(actor: User, departments: Iterable[int]) -> bool:
    return actor.is_superuser or (actor.role == User.Role.OFFICER and actor.department_id in set(departments))


def _require_role(actor: User, *roles: str) -> None:
    if not (actor.is_superuser or actor.role in roles):
        raise PermissionDenied(_("Your role does not allow this."))


# --- Plans ----------------------------------------------------------------------------------------------


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
    _require_role(actor, User.Role.COORDINATOR)
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
    _require_role(actor, User.Role.COORDINATOR)
    with transaction.atomic():
        entry = PlanEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != PlanEntry.Status.CUT:
            raise TransitionError(_("Only a cut entry can be reinstated."), code="illegal_transition")
        if not reason.strip():
            raise TransitionError({"reason": _("Give a reason for this change.")}, code="reason_required")
        inspection, _created = _inspection_for([entry], actor=actor)
        return transition(
            instance=entry,
            to=PlanEntry.Status.EXECUTED,
            actor=actor,
            allowed=PLAN_ENTRY_MOVES,
            reason=reason,
            changes={"inspection": inspection, "cut_reason": "", "delegated": False, "decided_at": timezone.now()},
        )


# --- Coordination of a month ----------------------------------------------------------------------------


def _month_entries(*, region: Region, month: date):
    return PlanEntry.objects.filter(
        month=month_start(month),
        status=PlanEntry.Status.SUBMITTED,
        enterprise__region__code__startswith=region.prefix,
    )


def coordination_start(*, region: Region, month: date, actor: User) -> Coordination:
    """Queue the coordination of a month; the task reports progress on the returned row."""
    _require_role(actor, User.Role.COORDINATOR)
    if not actor.is_superuser and not region.code.startswith(actor.region.prefix):
        raise PermissionDenied(_("This region is outside yours."))
    from .tasks import coordinate_month  # the task module imports this one

    coordination = Coordination.objects.create(region=region, month=month_start(month), started_by=actor)
    enqueue_on_commit(coordinate_month, coordination.pk)
    return coordination


STALLED_AFTER = timedelta(minutes=2)


def stalled_coordinations(*, now=None):
    return Coordination.objects.filter(
        status=Coordination.Status.QUEUED, created_at__lt=(now or timezone.now()) - STALLED_AFTER
    )


def month_coordinate(*, region: Region, month: date, actor: User) -> Coordination:
    """Coordinate a month now, in this process (the admin action and small months)."""
    _require_role(actor, User.Role.COORDINATOR)
    coordination = Coordination.objects.create(region=region, month=month_start(month), started_by=actor)
    return coordination_run(coordination_id=coordination.pk)


def coordination_run(*, coordination_id: int) -> Coordination:
    """Coordinate every submitted entry of the month in the region, one enterprise per transaction.

    For each enterprise: if the grade policy leaves it alone, its entries are cut; otherwise a department's
    second entry is a duplicate and cut, and the rest become one inspection (joint when it serves more than
    one department), joining the enterprise's inspection of the month if one is not started yet. Entries whose
    items are all simple are carried out by another department on their behalf. Entries are locked and
    re-checked, so a second run, or two at once, changes nothing.
    """
    # Claimed once (compare-and-set): a redelivered task finds the row running or done and leaves it. A run
    # cut short stays "running"; starting a new coordination of the month picks up what is still submitted.
    claimed = Coordination.objects.filter(pk=coordination_id, status=Coordination.Status.QUEUED).update(
        status=Coordination.Status.RUNNING
    )
    coordination = Coordination.objects.select_related("region", "started_by").get(pk=coordination_id)
    if not claimed:
        return coordination
    actor = coordination.started_by
    enterprise_ids = sorted(
        set(
            _month_entries(region=coordination.region, month=coordination.month).values_list("enterprise_id", flat=True)
        )
    )
    Coordination.objects.filter(pk=coordination_id).update(total=len(enterprise_ids), processed=0)
    left_alone = grades.left_alone_ids(enterprise_ids=enterprise_ids, month=coordination.month)
    try:
        for enterprise_id in enterprise_ids:
            executed, cut, created = _coordinate_enterprise(
                enterprise_id=enterprise_id,
                month=coordination.month,
                leave_alone=enterprise_id in left_alone,
                actor=actor,
            )
            Coordination.objects.filter(pk=coordination_id).update(
                processed=F("processed") + 1,
                executed=F("executed") + executed,
                cut=F("cut") + cut,
                inspections_created=F("inspections_created") + created,
            )
    except Exception as exc:
        Coordination.objects.filter(pk=coordination_id).update(
            status=Coordination.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    Coordination.objects.filter(pk=coordination_id).update(status=Coordination.Status.DONE, finished_at=timezone.now())
    coordination.refresh_from_db()
    return coordination


def _lead_department(entries: list[PlanEntry]) -> Department:
    """The comprehensive enforcement bureau leads when it takes part; otherwise the department with most items."""

    def rank(entry):
        comprehensive = entry.department.kind == Department.Kind.COMPREHENSIVE_ENFORCEMENT
        return (not comprehensive, -len(entry.item_list), entry.department_id)

    return min(entries, key=rank).department


def _inspection_for(entries: list[PlanEntry], *, actor: User | None) -> tuple[Inspection, bool]:
    """The enterprise's not-yet-started inspection of the month, grown by ``entries``, or a new one."""
    first = entries[0]
    for entry in entries:
        entry.item_list = list(entry.items.all())
    inspection = (
        Inspection.objects.select_for_update()
        .filter(
            enterprise_id=first.enterprise_id,
            month=first.month,
            status__in=[Inspection.Status.PLANNED, Inspection.Status.SCHEDULED],
        )
        .order_by("pk")
        .first()
    )
    created = inspection is None
    if created:
        lead = _lead_department([e for e in entries if not e.delegated] or entries)
        inspection = Inspection.objects.create(
            enterprise_id=first.enterprise_id,
            month=first.month,
            lead_department=lead,
            mode=PlanEntry.Mode.ON_SITE
            if any(e.mode == PlanEntry.Mode.ON_SITE for e in entries)
            else PlanEntry.Mode.OFF_SITE,
        )
        audit_record(obj=inspection, field="created", old="", new=inspection.status, actor=actor)
    elif any(e.mode == PlanEntry.Mode.ON_SITE for e in entries) and inspection.mode != PlanEntry.Mode.ON_SITE:
        Inspection.objects.filter(pk=inspection.pk).update(mode=PlanEntry.Mode.ON_SITE)
    inspection.departments.add(*[e.department_id for e in entries if not e.delegated])
    inspection.items.add(*[item.pk for e in entries for item in e.item_list])
    served = set(inspection.departments.values_list("pk", flat=True)) | set(
        PlanEntry.objects.filter(inspection=inspection).values_list("department_id", flat=True)
    )
    served |= {e.department_id for e in entries}
    Inspection.objects.filter(pk=inspection.pk).update(is_joint=len(served) > 1)
    inspection.refresh_from_db()
    return inspection, created


@transaction.atomic
def _coordinate_enterprise(*, enterprise_id: int, month: date, leave_alone: bool, actor: User) -> tuple[int, int, int]:
    entries = list(
        PlanEntry.objects.select_for_update()
        .filter(enterprise_id=enterprise_id, month=month, status=PlanEntry.Status.SUBMITTED)
        .select_related("department")
        .order_by("submitted_at", "pk")
    )
    if not entries:
        return 0, 0, 0
    now = timezone.now()
    cut = 0
    if leave_alone:
        for entry in entries:
            _cut(entry, PlanEntry.CutReason.LEAVE_ALONE, _("Green enterprise not due: left alone."), actor, now)
        return 0, len(entries), 0
    kept: dict[int, PlanEntry] = {}
    for entry in entries:
        if entry.department_id in kept:
            note = _("Duplicate of plan entry #%(id)s.") % {"id": kept[entry.department_id].pk}
            _cut(entry, PlanEntry.CutReason.DUPLICATE, note, actor, now)
            cut += 1
        else:
            kept[entry.department_id] = entry
    kept_entries = list(kept.values())
    for entry in kept_entries:
        entry.item_list = list(entry.items.all())
    # Entries of simple items only are carried out by a department that goes anyway (部门代检查).
    goers = [e for e in kept_entries if not all(item.simple for item in e.item_list)]
    existing = Inspection.objects.filter(
        enterprise_id=enterprise_id, month=month, status__in=[Inspection.Status.PLANNED, Inspection.Status.SCHEDULED]
    ).exists()
    if goers or existing:
        for entry in kept_entries:
            entry.delegated = entry not in goers
    else:
        lead = _lead_department(kept_entries)
        for entry in kept_entries:
            entry.delegated = entry.department_id != lead.pk
    inspection, created = _inspection_for(kept_entries, actor=actor)
    for entry in kept_entries:
        transition(
            instance=entry,
            to=PlanEntry.Status.EXECUTED,
            actor=actor,
            allowed=PLAN_ENTRY_MOVES,
            reason=_("Delegated to %(department)s.") % {"department": inspection.lead_department}
            if entry.delegated
            else "",
            changes={"inspection": inspection, "delegated": entry.delegated, "decided_at": now},
        )
    return len(kept_entries), cut, int(created)


def _cut(entry: PlanEntry, reason: str, note: str, actor: User | None, now: datetime) -> None:
    transition(
        instance=entry,
        to=PlanEntry.Status.CUT,
        actor=actor,
        allowed=PLAN_ENTRY_MOVES,
        reason=note,
        changes={"cut_reason": reason, "cut_note": note, "decided_at": now},
    )


# --- Week execution and the inspection code ---------------------------------------------------------------


def new_inspection_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:CODE_LENGTH]


def format_code(code: str | None) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else ""


def inspection_schedule(
    *,
    inspection: Inspection,
    week_start: date,
    officers: Iterable[User],
    actor: User,
    visit_date: date | None = None,
) -> Inspection:
    """Put an inspection in a week with its officers; it gets its inspection code now."""
    _require_role(actor, User.Role.COORDINATOR, User.Role.OFFICER)
    officers = list(officers)
    departments = set(inspection.departments.values_list("pk", flat=True)) | {inspection.lead_department_id}
    if actor.role == User.Role.OFFICER and actor.department_id not in departments:
        raise PermissionDenied(_("Your department does not take part in this inspection."))
    errors = {}
    if week_start.weekday() != 0:
        errors["week_start"] = _("A week starts on a Monday.")
    elif not (inspection.month - timedelta(days=6) <= week_start <= inspection.month + timedelta(days=31)):
        errors["week_start"] = _("The week must fall in the inspection's month.")
    if visit_date is not None and not week_start <= visit_date <= week_start + timedelta(days=6):
        errors["visit_date"] = _("The visit date must fall in the chosen week.")
    if not officers:
        errors["officers"] = _("Assign at least one officer.")
    elif any(o.role != User.Role.OFFICER or o.department_id not in departments for o in officers):
        errors["officers"] = _("Every officer must belong to a participating department.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = transition(
            instance=inspection,
            to=Inspection.Status.SCHEDULED,
            actor=actor,
            allowed=INSPECTION_MOVES,
            changes={"week_start": week_start, "visit_date": visit_date, "code": new_inspection_code()},
        )
        inspection.officers.set(officers)
    return inspection


def _require_inspection_officer(inspection: Inspection, actor: User) -> None:
    departments = set(inspection.departments.values_list("pk", flat=True)) | {inspection.lead_department_id}
    if not _is_officer_of(actor, departments):
        raise PermissionDenied(_("Only an officer of a participating department can do this."))


def inspection_show_code(*, inspection: Inspection, actor: User) -> Inspection:
    """The officer shows the code on arrival (亮码): recorded once, with time and officer."""
    _require_inspection_officer(inspection, actor)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status not in (Inspection.Status.SCHEDULED, Inspection.Status.IN_PROGRESS):
            raise TransitionError(_("The code is shown only at a scheduled visit."), code="illegal_transition")
        if locked.code_shown_at is None:
            locked.code_shown_at = timezone.now()
            locked.code_shown_by = actor
            locked.save(update_fields=["code_shown_at", "code_shown_by"])
            audit_record(obj=locked, field="code_shown", old="", new=locked.code_shown_at.isoformat(), actor=actor)
    return locked


def inspection_start(*, inspection: Inspection, actor: User, show_code: bool = True) -> Inspection:
    """Arrive and start: the code is shown first (逢检查必亮码)."""
    _require_inspection_officer(inspection, actor)
    with transaction.atomic():
        if show_code:
            inspection_show_code(inspection=inspection, actor=actor)
        return transition(
            instance=inspection,
            to=Inspection.Status.IN_PROGRESS,
            actor=actor,
            allowed=INSPECTION_MOVES,
            changes={"started_at": timezone.now()},
        )


def inspection_complete(*, inspection: Inspection, actor: User, summary: str = "") -> Inspection:
    _require_inspection_officer(inspection, actor)
    with transaction.atomic():
        inspection = transition(
            instance=inspection,
            to=Inspection.Status.COMPLETED,
            actor=actor,
            allowed=INSPECTION_MOVES,
            changes={"completed_at": timezone.now(), "summary": summary},
        )
        grades.grade_recompute(
            enterprise_id=inspection.enterprise_id,
            actor=actor,
            cause=GradeChange.Cause.INSPECTION,
            inspection=inspection,
        )
    return inspection


def inspection_cancel(*, inspection: Inspection, actor: User, reason: str) -> Inspection:
    """Cancel with a reason; its plan entries are cut with that reason, so every entry still ends somewhere."""
    _require_role(actor, User.Role.COORDINATOR, User.Role.OFFICER)
    if actor.role == User.Role.OFFICER:
        _require_inspection_officer(inspection, actor)
    with transaction.atomic():
        inspection = transition(
            instance=inspection,
            to=Inspection.Status.CANCELLED,
            actor=actor,
            allowed=INSPECTION_MOVES,
            reason=reason,
            reason_required=True,
            changes={"cancel_reason": reason},
        )
        now = timezone.now()
        for entry in PlanEntry.objects.filter(inspection=inspection, status=PlanEntry.Status.EXECUTED):
            _cut(entry, PlanEntry.CutReason.INSPECTION_CANCELLED, reason, actor, now)
    return inspection


# --- Checks and findings ------------------------------------------------------------------------------------


def _require_in_progress(inspection: Inspection) -> None:
    if inspection.status != Inspection.Status.IN_PROGRESS:
        raise TransitionError(_("Start the inspection first."), code="not_in_progress")


def item_check_record(
    *, inspection: Inspection, item: InspectionItem, actor: User, compliant: bool = True
) -> ItemCheck:
    """Record an item as checked. Another department's item may be checked only if it is simple, and is then
    recorded as checked on the owner's behalf (部门代检查)."""
    _require_inspection_officer(inspection, actor)
    _require_in_progress(inspection)
    if not inspection.items.filter(pk=item.pk).exists():
        raise ValidationError({"item": _("This item is not part of the inspection.")})
    department = actor.department if actor.department_id else inspection.lead_department
    on_behalf_of = None
    if item.department_id != department.pk:
        if not item.simple:
            raise ValidationError({"item": _("Only simple items may be checked on another department's behalf.")})
        on_behalf_of = item.department
    check, created = ItemCheck.objects.get_or_create(
        inspection=inspection,
        item=item,
        defaults={
            "checked_by_department": department,
            "on_behalf_of": on_behalf_of,
            "officer": actor,
            "compliant": compliant,
        },
    )
    if not created and check.compliant and not compliant:
        ItemCheck.objects.filter(pk=check.pk).update(compliant=False)
        check.compliant = False
    return check


def lenient_proposal(*, enterprise: Enterprise, item: InspectionItem, at: datetime) -> LenientListEntry | None:
    """The lenient list entry that applies: the item is listed and the enterprise has no earlier violation of
    it within the list's look-back window."""
    for entry in LenientListEntry.objects.filter(item=item, is_active=True).order_by("kind"):
        earlier = Finding.objects.filter(
            enterprise=enterprise,
            item=item,
            recorded_at__lt=at,
            recorded_at__gte=at - timedelta(days=entry.lookback_days),
        )
        if not earlier.exists():
            return entry
    return None


def finding_record(
    *,
    inspection: Inspection,
    item: InspectionItem,
    severity: str,
    description: str,
    deadline: date,
    actor: User,
    photos: Iterable[UploadedFile] = (),
) -> Finding:
    """Record a finding; a first violation of a listed item is proposed as no-penalty; the grade follows."""
    errors = {}
    if severity not in Finding.Severity.values:
        errors["severity"] = _("Choose major hazard or general issue.")
    if not description.strip():
        errors["description"] = _("Describe what was found.")
    if deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item_check_record(inspection=inspection, item=item, actor=actor, compliant=False)
        now = timezone.now()
        lenient = lenient_proposal(enterprise=inspection.enterprise, item=item, at=now)
        finding = Finding.objects.create(
            inspection=inspection,
            enterprise_id=inspection.enterprise_id,
            item=item,
            severity=severity,
            description=description,
            deadline=deadline,
            recorded_by=actor,
            recorded_at=now,
            lenient_proposed=lenient is not None,
            lenient_entry=lenient,
        )
        for photo in photos:
            photo_row = FindingPhoto(finding=finding, file=photo)
            photo_row.full_clean()
            photo_row.save()
        audit_record(obj=finding, field="created", old="", new=finding.status, actor=actor)
        grades.grade_recompute(
            enterprise_id=finding.enterprise_id,
            actor=actor,
            cause=GradeChange.Cause.FINDING,
            inspection=inspection,
            finding=finding,
        )
    return finding


def finding_decide(*, finding: Finding, decision: str, actor: User, note: str = "") -> Finding:
    """The officer's penalty decision, recorded either way (following the lenient proposal or not)."""
    _require_inspection_officer(finding.inspection, actor)
    if decision == Finding.Decision.OBSERVATION:
        raise ValidationError({"decision": _("Open an observation period instead.")})
    if finding.lenient_proposed and decision == Finding.Decision.PENALTY and not note.strip():
        raise ValidationError({"note": _("No penalty was proposed; say why the normal procedure applies.")})
    return transition(
        instance=finding,
        to=decision,
        actor=actor,
        allowed=FINDING_DECISION_MOVES,
        field="decision",
        reason=note,
        changes={"decision_note": note, "decided_by": actor, "decided_at": timezone.now()},
    )


def evidence_submit(
    *, finding: Finding, actor: User, note: str, file: UploadedFile | None = None, submission_key: str = ""
) -> RectificationEvidence:
    """The enterprise submits rectification evidence; a re-inspection then verifies it. A repeated submission
    key returns the evidence saved the first time."""
    own = actor.role == User.Role.ENTERPRISE and actor.enterprise_id == finding.enterprise_id
    if not (actor.is_superuser or own):
        raise PermissionDenied(_("Only the inspected enterprise submits rectification evidence."))
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if submission_key:
            earlier = RectificationEvidence.objects.filter(submission_key=submission_key, finding=locked).first()
            if earlier is not None:
                return earlier
        if locked.status == Finding.Status.RECTIFIED:
            raise TransitionError(_("This finding is already closed."), code="illegal_transition")
        evidence = RectificationEvidence(
            finding=locked, note=note, submitted_by=actor, submission_key=submission_key[:64]
        )
        if file is not None:
            evidence.file = file
        evidence.full_clean()
        evidence.save()
        if locked.status == Finding.Status.OPEN:
            transition(instance=locked, to=Finding.Status.EVIDENCE_SUBMITTED, actor=actor, allowed=FINDING_MOVES)
    return evidence


def finding_reinspect(*, finding: Finding, actor: User, rectified: bool, note: str = "") -> Reinspection:
    """A re-inspection (复查): verified → the finding closes and the grade follows; not → it stays open."""
    _require_inspection_officer(finding.inspection, actor)
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status == Finding.Status.RECTIFIED:
            raise TransitionError(_("This finding is already closed."), code="illegal_transition")
        reinspection = Reinspection.objects.create(finding=locked, officer=actor, rectified=rectified, note=note)
        if rectified:
            transition(
                instance=locked,
                to=Finding.Status.RECTIFIED,
                actor=actor,
                allowed=FINDING_MOVES,
                reason=note,
                changes={"rectified_at": reinspection.at},
            )
        elif locked.status == Finding.Status.EVIDENCE_SUBMITTED:
            transition(instance=locked, to=Finding.Status.OPEN, actor=actor, allowed=FINDING_MOVES, reason=note)
        grades.grade_recompute(
            enterprise_id=locked.enterprise_id,
            actor=actor,
            cause=GradeChange.Cause.REINSPECTION,
            inspection=locked.inspection,
            finding=locked,
        )
    return reinspection


# --- Observation periods ---------------------------------------------------------------------------------------


def _observation_key(period: ObservationPeriod) -> str:
    return f"inspections:observation:{period.pk}:"


def observation_open(*, finding: Finding, days: int, actor: User) -> ObservationPeriod:
    """Open a 10–60 day observation period (执法观察期) for a four-new enterprise's finding, with reminders."""
    _require_inspection_officer(finding.inspection, actor)
    if not finding.enterprise.is_four_new:
        raise ValidationError(_("Observation periods are for four-new enterprises."))
    if not 10 <= days <= 60:
        raise ValidationError({"days": _("An observation period lasts 10 to 60 days.")})
    today = timezone.localdate()
    with transaction.atomic():
        transition(
            instance=finding,
            to=Finding.Decision.OBSERVATION,
            actor=actor,
            allowed=FINDING_DECISION_MOVES,
            field="decision",
            changes={"decided_by": actor, "decided_at": timezone.now()},
        )
        period = ObservationPeriod.objects.create(
            finding=finding, starts_on=today, ends_on=today + timedelta(days=days), days=days, opened_by=actor
        )
        Finding.objects.filter(pk=finding.pk).update(deadline=period.ends_on)
        audit_record(obj=period, field="created", old="", new=period.status, actor=actor)
        _observation_reminders(period, finding.enterprise)
    return period


def _observation_reminders(period: ObservationPeriod, enterprise: Enterprise) -> None:
    end = timezone.make_aware(datetime.combine(period.ends_on, time(9)))
    subject = _("Observation period ends on %(date)s") % {"date": period.ends_on}
    body = _(
        "Please finish rectifying “%(finding)s” and submit the evidence before %(date)s; "
        "rectified in time, no penalty is imposed."
    ) % {"finding": period.finding.description[:100], "date": period.ends_on}
    for days in OBSERVATION_REMINDER_DAYS:
        due = max(end - timedelta(days=days), timezone.now())
        key = f"{_observation_key(period)}reminder-{days}d"
        for user in enterprise.users.filter(is_active=True):
            notification_schedule(
                dedupe_key=f"{key}:user-{user.pk}",
                channel=Notification.Channel.IN_APP,
                recipient=user,
                subject=subject,
                body=body,
                due_at=due,
            )
        if enterprise.contact_email:
            notification_schedule(
                dedupe_key=f"{key}:email",
                channel=Notification.Channel.EMAIL,
                address=enterprise.contact_email,
                subject=subject,
                body=body,
                due_at=due,
            )


def observation_periods_expire(*, today: date | None = None) -> dict[str, int]:
    """At expiry: rectified → closed without penalty; not rectified → flagged for a person to decide.
    Each period is claimed under its row lock and re-checked, so a second or concurrent run does nothing."""
    today = today or timezone.localdate()
    result = {"closed_no_penalty": 0, "flagged": 0}
    due = ObservationPeriod.objects.filter(status=ObservationPeriod.Status.OPEN, ends_on__lt=today)
    for period_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            period = ObservationPeriod.objects.select_for_update().select_related("finding").get(pk=period_id)
            if period.status != ObservationPeriod.Status.OPEN:
                continue
            if period.finding.status == Finding.Status.RECTIFIED:
                transition(
                    instance=period,
                    to=ObservationPeriod.Status.CLOSED_NO_PENALTY,
                    actor=None,
                    allowed=OBSERVATION_MOVES,
                    reason=_("Rectified within the observation period."),
                    changes={"closed_at": timezone.now()},
                )
                transition(
                    instance=period.finding,
                    to=Finding.Decision.NO_PENALTY,
                    actor=None,
                    allowed=FINDING_DECISION_MOVES,
                    field="decision",
                    reason=_("Rectified within the observation period."),
                    changes={"decided_at": timezone.now(), "decision_note": _("Rectified within the period.")},
                )
                result["closed_no_penalty"] += 1
            else:
                transition(
                    instance=period,
                    to=ObservationPeriod.Status.FLAGGED,
                    actor=None,
                    allowed=OBSERVATION_MOVES,
                    reason=_("Not rectified by the end of the observation period."),
                )
                notification_schedule(
                    dedupe_key=f"{_observation_key(period)}flagged",
                    channel=Notification.Channel.IN_APP,
                    recipient=period.opened_by,
                    subject=_("Observation period ended without rectification"),
                    body=_("Decide whether the normal procedure applies to finding #%(id)s.")
                    % {"id": period.finding_id},
                )
                result["flagged"] += 1
    return result


def observation_decide(*, period: ObservationPeriod, penalty: bool, actor: User, note: str) -> ObservationPeriod:
    """A person decides a flagged period: back to the normal procedure (penalty) or no penalty after all."""
    _require_inspection_officer(period.finding.inspection, actor)
    with transaction.atomic():
        period = transition(
            instance=period,
            to=ObservationPeriod.Status.DECIDED,
            actor=actor,
            allowed=OBSERVATION_MOVES,
            reason=note,
            reason_required=True,
            changes={"closed_at": timezone.now()},
        )
        transition(
            instance=period.finding,
            to=Finding.Decision.PENALTY if penalty else Finding.Decision.NO_PENALTY,
            actor=actor,
            allowed=FINDING_DECISION_MOVES,
            field="decision",
            reason=note,
            changes={"decision_note": note, "decided_by": actor, "decided_at": timezone.now()},
        )
    return period


# --- Grade policy ---------------------------------------------------------------------------------------------


def grade_policy_update(*, policy: GradePolicy, actor: User, **fields) -> GradePolicy:
    _require_role(actor, User.Role.COORDINATOR)
    allowed = {"frequency_days", "sampling_percent", "escalation_grace_days"}
    with transaction.atomic():
        locked = GradePolicy.objects.select_for_update().get(pk=policy.pk)
        for name, value in fields.items():
            if name not in allowed:
                continue
            old = getattr(locked, name)
            if old != value:
                setattr(locked, name, value)
                audit_record(obj=locked, field=name, old=str(old), new=str(value), actor=actor)
        locked.updated_at = timezone.now()
        locked.full_clean()
        locked.save()
    return locked
