from datetime import timedelta

import pytest
from django.utils import timezone

from programs.celery import app as celery_app
from programs.heartbeat import WorkerHeartbeat, heartbeat_record
from programs.schedule import declared_periodic_tasks
from programs.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks_go_to_a_worker(settings):
    """As in production: tasks are sent to the broker, so /healthz must hear from a worker."""
    settings.WORKER_HEARTBEAT_MAX_AGE = 120
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def test_healthz_is_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    # The suite runs tasks eagerly, in the process that sends them: no worker to hear from.
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}


def test_healthz_is_503_when_the_broker_url_points_nowhere(client, monkeypatch):
    # Celery reads the variable before its own configuration, so this is what a misconfigured process sees.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    assert celery_app.conf.broker_url == "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_healthz_is_200_when_a_worker_took_the_heartbeat_within_the_limit(client, tasks_go_to_a_worker):
    heartbeat_record(hostname="celery@embedded", now=timezone.now() - timedelta(seconds=100))
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}


def test_healthz_reports_the_worker_down_when_its_heartbeat_is_older_than_the_limit(client, tasks_go_to_a_worker):
    heartbeat_record(hostname="celery@embedded", now=timezone.now() - timedelta(seconds=121))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "ok", "worker": "down"}


def test_healthz_reports_the_worker_down_when_no_worker_ever_took_the_heartbeat(client, tasks_go_to_a_worker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "down"


def test_the_limit_is_a_setting(client, tasks_go_to_a_worker, settings):
    heartbeat_record(now=timezone.now() - timedelta(seconds=30))
    settings.WORKER_HEARTBEAT_MAX_AGE = 20
    assert client.get("/healthz").json()["worker"] == "down"
    settings.WORKER_HEARTBEAT_MAX_AGE = 40
    assert client.get("/healthz").json()["worker"] == "ok"


def test_the_heartbeat_task_records_the_time_and_the_worker_once_per_run():
    worker_heartbeat.apply()
    first = WorkerHeartbeat.objects.get()
    worker_heartbeat.apply()
    assert WorkerHeartbeat.objects.count() == 1, "one row, updated"
    assert WorkerHeartbeat.objects.get().beat_at >= first.beat_at


def test_beat_sends_the_heartbeat_every_thirty_seconds():
    assert declared_periodic_tasks()["Worker heartbeat"] == ("programs.worker_heartbeat", 30)
