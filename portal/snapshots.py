"""Dashboards computed ahead of the page, so that the staff's first page does not count a city's records while they
wait (issue 16: the page's time would otherwise grow with the data).

A board depends only on what its viewer may see (``scope_key``: the coordinators of one region see the same
rows, an officer their department's too) and on the choice of period, region and language. The page reads the
snapshot of its choice when it is fresh (``FRESH``), and computes and keeps it otherwise. Every
``REFRESH_EVERY_SECONDS`` the ``portal.refresh_dashboards`` task computes again the default choice of every scope
viewed in the last ``WATCHED_DAYS``, so that the first page of a working day is read, not counted; what nobody
looked at for that long is forgotten. The page says when its figures were computed.
"""

import pickle
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone, translation

from programs.models import Region, User

from . import dashboard
from .models import DashboardSnapshot

# The layout of the pickled board (``dashboard.build``'s dict and its ``Figure``s): raise it when that changes,
# and the snapshots of the old layout are computed again instead of being read.
LAYOUT = 1
FRESH = timedelta(minutes=15)
REFRESH_EVERY_SECONDS = 300
WATCHED_DAYS = 7
# What unpickling a board written by an older layout of the code raises.
UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError)
# A view marks its snapshot as viewed at most once a minute: reading a board is not a write each time.
VIEW_MARK_EVERY = timedelta(minutes=1)


def scope_key(user: User) -> str:
    """Users with the same key see the same rows and the same lists behind the figures (``programs.selectors.scope``
    and ``RoleScopedAdmin``'s roles), so they share boards."""
    if user.is_superuser:
        return "all"
    if user.role == User.Role.GRID_MANAGER:
        return f"user-{user.pk}"  # their own micro-grids
    if user.role == User.Role.OFFICER:
        return f"{user.role}-{user.region_id}-{user.department_id}"
    return f"{user.role}-{user.region_id}"


def choice_key(scope: str, *, region: Region | None, start: date, end: date, year: int | None, language: str) -> str:
    return f"{scope}|{region.pk if region else ''}|{start}|{end}|{year or ''}|{language}"


def board_for(
    user: User, *, region: Region | None, start: date, end: date, year: int | None, language: str, is_default: bool
) -> dict:
    """The board of ``user``'s choice: read from its snapshot when fresh, else computed now and kept."""
    key = choice_key(scope_key(user), region=region, start=start, end=end, year=year, language=language)
    now = timezone.now()
    snapshot = (
        DashboardSnapshot.objects.filter(key=key, layout=LAYOUT, computed_at__gte=now - FRESH)
        .only("pk", "board", "viewed_at", "is_default")
        .first()
    )
    if snapshot is None:
        return compute(user, region=region, start=start, end=end, year=year, language=language, is_default=is_default)
    marks = {"viewed_at": now, "user": user} if snapshot.viewed_at < now - VIEW_MARK_EVERY else {}
    if is_default and not snapshot.is_default:
        marks["is_default"] = True  # the default choice of this scope is now watched
    try:
        board = pickle.loads(snapshot.board)  # noqa: S301 - written by compute() below, never from a request
    except UNREADABLE:
        # A board of classes renamed or moved since (LAYOUT not raised): computed again, not an error page.
        return compute(user, region=region, start=start, end=end, year=year, language=language, is_default=is_default)
    if marks:
        DashboardSnapshot.objects.filter(pk=snapshot.pk).update(**marks)
    return board


def compute(
    user: User,
    *,
    region: Region | None,
    start: date,
    end: date,
    year: int | None,
    language: str,
    is_default: bool,
    viewed_at: datetime | None = None,
) -> dict:
    """Compute the board and keep it as the snapshot of its choice (one row per choice: two computing at once
    leave the later one). ``viewed_at`` is kept as given by the refresh, which is no view."""
    scope = scope_key(user)
    compare = (date(year, 1, 1), date(year, 12, 31)) if year else None
    board = dashboard.build(user=user, region=region, start=start, end=end, compare=compare)
    now = timezone.now()
    board["computed_at"] = timezone.localtime(now)  # the page says how fresh its figures are
    snapshot = DashboardSnapshot(
        key=choice_key(scope, region=region, start=start, end=end, year=year, language=language),
        scope=scope,
        user=user,
        language=language,
        is_default=is_default,
        layout=LAYOUT,
        board=pickle.dumps(board),
        computed_at=now,
        viewed_at=viewed_at or now,
    )
    updated = ["user", "layout", "board", "computed_at"]
    updated += ["is_default"] if is_default else []  # a later custom view of the same choice keeps it watched
    updated += [] if viewed_at else ["viewed_at"]
    DashboardSnapshot.objects.bulk_create(
        [snapshot], update_conflicts=True, unique_fields=["key"], update_fields=updated
    )
    return board


def refresh_watched(*, now: datetime | None = None) -> dict:
    """Compute again the default board of every scope viewed in the last ``WATCHED_DAYS`` (with its last viewer's
    eyes, in its language); forget the snapshots nobody viewed for that long and the stale custom choices."""
    now = now or timezone.now()
    since = now - timedelta(days=WATCHED_DAYS)
    watched = DashboardSnapshot.objects.filter(is_default=True, viewed_at__gte=since).select_related(
        "user__region", "user__department"
    )
    refreshed = 0
    for snapshot in watched.defer("board").order_by("pk"):
        user = snapshot.user
        if not (user.is_active and user.is_staff):
            continue
        with translation.override(snapshot.language):
            start, end = dashboard.default_period()
            year = dashboard.comparison_year(user)
            options = {"region": None, "start": start, "end": end, "year": year, "language": snapshot.language}
            compute(user, is_default=True, viewed_at=snapshot.viewed_at, **options)
        if choice_key(scope_key(user), **options) != snapshot.key:
            snapshot.delete()  # a new day (or year) moved the default period: its new snapshot is watched instead
        refreshed += 1
    forgotten, _by_model = DashboardSnapshot.objects.filter(
        Q(viewed_at__lt=since) | Q(is_default=False, computed_at__lt=now - FRESH)
    ).delete()
    return {"refreshed": refreshed, "forgotten": forgotten}
