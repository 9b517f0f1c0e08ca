"""Joint assistance (联合帮扶): a rectification problem that crosses departments is opened (from a finding, an
observation period or an enterprise request) with a lead department and participants; tasks with owners and
deadlines are done by their owners; the lead department closes it with the resolution, which the enterprise
sees in its area."""

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Department, Enterprise, User
from programs.notify import notify_enterprise, notify_user
from programs.selectors import department_list, scope
from programs.services import audit_record, notifications_cancel, transition

from ..models import (
    ASSISTANCE_MOVES,
    ASSISTANCE_TASK_MOVES,
    AssistanceCase,
    AssistanceTask,
    EnterpriseRequest,
    Finding,
    ObservationPeriod,
)

Status = AssistanceCase.Status


def _new_reference() -> str:
    return f"A{timezone.localdate():%y%m%d}-{secrets.token_hex(3).upper()}"


def _key(case: AssistanceCase) -> str:
    return f"inspections:assistance:{case.pk}:"


def _coordinator_over(actor: User, enterprise: Enterprise) -> bool:
    return (
        actor.role == User.Role.COORDINATOR
        and actor.region_id is not None
        and enterprise.region.code.startswith(actor.region.prefix)
    )


def is_lead(actor: User, case: AssistanceCase) -> bool:
    """An officer of the lead department (or a superuser): who closes the case and sets its tasks."""
    return actor.is_superuser or (
        actor.is_active and actor.role == User.Role.OFFICER and actor.department_id == case.lead_department_id
    )


def assistance_open(
    *,
    title: str,
    problem: str,
    lead_department: Department,
    departments: Iterable[Department],
    target_on: date,
    actor: User,
    enterprise: Enterprise | None = None,
    finding: Finding | None = None,
    observation_period: ObservationPeriod | None = None,
    request: EnterpriseRequest | None = None,
) -> AssistanceCase:
    """Open a case from one source (a finding, an observation period, a request) or for an enterprise. The
    lead department's officers or a coordinator over the enterprise open it; at least one other department
    takes part (the problem crosses departments)."""
    sources = [s for s in (finding, observation_period, request) if s is not None]
    if len(sources) > 1:
        raise ValidationError(_("Open a case from one finding, observation period or request."), code="one_source")
    if observation_period is not None:
        finding = observation_period.finding
    source_enterprise = (finding.enterprise if finding else None) or (request.enterprise if request else None)
    if source_enterprise is not None:
        if enterprise is not None and enterprise.pk != source_enterprise.pk:
            raise ValidationError(
                {"enterprise": ValidationError(_("The source belongs to another enterprise."), code="mismatch")}
            )
        enterprise = source_enterprise
    if enterprise is None:
        raise ValidationError({"enterprise": ValidationError(_("Name the enterprise."), code="required")})
    if not (
        actor.is_superuser
        or _coordinator_over(actor, enterprise)
        or (actor.role == User.Role.OFFICER and actor.department_id == lead_department.pk)
    ):
        raise PermissionDenied(_("The lead department's officers or a coordinator open joint assistance."))
    participants = {d.pk: d for d in departments if d.pk != lead_department.pk}
    _require_in_area(actor, lead_department, participants)
    if not participants:
        raise ValidationError(
            {
                "departments": ValidationError(
                    _("Joint assistance needs at least one department besides the lead."), code="needs_participants"
                )
            }
        )
    if not title.strip() or not problem.strip():
        raise ValidationError({"problem": ValidationError(_("Describe the problem to solve."), code="required")})
    if target_on < timezone.localdate():
        raise ValidationError({"target_on": ValidationError(_("The target date has passed."), code="date_passed")})
    with transaction.atomic():
        case = AssistanceCase.objects.create(
            reference=_new_reference(),
            enterprise=enterprise,
            title=title.strip(),
            problem=problem.strip(),
            finding=finding,
            observation_period=observation_period,
            request=request,
            lead_department=lead_department,
            target_on=target_on,
            opened_by=actor,
        )
        case.departments.set(participants.values())
        audit_record(
            obj=case,
            field="created",
            old="",
            new=case.status,
            actor=actor,
            action="assistance.open",
            data={"lead": lead_department.pk, "departments": sorted(participants)},
        )
        for department in (lead_department, *participants.values()):
            if department.head_id and department.head.is_active:
                notify_user(
                    user=department.head,
                    key=f"{_key(case)}opened:{department.pk}",
                    subject=_("Joint assistance %(ref)s: %(title)s") % {"ref": case.reference, "title": case.title},
                    body=_("%(lead)s leads; your department takes part. Target: %(date)s.")
                    % {"lead": lead_department.name, "date": target_on},
                )
        notify_enterprise(
            enterprise_id=enterprise.pk,
            key=f"{_key(case)}opened",
            subject=_("Joint assistance opened: %(title)s") % {"title": case.title},
            body=_("%(lead)s and the departments taking part will help you solve it by %(date)s.")
            % {"lead": lead_department.name, "date": target_on},
        )
    return case


def _require_in_area(actor: User, lead: Department, participants: dict[int, Department]) -> None:
    """The lead and the departments taking part are of the actor's area: their heads are told about the
    enterprise, so never another county's."""
    in_area = set(scope(department_list(), actor, region="region").values_list("pk", flat=True))
    if lead.pk not in in_area:
        raise ValidationError(
            {"lead_department": ValidationError(_("Choose a department of your area."), code="out_of_area")}
        )
    if not in_area.issuperset(participants):
        raise ValidationError(
            {"departments": ValidationError(_("Choose departments of your area."), code="out_of_area")}
        )


def _require_open(case: AssistanceCase) -> None:
    if case.status != Status.OPEN:
        raise ValidationError(_("The case is no longer open."), code="case_closed")


def assistance_task_add(
    *, case: AssistanceCase, department: Department, owner: User, title: str, deadline: date, actor: User
) -> AssistanceTask:
    """The lead department (or a coordinator over the enterprise) gives a task to an officer of a taking-part
    department, who is told and reminded the day before the deadline."""
    if not (is_lead(actor, case) or _coordinator_over(actor, case.enterprise)):
        raise PermissionDenied(_("The lead department sets the tasks."))
    _require_open(case)  # early, for a clear answer; re-checked under the lock below
    taking_part = {case.lead_department_id, *case.departments.values_list("pk", flat=True)}
    if department.pk not in taking_part:
        raise ValidationError(
            {"department": ValidationError(_("The department does not take part."), code="not_taking_part")}
        )
    if not (owner.is_active and owner.role == User.Role.OFFICER and owner.department_id == department.pk):
        raise ValidationError(
            {"owner": ValidationError(_("The owner is an officer of that department."), code="not_an_officer")}
        )
    if not title.strip():
        raise ValidationError({"title": ValidationError(_("Say what is to be done."), code="required")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": ValidationError(_("The deadline has passed."), code="date_passed")})
    with transaction.atomic():
        case = AssistanceCase.objects.select_for_update().select_related("enterprise").get(pk=case.pk)
        _require_open(case)  # a close or cancel that committed meanwhile: no task on a closed case
        task = AssistanceTask.objects.create(
            case=case, department=department, owner=owner, title=title.strip(), deadline=deadline
        )
        audit_record(obj=task, field="created", old="", new=task.status, actor=actor, action="assistance.task_add")
        key = f"{_key(case)}task:{task.pk}:"
        notify_user(
            user=owner,
            key=f"{key}assigned",
            subject=_("Joint assistance task by %(date)s") % {"date": deadline},
            body=_("%(case)s: %(task)s") % {"case": case.title, "task": task.title},
        )
        reminder = timezone.make_aware(datetime.combine(deadline - timedelta(days=1), time(9)))
        notify_user(
            user=owner,
            key=f"{key}reminder",
            subject=_("Reminder: joint assistance task due on %(date)s") % {"date": deadline},
            body=_("%(case)s: %(task)s") % {"case": case.title, "task": task.title},
            due_at=max(reminder, timezone.now()),
        )
    return task


def assistance_task_done(*, task: AssistanceTask, actor: User, note: str = "") -> AssistanceTask:
    """Only the task's owner marks it done, saying what was done."""
    if not (actor.is_superuser or actor.pk == task.owner_id):
        raise PermissionDenied(_("Only the task's owner marks it done."))
    _require_open(task.case)
    with transaction.atomic():
        done = transition(
            instance=task,
            to=AssistanceTask.Status.DONE,
            actor=actor,
            allowed=ASSISTANCE_TASK_MOVES,
            changes={"note": note.strip(), "done_at": timezone.now()},
            action="assistance.task_done",
        )
        notifications_cancel(dedupe_key_prefix=f"{_key(task.case)}task:{task.pk}:reminder")
    return done


def assistance_close(*, case: AssistanceCase, resolution: str, actor: User) -> AssistanceCase:
    """The lead department closes the case as solved, with the resolution, once every task is done."""
    if not is_lead(actor, case):
        raise PermissionDenied(_("Only the lead department closes the case."))
    if not resolution.strip():
        raise ValidationError({"resolution": ValidationError(_("Record how the problem was solved."), code="required")})
    with transaction.atomic():
        AssistanceCase.objects.select_for_update().get(pk=case.pk)  # no task is added while we look
        if case.tasks.filter(status=AssistanceTask.Status.OPEN).exists():
            raise ValidationError(_("Some tasks are not done yet."), code="tasks_open")
        solved = transition(
            instance=case,
            to=Status.SOLVED,
            actor=actor,
            allowed=ASSISTANCE_MOVES,
            changes={"resolution": resolution.strip(), "closed_at": timezone.now(), "closed_by": actor},
            action="assistance.close",
        )
        notify_enterprise(
            enterprise_id=solved.enterprise_id,
            key=f"{_key(solved)}solved",
            subject=_("Joint assistance solved: %(title)s") % {"title": solved.title},
            body=solved.resolution[:500],
        )
    return solved


def assistance_cancel(*, case: AssistanceCase, reason: str, actor: User) -> AssistanceCase:
    """The lead department or a coordinator cancels a case opened by mistake, with the reason."""
    if not (is_lead(actor, case) or _coordinator_over(actor, case.enterprise)):
        raise PermissionDenied(_("Only the lead department or a coordinator cancels the case."))
    with transaction.atomic():
        cancelled = transition(
            instance=case,
            to=Status.CANCELLED,
            actor=actor,
            allowed=ASSISTANCE_MOVES,
            reason=reason,
            reason_required=True,
            changes={"closed_at": timezone.now(), "closed_by": actor},
            action="assistance.cancel",
        )
        notifications_cancel(dedupe_key_prefix=f"{_key(case)}task:")
    return cancelled
