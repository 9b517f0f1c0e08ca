"""Reads of grids: each through ``scope`` (a grid manager: their own grids and micro-grids; other staff: their
area's), with the counts the lists show computed in the same statement."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Grid, GridAssignment, MicroGrid, Region, User
from .selectors import enterprise_list, scope

__all__ = ["assignment_list", "enterprises_in", "grid_indicators", "grid_list", "micro_grid_list", "people_of"]


def _current_people() -> Prefetch:
    people = GridAssignment.objects.current().select_related("user").order_by("role", "user__username")
    return Prefetch("assignments", queryset=people, to_attr="people")


def grid_list(*, user: User) -> QuerySet[Grid]:
    grids = Grid.objects.select_related("community__parent").annotate(
        micro_grid_count=Count("micro_grids", distinct=True),
        enterprise_count=Count("micro_grids__enterprises", distinct=True),
        key_enterprise_count=Count(
            "micro_grids__enterprises", filter=Q(micro_grids__enterprises__is_key=True), distinct=True
        ),
    )
    grids = grids.prefetch_related(_current_people())
    return scope(grids, user, region="community", micro_grid="micro_grids").order_by("community__code", "code")


def micro_grid_list(*, user: User) -> QuerySet[MicroGrid]:
    micro_grids = MicroGrid.objects.select_related("grid__community").annotate(
        enterprise_count=Count("enterprises", distinct=True),
        key_enterprise_count=Count("enterprises", filter=Q(enterprises__is_key=True), distinct=True),
    )
    micro_grids = micro_grids.prefetch_related(_current_people())
    return scope(micro_grids, user, region="grid__community", micro_grid="pk").order_by(
        "grid__community__code", "grid__code", "code"
    )


def assignment_list(*, user: User) -> QuerySet[GridAssignment]:
    """Current assignments to the grids and micro-grids the user sees."""
    grids = grid_list(user=user).values("pk")
    micro_grids = micro_grid_list(user=user).values("pk")
    return (
        GridAssignment.objects.current()
        .filter(Q(grid__in=grids) | Q(micro_grid__in=micro_grids))
        .select_related("user", "grid", "micro_grid__grid")
        .order_by("grid_id", "micro_grid_id", "role", "user__username")
    )


def people_of(micro_grid: MicroGrid) -> list[GridAssignment]:
    """The people of a micro-grid: its own and its grid's current assignments."""
    return list(
        GridAssignment.objects.current()
        .filter(Q(micro_grid=micro_grid) | Q(grid=micro_grid.grid_id))
        .select_related("user")
        .order_by("role", "user__username")
    )


def enterprises_in(*, user: User, grid: Grid | None = None, micro_grid: MicroGrid | None = None):
    """The enterprises of a grid or a micro-grid that the user sees, key enterprises first."""
    enterprises = enterprise_list(user=user).select_related("micro_grid__grid")
    if micro_grid is not None:
        enterprises = enterprises.filter(micro_grid=micro_grid)
    if grid is not None:
        enterprises = enterprises.filter(micro_grid__grid=grid)
    return enterprises.order_by("-is_key", "name", "id")


def grid_indicators(*, user: User, region: Region | None = None, start=None, end=None) -> dict:
    """The grids' figures as they stand today (the period does not change them), for the caller's scope and a
    region inside it: grids, micro-grids, the enterprises and the key enterprises in a micro-grid, and the key
    enterprises of each grid (118 工业社区: 164 key enterprises in 5 grids and 77 micro-grids)."""
    enterprises = enterprise_list(user=user).order_by()
    grids = grid_list(user=user).order_by()
    micro_grids = micro_grid_list(user=user).order_by()
    if region is not None:
        enterprises = enterprises.filter(region__code__startswith=region.prefix)
        grids = grids.filter(community__code__startswith=region.prefix)
        micro_grids = micro_grids.filter(grid__community__code__startswith=region.prefix)
    in_grid = Q(micro_grid__isnull=False)
    counts = enterprises.aggregate(
        enterprises_assigned=Count("pk", filter=in_grid),
        key_enterprises=Count("pk", filter=Q(is_key=True)),
        key_enterprises_assigned=Count("pk", filter=in_grid & Q(is_key=True)),
    )
    by_grid = [
        {
            "grid": g.pk,
            "name": g.name,
            "community": g.community.name,
            "key_enterprises": g.key_enterprise_count,
            "enterprises": g.enterprise_count,
        }
        for g in grids.prefetch_related(None)
    ]
    return {
        "region": region.code if region else None,
        "grids": len(by_grid),
        "micro_grids": micro_grids.prefetch_related(None).count(),
        **counts,
        "by_grid": by_grid,
    }
