"""The dashboard is read from a snapshot computed ahead (portal.snapshots): users who see the same rows share one
computation, a stale board is computed again, and the refresh task keeps the default board of every watched scope
fresh, on a real worker too."""

import os
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import snapshots
from portal.models import DashboardSnapshot
from portal.tasks import refresh_dashboards
from programs.models import User
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.factories import EnterpriseFactory, UserFactory, coordinator, officer, region_tree
from tests.reliability.test_broker_outage import use_broker

pytestmark = pytest.mark.django_db
# A page read from its snapshot: the session, the user, the snapshot, the admin's app list; no figure counted.
READ_AT_MOST = 12


def enterprises_on(page) -> int:
    return page.context["dashboard"]["indicators"]["grades"]["enterprises"]["total"]


def test_coordinators_of_one_region_share_one_computation(client):
    EnterpriseFactory.create_batch(3, region=region_tree()["village"])
    first, second = coordinator(), coordinator()
    client.force_login(first)
    with CaptureQueriesContext(connection) as computed:
        page = client.get("/admin/")
    assert enterprises_on(page) == 3
    client.force_login(second)
    with CaptureQueriesContext(connection) as read:
        again = client.get("/admin/")
    assert again.status_code == 200
    assert len(read) <= READ_AT_MOST < len(computed), [q["sql"][:120] for q in read.captured_queries]
    assert enterprises_on(again) == 3
    assert again.context["dashboard"]["computed_at"] == page.context["dashboard"]["computed_at"]
    assert 'id="dashboard-computed-at"' in again.text and "计算于" in again.text
    assert DashboardSnapshot.objects.count() == 1


def test_officers_of_two_departments_and_a_grid_manager_each_get_their_own(cast, client):
    for user in (cast.market_officer, cast.fire_officer, cast.grid_manager, cast.coordinator):
        client.force_login(user)
        assert client.get("/admin/").status_code == 200
    scopes = set(DashboardSnapshot.objects.values_list("scope", flat=True))
    assert len(scopes) == 4
    # Another officer of the market department shares the market officer's board.
    assert snapshots.scope_key(officer(cast.market)) == snapshots.scope_key(cast.market_officer)


def test_a_board_older_than_fifteen_minutes_is_computed_again_when_opened(client):
    village = region_tree()["village"]
    EnterpriseFactory(region=village)
    user = coordinator()
    client.force_login(user)
    assert enterprises_on(client.get("/admin/")) == 1
    EnterpriseFactory(region=village)
    assert enterprises_on(client.get("/admin/")) == 1  # fresh: read, not counted
    DashboardSnapshot.objects.update(computed_at=timezone.now() - snapshots.FRESH - timedelta(seconds=1))
    assert enterprises_on(client.get("/admin/")) == 2


def test_the_refresh_computes_the_watched_default_boards_and_forgets_the_rest(client):
    village = region_tree()["village"]
    EnterpriseFactory(region=village)
    watcher, chooser, gone = coordinator(), coordinator(), coordinator()
    client.force_login(watcher)
    client.get("/admin/")
    client.force_login(chooser)
    client.get("/admin/", {"start": "2026-01-01", "end": "2026-03-31"})  # a choice of its own: not watched
    other = UserFactory(role=User.Role.COORDINATOR, region=region_tree("330283", "奉化区")["county"])
    client.force_login(other)
    client.get("/admin/")
    DashboardSnapshot.objects.filter(user=other).update(viewed_at=timezone.now() - timedelta(days=8))
    DashboardSnapshot.objects.filter(is_default=False).update(computed_at=timezone.now() - timedelta(hours=1))
    viewed = DashboardSnapshot.objects.get(user=watcher).viewed_at
    EnterpriseFactory(region=village)

    assert refresh_dashboards() == {"refreshed": 1, "forgotten": 2}

    kept = DashboardSnapshot.objects.get()
    assert (kept.user, kept.is_default, kept.viewed_at) == (watcher, True, viewed)  # a refresh is no view
    client.force_login(gone)  # the same scope: reads the refreshed board
    with CaptureQueriesContext(connection) as read:
        page = client.get("/admin/")
    assert enterprises_on(page) == 2
    assert len(read) <= READ_AT_MOST


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refreshes_the_board_the_next_coordinator_reads(client, monkeypatch, tmp_path):
    cast = Cast()
    client.force_login(cast.coordinator)
    before = client.get("/admin/")
    assert enterprises_on(before) == 1
    computed = DashboardSnapshot.objects.get().computed_at
    EnterpriseFactory.create_batch(2, region=cast.village)

    use_broker(monkeypatch, os.environ["CELERY_BROKER_URL"])
    worker = CeleryWorker(queue="dashboards-test", log_path=tmp_path / "worker.log", concurrency=1)
    try:
        refresh_dashboards.apply_async(queue="dashboards-test")
        wait_until(
            lambda: DashboardSnapshot.objects.filter(computed_at__gt=computed).exists(),
            timeout=90,
            message="the worker to compute the dashboard again",
        )
    finally:
        worker.stop()
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")

    client.force_login(coordinator())  # another coordinator of the county reads what the worker computed
    with CaptureQueriesContext(connection) as read:
        page = client.get("/admin/")
    assert enterprises_on(page) == 3
    assert len(read) <= READ_AT_MOST
    assert page.context["dashboard"]["computed_at"] > timezone.localtime(computed)


def test_a_board_the_code_can_no_longer_read_is_computed_again(client):
    EnterpriseFactory(region=region_tree()["village"])
    client.force_login(coordinator())
    client.get("/admin/")
    # A board pickled by code whose classes have moved since: unpickling it fails on the missing class.
    DashboardSnapshot.objects.update(
        board=b"\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x06portal\x94\x8c\x0bGoneFigures\x94\x93\x94."
    )
    page = client.get("/admin/")
    assert page.status_code == 200
    assert enterprises_on(page) == 1
    assert snapshots.pickle.loads(DashboardSnapshot.objects.get().board)["indicators"]
