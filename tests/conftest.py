"""Test set-up shared by every app.

Tests marked ``postgres`` or ``redis`` need that service. On a laptop without it they are skipped; with
``REQUIRE_SERVICES=1`` (CI) a missing service is a failure, never a silent skip.

Parallel runs (pytest-xdist, ``make test``): each worker has its own test database (pytest-django names it
``test_<name>_gw0``, ``test_<name>_gw1``, …) and its own Redis databases for the broker and the cache, derived
from CELERY_BROKER_URL and CACHE_URL before the worker starts (``pytest_xdist_setupnodes`` below); every
process a test starts (Celery workers and beats, gunicorn, the embedded stack) inherits them.
"""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from programs.celery import app as celery_app
from tests.cast import Cast

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")
ROOT = Path(__file__).resolve().parent.parent
IN_MEMORY_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Parallel runs: each xdist worker's own Redis databases --------------------------------------------
# Each worker flushes its cache before and after every test and its Celery workers read its queues: sharing
# one Redis database, one worker's tests would clear the other's rate-limit counters and take its tasks.
SERVICE_URLS = ("CELERY_BROKER_URL", "CACHE_URL")
# Set in each xdist worker's environment with its Redis URLs: the worker checks it got them.
WORKER_SLOT = "TEST_WORKER_SLOT"
REDIS_DATABASES = 16  # Redis's default `databases`


def _redis_db(url: str) -> int | None:
    """The database number of a redis:// URL (its path; none means 0), or None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    if "db=" in parts.query:
        raise pytest.UsageError(f"{url}: give the Redis database in the path (redis://host:port/N), not as ?db=")
    return int(parts.path.strip("/") or 0)


def worker_service_env(environ: Mapping[str, str], slot: int) -> dict[str, str]:
    """The Redis URLs of xdist worker number ``slot`` (0, 1, …): the run's broker and cache databases shifted by
    ``slot`` times the span they cover, so that no two workers share one (CELERY_BROKER_URL …/0 and CACHE_URL
    …/1: worker 0 has 0 and 1, worker 1 has 2 and 3). Other URLs (the embedded SQLite broker) are left alone."""
    urls = {name: environ[name] for name in SERVICE_URLS if _redis_db(environ.get(name, "")) is not None}
    if not urls:
        return {WORKER_SLOT: str(slot)}
    dbs = [_redis_db(url) for url in urls.values()]
    step = max(dbs) - min(dbs) + 1
    if max(dbs) + slot * step >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"xdist worker {slot} would need Redis database {max(dbs) + slot * step} of {', '.join(urls.values())}; "
            f"Redis has {REDIS_DATABASES} (0–{REDIS_DATABASES - 1}): run fewer workers (-n) or lower the numbers."
        )
    shifted = {}
    for name, url in urls.items():
        parts = urlsplit(url)
        shifted[name] = urlunsplit(parts._replace(path=f"/{_redis_db(url) + slot * step}"))
    return {**shifted, WORKER_SLOT: str(slot)}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """In the controller, before the workers start: each worker's environment gets its own Redis URLs, so that
    Django's settings, Celery and every process a test starts read them from the first moment (pytest-django
    loads the settings before any conftest is imported, too early for a conftest to change the environment)."""
    for slot, spec in enumerate(specs):
        spec.env.update(worker_service_env(os.environ, slot))


def pytest_configure(config):
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker and WORKER_SLOT not in os.environ:
        raise pytest.UsageError(
            f"xdist worker {worker} has no Redis databases of its own: the controller did not load tests/conftest.py "
            "(its pytest_xdist_setupnodes gives each worker its own); run pytest -n N from the repository."
        )


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


@pytest.fixture(autouse=True, scope="session")
def _settings_for_the_whole_run(tmp_path_factory):
    """Set once for the whole run: a fast password hasher (tests make users by the hundred; their passwords
    need not be strong), uploads under pytest's temporary folder (not the running app's var/media), and an
    in-memory cache unless CACHE_URL names the shared cache to test against (not the running app's file cache
    under var/: clearing it would reset its rate limits)."""
    overrides = {
        "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS,
        "MEDIA_ROOT": tmp_path_factory.mktemp("media"),
    }
    if not os.environ.get("CACHE_URL"):
        overrides["CACHES"] = {"default": IN_MEMORY_CACHE}
    with override_settings(**overrides):
        yield


@pytest.fixture(autouse=True)
def _isolated_side_effects(request, settings):
    """Every test starts with an empty cache (throttles, rate limits), eager tasks unless it runs a real
    worker, and mail kept in memory."""
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
def own_cache(settings, request):
    """A cache of this test's own, even where CACHE_URL names the shared one: no other test, and no other run
    clearing the shared cache, touches its counters."""
    settings.CACHES = {"default": {**IN_MEMORY_CACHE, "LOCATION": request.node.nodeid}}


@pytest.fixture
def cast(db) -> Cast:
    """The suite's one cast of users (tests/cast.py)."""
    return Cast()


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
            # The uploads the test process stored (an import's file) are where the worker looks for them.
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
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


def released_together(calls: list[Callable[[], object]], *, timeout: float = 30) -> list[object]:
    """Run every call in its own thread, all released at the same instant by a barrier; their results in
    order. A call that raised has its exception as its result, so the caller sees every failure, not only the
    first. Each thread closes its own database connection."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=timeout)
            return call()
        finally:
            connection.close()

    def outcome(future: Future) -> object:
        failure = future.exception()
        return failure if failure is not None else future.result()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
    return [outcome(future) for future in futures]


def failures(results: list[object], *, expected: tuple[type[BaseException], ...] = ()) -> list[BaseException]:
    """The exceptions among ``released_together``'s results, leaving out the ``expected`` kinds (a fair
    refusal)."""
    return [r for r in results if isinstance(r, BaseException) and not isinstance(r, expected)]


def wait_until(predicate, *, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
