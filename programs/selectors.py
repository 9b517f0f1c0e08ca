"""Reads of the shared core, and ``scope``: the one rule every app uses to decide who sees which rows."""

from django.db.models import QuerySet

from .models import Department, Enterprise, Notification, Region, User
from .roles import STAFF

__all__ = [
    "department_list",
    "enterprise_list",
    "notification_inbox",
    "officer_list",
    "region_list",
    "scope",
]


def scope(
    queryset: QuerySet,
    user: User,
    *,
    region: str | None = None,
    department: str | None = None,
    enterprise: str | None = None,
) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see, given the lookup paths from the model to its region,
    owning department and enterprise (e.g. ``region="enterprise__region"``).

    - superusers see everything;
    - staff see their region's subtree; a department officer, where the rows belong to a department,
      only their own department's;
    - an enterprise user sees only rows of its own enterprise (nothing where rows have no enterprise);
    - anyone else sees nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.role == User.Role.ENTERPRISE:
        if enterprise is None or not user.enterprise_id:
            return queryset.none()
        return queryset.filter(**{enterprise: user.enterprise_id})
    if user.role not in STAFF or user.region_id is None:
        return queryset.none()
    if region is not None:
        lookup = f"{region}__code__startswith" if region else "code__startswith"  # "" = the rows are regions
        queryset = queryset.filter(**{lookup: user.region.prefix})
    if department is not None and user.role == User.Role.OFFICER:
        queryset = queryset.filter(**{department: user.department_id})
    return queryset


def region_list() -> QuerySet[Region]:
    """The division tree is public reference data: every signed-in user may read it."""
    return Region.objects.select_related("parent").order_by("code")


def department_list() -> QuerySet[Department]:
    return Department.objects.select_related("region").order_by("region__code", "name")


def enterprise_list(*, user: User) -> QuerySet[Enterprise]:
    return scope(Enterprise.objects.select_related("region"), user, region="region", enterprise="pk")


def officer_list(*, user: User) -> QuerySet[User]:
    """The roster of department officers: a department's own officers see each other, coordinators their
    region's; an officer never sees another department's roster."""
    officers = User.objects.filter(role=User.Role.OFFICER, is_active=True).select_related("department", "region")
    return scope(officers, user, region="region", department="department_id").order_by("department__name", "username")


def notification_inbox(*, user: User) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.IN_APP, status=Notification.Status.SENT
    ).order_by("-sent_at", "-id")
