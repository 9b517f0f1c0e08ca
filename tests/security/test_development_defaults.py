"""The embedded default (`make run`) has a secret key of its own and shows no debug pages (issue 13, point 15)."""

import json
import os
import stat
import subprocess
import sys
import threading

from programs.keyfile import read_or_create_secret_key
from tests.conftest import ROOT

PUBLIC_KEY = "development-only-secret-key-never-use-in-production-0123456789abcdef"

PROBE = """
import json
from django.conf import settings
from django.test import Client
page = Client().get("/no-such-page/")
print(json.dumps({"key": settings.SECRET_KEY, "debug": settings.DEBUG, "status": page.status_code,
                  "page": page.content.decode()}))
"""


def run_embedded(var_dir, **env_overrides) -> dict:
    dropped = ("SECRET_KEY", "DEBUG", "DJANGO_ENV", "VAR_DIR", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"VAR_DIR": str(var_dir), **env_overrides})
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_first_start_makes_a_random_private_key_and_later_starts_read_it(tmp_path):
    first = run_embedded(tmp_path / "one")
    key_file = tmp_path / "one" / "secret_key"
    assert first["key"] == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["key"] != PUBLIC_KEY and len(first["key"]) >= 50
    assert run_embedded(tmp_path / "one")["key"] == first["key"]  # signed links survive a restart
    assert run_embedded(tmp_path / "two")["key"] != first["key"]  # no two installations share a key


def test_the_404_page_lists_no_url_patterns_unless_debug_is_asked_for(tmp_path):
    quiet = run_embedded(tmp_path)
    assert (quiet["debug"], quiet["status"]) == (False, 404)
    for leak in ("URLconf", "admin/", "api/v1/", "guidance/manage/", "DEBUG = True"):
        assert leak not in quiet["page"], leak
    asked = run_embedded(tmp_path, DEBUG="1")
    assert asked["debug"] is True and "URLconf" in asked["page"]  # only when someone sets DEBUG=1


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    keys, barrier = [], threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(read_or_create_secret_key(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind
