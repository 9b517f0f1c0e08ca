"""Test set-up shared by every app.

Tests marked ``postgres`` or ``redis`` need that service. On a laptop without it they are skipped; with
``REQUIRE_SERVICES=1`` (CI) a missing service is a failure, never a silent skip.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from programs.celery import app as celery_app

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")
ROOT = Path(__file__).resolve().parent.parent


def _missing(what: str):
    message = f"{what} is not available"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and REQUIRE_SERVICES is set", pytrace=False)
    pytest.skip(message)


def redis_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def redis_available() -> bool:
    url = redis_url()
    if not url.startswith("redis"):
        return False
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("redis") and not redis_available():
        _missing("Redis (set CELERY_BROKER_URL=redis://…)")


@pytest.fixture(autouse=True)
def _isolated_side_effects(request, settings, tmp_path):
    """Every test starts with an empty cache (throttles, rate limits), eager tasks unless it runs a real
    worker, and mail kept in memory."""
    if not os.environ.get("CACHE_URL"):
        # Not the running app's file cache under var/: clearing it would reset its rate limits.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    celery_app.conf.task_always_eager = previous
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client authenticated with the user's token, as a phone would be."""
    from rest_framework.authtoken.models import Token

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


class CeleryWorker:
    """A real ``celery worker`` process against the test database and the Redis broker."""

    def __init__(self, *, queue: str, log_path: Path, extra_env: dict | None = None, concurrency: int = 2):
        db = connection.settings_dict
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **(extra_env or {}),
        }
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "programs",
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                "-Q",
                queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{queue}@%h",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self, sig):
        self.process.send_signal(sig)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wait_until(predicate, *, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
