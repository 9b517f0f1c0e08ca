"""The happy path of every on-demand task: a real request queues it through a real broker and a real worker
finishes it within seconds, with no stalled-job sweep running (a sweep must never be what makes it work)."""

import os

import pytest
from django.utils import timezone

from inspections.models import Coordination
from programs import imports
from programs.celery import app as celery_app
from programs.models import Enterprise, ImportJob
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.factories import EnterpriseFactory, coordinator, region_tree
from tests.inspections.factories import PlanEntryFactory
from tests.programs.test_imports import good_row, xlsx

from .helpers import token_session
from .test_broker_outage import use_broker

QUEUE = "publish-test"
WITHIN_SECONDS = 20


@pytest.fixture(params=["redis", "embedded"])
def broker(request, monkeypatch, settings, tmp_path):
    """Both brokers the product runs on: Redis (production) and the embedded default's transport; the request
    side and the worker use the same one, on a queue of this test's own."""
    if request.param == "redis":
        url = os.environ["CELERY_BROKER_URL"]  # the `redis` marker has made sure it is Redis
    else:
        url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
        monkeypatch.setitem(celery_app.conf, "broker_transport_options", settings.SQLITE_BROKER_TRANSPORT_OPTIONS)
    use_broker(monkeypatch, url)
    monkeypatch.setitem(celery_app.conf, "task_default_queue", QUEUE)
    worker = CeleryWorker(queue=QUEUE, log_path=tmp_path / "worker.log", extra_env={"CELERY_BROKER_URL": url})
    yield worker
    worker.stop()
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_coordination_asked_for_over_the_api_is_run_by_the_worker_at_once(broker, live_server):
    cast = Cast()
    month = timezone.localdate().replace(day=1)
    for enterprise in (EnterpriseFactory(region=cast.village), EnterpriseFactory(region=cast.village)):
        PlanEntryFactory(department=cast.market, enterprise=enterprise, month=month, actor=cast.market_officer)
    answer = token_session(cast.coordinator).post(
        f"{live_server.url}/api/v1/coordinations/",
        json={"region": cast.coordinator.region.code, "month": month.isoformat()},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    coordination = Coordination.objects.get()
    wait_until(
        lambda: Coordination.objects.get(pk=coordination.pk).status == "done",
        timeout=WITHIN_SECONDS,
        message="the worker to finish the coordination",
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_import_confirmed_on_its_page_is_saved_by_the_worker_at_once(broker, client, monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_SYNC_ROWS", 5)
    village = region_tree()["village"]
    client.force_login(coordinator())
    client.post("/admin/imports/", {"kind": "enterprises", "file": xlsx([good_row(village, n) for n in range(30)])})
    job = ImportJob.objects.get()
    assert job.status == "validated"
    client.post(f"/admin/imports/{job.pk}/")
    wait_until(
        lambda: ImportJob.objects.get(pk=job.pk).status == "done",
        timeout=WITHIN_SECONDS,
        message="the worker to save the import",
    )
    assert Enterprise.objects.filter(name__startswith="导入企业").count() == 30
