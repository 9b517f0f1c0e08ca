"""The embedded product as `make run` starts it, for tests: supervisord with the repository's supervisord.conf
(gunicorn, a prefork Celery worker and beat), SQLite and the SQLAlchemy broker in a temporary VAR_DIR, and no
server of any kind. The database, the broker file and the static files are copied from a template made once
per test run.

The functions at the end run inside the stack's own Django (``EmbeddedStack.django``), not in pytest's."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import requests
from django.db import transaction
from django.test import override_settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks
from rest_framework.authtoken.models import Token

from programs.services import notification_schedule
from tests.conftest import ROOT, wait_until
from tests.factories import EnterpriseFactory, enterprise_user
from tests.guidance.factories import SlotFactory, ThemeFactory

# What would point the stack away from its embedded defaults (CI sets the first three for the rest of the suite).
NOT_EMBEDDED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "SMS_BACKEND",
    "DJANGO_ENV",
    "DEBUG",
    "CELERY_TASK_ALWAYS_EAGER",
    "MEDIA_ROOT",
    "VAR_DIR",
    "WEB_BIND",
)
SUPERVISORD = Path(sys.executable).parent / "supervisord"
SUPERVISORCTL = Path(sys.executable).parent / "supervisorctl"
CONFIG = ROOT / "supervisord.conf"


def embedded_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_EMBEDDED}
    return {**env, "VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "programs.settings", **overrides}


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def declare_the_broker_queue(env: dict[str, str]) -> None:
    """As `make run` does before starting the processes."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "celery"), "-A", "programs", "amqp", "queue.declare", "celery"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout + result.stderr


def copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even if the source's write-ahead log was not checkpointed."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


class EmbeddedStack:
    def __init__(self, var_dir: Path, *, template: Path, **settings: str):
        var_dir.mkdir(parents=True, exist_ok=True)
        self.var_dir = var_dir
        for database in ("db.sqlite3", "celery.sqlite3"):
            copy_database(template / database, var_dir / database)
        shutil.copytree(template / "static", var_dir / "static", dirs_exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Texts go to tests/sms_gateway.py's file when a test sets SMS_BACKEND to its FileGateway.
        self.sms_file = var_dir / "sms.log"
        self.env = embedded_env(
            var_dir, WEB_BIND=f"127.0.0.1:{self.port}", SMS_GATEWAY_FILE=str(self.sms_file), **settings
        )
        self.log_path = var_dir / "run.log"
        self.process: subprocess.Popen | None = None

    def django(self, code: str) -> str:
        """Run ``code`` in the stack's own Django (its settings, its database); what it printed."""
        return manage(self.env, "shell", "-v", "0", "-c", code)

    def call(self, function: str, **kwargs):
        """Call one of this module's functions below in the stack's Django; what it printed, as JSON."""
        code = f"from tests.reliability.embedded import {function}; {function}(**{kwargs!r})"
        return json.loads(self.django(code))

    def start(self) -> None:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(SUPERVISORD), "--configuration", str(CONFIG)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing of it outlives the test
        )

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # supervisord stops beat, worker and web one after the other, then exits
            for pid in self.running_pids():  # all three at once: the test need not wait for each in turn
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def running_pids(self) -> list[int]:
        """The pid each program was last started with, as supervisord logged it."""
        spawned = dict(re.findall(r"spawned: '(\w+)' with pid (\d+)", self.log_text()))
        return [int(pid) for pid in spawned.values()]

    def pid(self, program: str) -> int:
        """The pid supervisord reports for ``program`` (0 while it is not running)."""
        result = subprocess.run(
            [str(SUPERVISORCTL), "--configuration", str(CONFIG), "pid", program],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return int(result.stdout.strip()) if result.stdout.strip().isdigit() else 0

    def health(self) -> tuple[int, dict]:
        """/healthz's status and body; (0, {}) while nothing answers."""
        try:
            response = requests.get(f"{self.url}/healthz", timeout=20)
        except (requests.ConnectionError, requests.Timeout):  # still starting
            return 0, {}
        return response.status_code, response.json()

    def wait_for_health(self, status: int, *, timeout: float) -> dict:
        """Ask /healthz until it answers ``status``; the body of that answer."""
        answers = []
        wait_until(
            lambda: answers.append(self.health()) or answers[-1][0] == status,
            timeout=timeout,
            message=f"/healthz answering {status} (last: {answers[-1] if answers else None})",
        )
        return answers[-1][1]

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the stack's database directly (read only, WAL lets it run beside the stack's writers)."""
        with sqlite3.connect(f"file:{self.var_dir / 'db.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
            rows = db.execute(sql, params).fetchall()
        db.close()
        return rows

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def email_keys(self) -> list[str]:
        """The dedupe key of every email the stack's file mail backend wrote, repeats included."""
        mail_dir = self.var_dir / "mail"
        text = "".join(p.read_text() for p in mail_dir.iterdir()) if mail_dir.exists() else ""
        return re.findall(r"^X-Notification-Key: (\S+)$", text, re.M)


# --- Run inside the stack's Django ----------------------------------------------------------------


def speed_up_heartbeat_and_outbox() -> None:
    """The heartbeat and the outbox sweep every second instead of every 30 s, so a test sees them in seconds."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    tasks = ["programs.worker_heartbeat", "programs.send_due_notifications"]
    assert PeriodicTask.objects.filter(task__in=tasks).update(interval=interval, last_run_at=None) == len(tasks)
    PeriodicTasks.update_changed()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def crowd_for_one_slot(*, clients: int, capacity: int) -> None:
    """A slot of ``capacity`` places and ``clients`` enterprise users, each with an API token; prints them."""
    with transaction.atomic():
        theme = ThemeFactory()
        slot = SlotFactory(themes=[theme], capacity=capacity)
        tokens = [Token.objects.create(user=enterprise_user(EnterpriseFactory())).key for _ in range(clients)]
    print(json.dumps({"theme": theme.pk, "slot": slot.pk, "tokens": tokens}))


def messages_due_now(*, count: int) -> None:
    """``count`` emails and ``count`` texts in the outbox, due now; prints their keys."""
    keys = []
    with transaction.atomic():
        for n in range(count):
            for channel, address in (("email", f"boss{n}@example.cn"), ("sms", f"1380000{n:04d}")):
                key = f"embedded:{channel}:{n}"
                notification_schedule(dedupe_key=key, channel=channel, address=address, subject="通知", body="内容")
                keys.append(key)
    print(json.dumps(keys))
