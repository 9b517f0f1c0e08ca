"""Reads of enterprise requests and joint assistance: the lists (through ``programs.selectors.scope``) and their
indicators (requests received, answered on time, satisfaction; joint assistance problems solved)."""

from collections.abc import Callable
from datetime import date

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from programs.models import Region, User
from programs.selectors import in_region, scope

from .models import OPEN_REQUEST_STATUSES, AssistanceCase, AssistanceTask, EnterpriseRequest, RequestRoute

SATISFIED = 4  # a rating of 4 or 5 of 5 is "satisfied"


def _requests_in_scope(rows: QuerySet[EnterpriseRequest], user: User) -> QuerySet[EnterpriseRequest]:
    """The one rule for requests, ``programs.selectors.scope``: an officer sees their department's; staff their
    area's; a grid manager those of their grids' enterprises; an enterprise its own. Owning a request gives no
    view of its own: an owner sees it as an officer of the routed department or staff over its area, and one who
    left that (moved to another department) no longer does."""
    return scope(rows, user, region="enterprise__region", department="department_id", enterprise="enterprise_id")


def request_list(*, user: User) -> QuerySet[EnterpriseRequest]:
    """An officer sees their department's requests; staff their area's; an enterprise its own."""
    rows = EnterpriseRequest.objects.select_related(
        "enterprise__region", "department", "community", "owner", "filed_by"
    )
    return _requests_in_scope(rows, user)


def request_route_list(*, user: User) -> QuerySet[RequestRoute]:
    return scope(
        RequestRoute.objects.select_related("region", "department", "community", "owner"), user, region="region"
    )


def assistance_list(*, user: User) -> QuerySet[AssistanceCase]:
    """Officers see the cases their department leads or takes part in; coordinators their area's; an
    enterprise its own."""
    rows = AssistanceCase.objects.select_related("enterprise__region", "lead_department", "opened_by")
    return _cases_in_scope(rows, user).prefetch_related("departments", "tasks__owner", "tasks__department")


def _cases_in_scope(rows: QuerySet[AssistanceCase], user: User) -> QuerySet[AssistanceCase]:
    """``scope``, then the department path of a case for an officer: the cases their department leads or takes
    part in (a case has several departments, so the path is matched here, once, for the list and its
    indicators alike)."""
    visible = scope(rows, user, region="enterprise__region", enterprise="enterprise_id")
    if user.is_authenticated and user.role == User.Role.OFFICER and not user.is_superuser:
        mine = Q(lead_department=user.department_id) | Q(departments=user.department_id)
        visible = visible.filter(pk__in=AssistanceCase.objects.filter(mine).values("pk"))
    return visible


def assistance_task_list(*, user: User) -> QuerySet[AssistanceTask]:
    return AssistanceTask.objects.filter(case__in=assistance_list(user=user).values("pk")).select_related(
        "case", "department", "owner"
    )


def request_indicators(*, user: User, region: Region | None, start: date, end: date, percent: Callable) -> dict:
    """Requests filed in [start, end], answered in it (on time: by their deadline), escalated and rated in it,
    and the open ones past their deadline now, in one statement. ``percent``: the indicators' way of writing a
    rate."""
    now = timezone.now()

    def within(field: str) -> Q:
        return Q(**{f"{field}__date__gte": start, f"{field}__date__lte": end})

    overdue = Q(status__in=OPEN_REQUEST_STATUSES, due_at__lt=now)
    rows = in_region(
        _requests_in_scope(EnterpriseRequest.objects.all(), user),
        region,
        "enterprise__region",
    ).filter(within("created_at") | within("answered_at") | within("escalated_at") | within("rated_at") | overdue)
    figures = rows.aggregate(
        received=Count("pk", filter=within("created_at")),
        filed_on_behalf=Count("pk", filter=within("created_at") & ~Q(channel=EnterpriseRequest.Channel.ONLINE)),
        answered=Count("pk", filter=within("answered_at")),
        answered_on_time=Count("pk", filter=within("answered_at") & Q(answered_on_time=True)),
        escalated=Count("pk", filter=within("escalated_at")),
        ratings=Count("pk", filter=within("rated_at")),
        satisfied=Count("pk", filter=within("rated_at") & Q(rating__gte=SATISFIED)),
        average=Avg("rating", filter=within("rated_at")),
        overdue_open=Count("pk", filter=overdue),
    )
    average = figures.pop("average")
    return {
        "received": figures["received"],
        "filed_on_behalf": figures["filed_on_behalf"],
        "answered": figures["answered"],
        "answered_on_time": figures["answered_on_time"],
        "on_time_rate": percent(figures["answered_on_time"], figures["answered"]),
        "escalated": figures["escalated"],
        "ratings": figures["ratings"],
        "satisfied": figures["satisfied"],
        "satisfaction_rate": percent(figures["satisfied"], figures["ratings"]),
        "satisfaction_average": None if average is None else round(float(average), 2),
        "overdue_open": figures["overdue_open"],
    }


def assistance_indicators(*, user: User, region: Region | None, start: date, end: date) -> dict:
    """Joint assistance cases opened and solved in [start, end]; open ones and their overdue tasks now: two
    statements."""
    opened = Q(opened_at__date__gte=start, opened_at__date__lte=end)
    solved = Q(status=AssistanceCase.Status.SOLVED, closed_at__date__gte=start, closed_at__date__lte=end)
    is_open = Q(status=AssistanceCase.Status.OPEN)
    rows = in_region(
        _cases_in_scope(AssistanceCase.objects.all(), user),
        region,
        "enterprise__region",
    )
    figures = rows.filter(opened | solved | is_open).aggregate(
        opened=Count("pk", filter=opened), solved=Count("pk", filter=solved), open=Count("pk", filter=is_open)
    )
    figures["tasks_overdue"] = AssistanceTask.objects.filter(
        case__in=rows.filter(is_open).values("pk"),
        status=AssistanceTask.Status.OPEN,
        deadline__lt=timezone.localdate(),
    ).count()
    return figures
