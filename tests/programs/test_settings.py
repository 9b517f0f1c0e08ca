"""Production mode refuses to start half-configured, and passes Django's deployment checklist."""

import os
import subprocess
import sys

from tests.conftest import ROOT

STRONG_KEY = "k3J9x!q2Lm#8vR4t@Zp6Wn1Yb7Hc5Fd0Gs-Ua^Ee&Oi*Xy(Tl)Qk_Jh=Mg+Nf%Vd"


def manage(*args, **env):
    # Not the test run's own switches (the browser tests allow the ORM under Playwright's event loop).
    dropped = ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="programs.example.cn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="programs.example.cn",
        PAYMENT_ALLOW_SIMULATOR="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_embedded_default_runs_on_sqlite_in_immediate_mode_and_the_sqlalchemy_broker_on_sqlite():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['OPTIONS']['transaction_mode'], "
        "s.CELERY_BROKER_URL, s.TIME_ZONE, s.USE_TZ, s.LANGUAGE_CODE)"
    )
    dropped = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "VAR_DIR")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "IMMEDIATE",
        f"sqla+sqlite:///{ROOT / 'var' / 'celery.sqlite3'}",
        "Asia/Shanghai",
        "True",
        "zh-hans",
    ]
