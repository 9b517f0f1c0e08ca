"""Reads of the shared core, and ``scope``: the one rule every app uses to decide who sees which rows."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet

from .models import Department, Enterprise, MicroGrid, Notification, Region, User
from .roles import STAFF

__all__ = [
    "department_list",
    "enterprise_list",
    "in_region",
    "notification_inbox",
    "officer_list",
    "percent",
    "region_list",
    "scope",
    "subtree_lookup",
]


def scope(
    queryset: QuerySet,
    user: User,
    *,
    region: str | None = None,
    department: str | None = None,
    enterprise: str | None = None,
    micro_grid: str | None = None,
) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see, given the lookup paths from the model to its region,
    owning department, enterprise (its id: ``"enterprise_id"``, ``"pk"`` for enterprises) and, for the rows
    of grids, micro-grid (e.g. ``region="enterprise__region"``, or ``region="region_code"`` where the rows store
    their division code).

    - superusers see everything;
    - staff see their region's subtree; a department officer, where the rows belong to a department,
      only their own department's;
    - a grid manager (网格管家), inside their region's subtree too: where the rows have an enterprise, only
      those of the enterprises in their micro-grids (every micro-grid of a grid assigned to them, and those
      assigned directly; an enterprise moved to another micro-grid leaves their view); where the rows
      belong to grids (``micro_grid``), only their own; rows with only a region path: the whole subtree;
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
        queryset = queryset.filter(**{subtree_lookup(region): user.region.prefix})
    if department is not None and user.role == User.Role.OFFICER:
        queryset = queryset.filter(**{department: user.department_id})
    if user.role == User.Role.GRID_MANAGER and (enterprise is not None or micro_grid is not None):
        mine = MicroGrid.objects.managed_by(user).values("pk")
        if enterprise is not None:
            queryset = queryset.filter(**{f"{enterprise}__in": Enterprise.objects.filter(micro_grid__in=mine)})
        else:  # a reverse path (a grid's micro-grids) would repeat rows: match the rows' ids instead
            matching = queryset.model._base_manager.filter(**{f"{micro_grid}__in": mine}).values("pk")
            queryset = queryset.filter(pk__in=matching)
    return queryset


def in_region(queryset: QuerySet, region: Region | None, path: str) -> QuerySet:
    """``queryset`` narrowed to ``region``'s subtree through ``path`` (the lookup to the row's region); every
    indicator's "region" parameter, inside the scope ``scope`` already gave."""
    return queryset if region is None else queryset.filter(**{subtree_lookup(path): region.prefix})


def subtree_lookup(path: str) -> str:
    """The prefix lookup of a region path: ``""`` when the rows are regions; a path ending in ``region_code`` names
    a division code stored on the rows themselves (an index condition, no join); any other path leads to a
    region, whose code is compared."""
    if not path:
        return "code__startswith"
    if path.split("__")[-1].endswith("region_code"):  # region_code, resident_region_code, inspection__region_code
        return f"{path}__startswith"
    return f"{path}__code__startswith"


def percent(part: int, whole: int, places: int = 1) -> float | None:
    """``part / whole`` in percent, rounded half up as the offices publish it; None when there is no whole."""
    if not whole:
        return None
    exponent = Decimal(1).scaleb(-places)
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(exponent, rounding=ROUND_HALF_UP))


def region_list() -> QuerySet[Region]:
    """The division tree is public reference data: every signed-in user may read it."""
    return Region.objects.select_related("parent").order_by("code")


def department_list() -> QuerySet[Department]:
    return Department.objects.select_related("region").order_by("region__code", "name")


def enterprise_list(*, user: User) -> QuerySet[Enterprise]:
    enterprises = Enterprise.objects.select_related("region", "micro_grid__grid")
    return scope(enterprises, user, region="region", enterprise="pk")


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


def prefetched_as(relation: str) -> str:
    """The attribute into which an API list prefetches ``relation`` (``prefetch_as_list``): a plain list, which the
    API's serializers read before the relation's manager (``programs.rest.PrefetchedPrimaryKeyRelatedField``)."""
    return f"prefetched_{relation}"


def prefetch_as_list(relation: str, queryset: QuerySet | None = None) -> Prefetch:
    """``relation`` prefetched into a plain list (``Prefetch(to_attr=...)``) rather than into the relation's cache,
    for an API list that serializes a page and nothing else. A prefetch into the cache makes Django build a related
    manager and clone a queryset per row and relation (and the serializer's ``.all()`` a manager again), a quarter
    of a page's time; a list skips both. Only the API's serializers read those lists: a page or a service calling
    ``row.relation.all()`` on such a row would query again, so every other reader keeps the relation's cache."""
    return Prefetch(relation, queryset=queryset, to_attr=prefetched_as(relation.rsplit("__", 1)[-1]))
