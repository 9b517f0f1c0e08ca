"""Where the benchmark runs: its own database (created and migrated when missing), its Redis numbers, and a
description of the machine for the report."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/programs_bench"


def database_url(*, quick: bool, suffix: str = "") -> str:
    """``BENCH_DATABASE_URL``; the smoke mode uses a sibling database (``…_quick``), another scale its own
    (``…_<suffix>``), so that their data sets never mix with the full one."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    suffix = "quick" if quick else suffix
    if not suffix:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_" + suffix))


def configure(*, quick: bool, suffix: str = "") -> str:
    url = database_url(quick=quick, suffix=suffix)
    os.environ["BENCH_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    return url


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; returns True when it was created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
        return True


def flush_redis() -> None:
    """Empty the bench's own Redis databases (broker 10, cache 11): tasks queued by earlier bookings with no
    worker to take them, throttle histories."""
    import redis
    from django.conf import settings

    for url in (settings.CELERY_BROKER_URL, settings.CACHES["default"]["LOCATION"]):
        if url.startswith("redis://"):
            redis.Redis.from_url(url).flushdb()


def setup_django(*, migrate: bool = True) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0, interactive=False)


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    memory_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or os.cpu_count()),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "postgres": postgres,
        "shared_buffers": shared_buffers,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
