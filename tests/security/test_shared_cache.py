"""The public rate limits are counted in the shared cache (Redis), so that every web process counts together.
(Its own module: a transactional test cannot share a module with the security cast's open transaction.)"""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client

from tests.conftest import ROOT

from .test_login_and_rates import LIMIT, _hammer, address_with_time_left


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_rate_is_counted_in_the_shared_cache_across_web_processes(tmp_path):
    """Half of the allowed requests come from another process: the limit is reached all the same."""
    assert isinstance(caches["default"], RedisCache), "CACHE_URL points at Redis: the cache every web process shares"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
    }
    half = LIMIT // 2
    address = address_with_time_left("10.3.0", seconds=45)  # the other process takes a few seconds to start
    code = (
        f"from django.test import Client; c = Client(REMOTE_ADDR='{address}'); "
        f"print([c.get('/verify/NOPE-NOPE/').status_code for _ in range({half})])"
    )
    other = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.split("\n")[-2] == str([200] * half)
    client = Client(REMOTE_ADDR=address)
    assert _hammer(client, "get", "/verify/NOPE-NOPE/", times=LIMIT - half) == [200] * (LIMIT - half)
    assert client.get("/verify/NOPE-NOPE/").status_code == 429
