"""Sign-in brute force is locked out, public forms and the code check are rate limited in the shared cache,
and production's session and CSRF cookies are secure. (The API token lock-out is in
``tests/programs/test_api_platform.py``, ``check --deploy`` in ``tests/programs/test_settings.py``.)"""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import Client
from django_ratelimit.core import _get_window

from tests.conftest import ROOT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3J9x!q2Lm#8vR4t@Zp6Wn1Yb7Hc5Fd0Gs-Ua^Ee&Oi*Xy(Tl)Qk_Jh=Mg+Nf%Vd",
    "ALLOWED_HOSTS": "programs.example.cn",
    "PAYMENT_ALLOW_SIMULATOR": "1",
}
LIMIT = int(settings.PUBLIC_FORM_RATE.split("/")[0])


@pytest.mark.parametrize("path", ["/admin/login/", "/accounts/login/"])
def test_a_sign_in_form_locks_the_account_after_repeated_wrong_passwords(path):
    user = UserFactory()
    client = Client(REMOTE_ADDR="10.1.0.7")
    failures = [
        client.post(path, {"username": user.username, "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert failures[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again, with its error
    response = client.post(path, {"username": user.username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Issue 13: the lock-out holds this username from this address only; the owner elsewhere still signs in
    # (one address guessing many usernames is SIGN_IN_RATE's, tests/security/test_proxies.py).
    other = Client(REMOTE_ADDR="10.1.0.8")
    assert other.post(path, {"username": user.username, "password": settings.DEMO_PASSWORD}).status_code == 302


def test_a_right_password_before_the_limit_signs_in_and_clears_the_failures():
    user = UserFactory()
    client = Client(REMOTE_ADDR="10.1.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/admin/login/", {"username": user.username, "password": "wrong"})
    response = client.post("/admin/login/", {"username": user.username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def address_with_time_left(prefix: str, seconds: int = 30) -> str:
    """An address whose rate window (django-ratelimit offsets each key's minute) has ``seconds`` left, so that
    the requests of one test are counted in one window."""
    for last in range(1, 255):
        address = f"{prefix}.{last}"
        if _get_window(address, 60) - time.time() >= seconds:
            return address
    raise AssertionError("no address with time left in its window")


def _hammer(client, method, path, data=None, times=LIMIT):
    return [getattr(client, method)(path, data or {}).status_code for _ in range(times)]


@pytest.fixture
def public_paths(cast):
    return {
        "booking form": ("post", f"/guidance/book/{cast.objects['theme'].code}/"),
        "registration form": ("post", f"/workshops/positions/{cast.objects['position'].pk}/"),
        "code check": ("get", f"/verify/{cast.objects['inspection'].code}/"),
        "code form": ("get", "/verify/?code=ABCD"),
    }


@pytest.mark.parametrize("form", ["booking form", "registration form", "code check", "code form"])
def test_a_public_form_answers_429_past_its_rate_from_one_address_and_not_from_another(form, public_paths):
    method, path = public_paths[form]
    client = Client(REMOTE_ADDR=address_with_time_left("10.2.0"))
    statuses = _hammer(client, method, path)
    assert 429 not in statuses
    assert getattr(client, method)(path).status_code == 429
    assert getattr(Client(REMOTE_ADDR=address_with_time_left("10.2.1")), method)(path).status_code != 429


PROBE = """
import json
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

def view(request):
    get_token(request)
    request.session["probe"] = 1
    return HttpResponse("ok")

request = RequestFactory().get("/", secure=True)
chain = SessionMiddleware(CsrfViewMiddleware(view))
response = chain(request)
cookies = {
    name: {"secure": bool(response.cookies[name]["secure"]), "httponly": bool(response.cookies[name]["httponly"])}
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
}
report = {"cookies": cookies, "ssl_redirect": settings.SECURE_SSL_REDIRECT, "hsts": settings.SECURE_HSTS_SECONDS}
print(json.dumps(report))
"""


def test_production_sets_secure_httponly_session_and_csrf_cookies_and_redirects_to_https(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    # The probe's session lives in the cache: the flags under test are the cookie's, not the store's. The
    # cache folder is the test's own, not the running app's under var/.
    env.update(PRODUCTION_ENV, VAR_DIR=str(tmp_path))
    code = "from django.conf import settings; settings.SESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code + PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["cookies"] == {
        "sessionid": {"secure": True, "httponly": True},
        "csrftoken": {"secure": True, "httponly": True},
    }
    assert report["ssl_redirect"] is True
    assert report["hsts"] >= 31536000
