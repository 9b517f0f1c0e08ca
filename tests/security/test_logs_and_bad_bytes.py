"""No ID number, mobile number or signed-link token reaches a log, and input that is not text answers 400
(issue 13, point 9)."""

import io
import logging
import os
import re
import socket
import subprocess
import time
from contextlib import closing

import pytest
import requests
from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.test import Client

from programs.log_masking import PersonalDataFilter, mask_personal_data
from programs.services import notifications_send_due
from tests.conftest import ROOT
from tests.guidance.factories import SlotFactory

ID_NUMBER = "330212199001011234"
PHONE = "13912345678"


def masked_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]


@pytest.fixture
def server_log():
    """What the running configuration's own handlers write (root's console handler from LOGGING)."""
    handlers = masked_handlers()
    assert handlers, "no handler of the root logger carries the personal-data filter"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_every_handler_in_logging_carries_the_filter_and_django_uses_them():
    assert settings.LOGGING["handlers"]
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name
    for name in ("django", "django.request", "django.server", "celery", "axes"):
        logger = logging.getLogger(name)
        unmasked = [h for h in logger.handlers if h not in masked_handlers() and not isinstance(h, logging.NullHandler)]
        assert not unmasked, name
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False  # the worker keeps these handlers


def test_a_unique_violation_logged_with_its_traceback_shows_no_id_number(server_log):
    detail = f'duplicate key value violates unique constraint\nDETAIL:  Key (id_number)=({ID_NUMBER}) already exists.'
    try:
        raise IntegrityError(detail)
    except IntegrityError as exc:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s (%s)", "/api/v1/residents/", exc, exc_info=True
        )
    logging.getLogger("programs").warning(f"resident {ID_NUMBER} phone {PHONE}")
    logging.getLogger("programs").info("%(who)s called", {"who": f"+86 {PHONE}"})
    text = server_log.getvalue()
    assert "already exists" in text and "Traceback" in text
    assert ID_NUMBER not in text and PHONE not in text
    assert "330212********1234" in text and "139****5678" in text


def test_a_booking_journey_leaves_neither_the_phone_nor_the_link_in_the_log(db, server_log):
    slot = SlotFactory(capacity=3)
    client = Client()
    page = client.get(f"/guidance/book/{slot.themes.get().code}/")
    key = re.search(r'name="submission_key" value="(\w+)"', page.text).group(1)
    answer = client.post(
        f"/guidance/book/{slot.themes.get().code}/",
        {
            "slot": slot.pk,
            "not_registered": "on",
            "business_name": "周女士的面馆（筹）",
            "contact_name": "周女士",
            "contact_phone": PHONE,
            "contact_email": "zhou@example.cn",
            "address": "北仑区梅山街道1号",
            "needs": "油烟净化器",
            "consent": "on",
            "submission_key": key,
        },
    )
    assert answer.status_code == 302
    link = answer["Location"].split("?")[0]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(link).status_code == 200
    assert client.get(link + "cancel/").status_code == 405  # logged by django.request, with the path
    assert client.post(link + "cancel/", {"reason": ""}).status_code in (200, 400)
    assert client.get(link.replace(token, token[:-3] + "abc")).status_code == 404  # a tampered link, logged
    notifications_send_due()  # the SMS backend logs what it sends
    text = server_log.getvalue()
    assert "/guidance/manage/[hidden]/" in text
    assert token not in text and token[:20] not in text
    assert PHONE not in text


def test_masking_keeps_format_placeholders_and_hides_signed_values():
    token = signing.dumps({"b": 1}, salt="guidance.booking")
    assert mask_personal_data("/guidance/manage/%s/") == "/guidance/manage/%s/"
    assert token not in mask_personal_data(f"sent {token}")
    assert mask_personal_data("GET /guidance/feedback/abc/?token=xyz HTTP/1.1") == (
        "GET /guidance/feedback/[hidden]/?token=[hidden] HTTP/1.1"
    )


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_masks_its_logs_and_answers_400_to_undecodable_paths(tmp_path):
    port = free_port()
    dropped = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_ENV", "DEBUG", "SECRET_KEY")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "programs.settings"})
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    command = [
        str(ROOT / ".venv/bin/gunicorn") if (ROOT / ".venv/bin/gunicorn").exists() else "gunicorn",
        "programs.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--no-control-socket",
        "--access-logfile",
        str(access),
        "--error-logfile",
        str(errors),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    token = signing.dumps({"b": 1, "r": "GB-1"}, salt="x", compress=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(
                    f"http://127.0.0.1:{port}/guidance/manage/{token}/?phone={PHONE}",
                    headers={"Referer": f"http://example.cn/guidance/feedback/{token}/"},
                    timeout=5,
                )
                break
            # Not listening yet, or its worker still loading the application (slow on a busy machine).
            except (requests.ConnectionError, requests.Timeout):
                assert time.monotonic() < deadline, "gunicorn did not start"
                assert server.poll() is None, errors.read_text() if errors.exists() else "gunicorn exited"
                time.sleep(0.3)
        assert answer.status_code == 404
        # Through a real server too (its own reading of the request line): 400 before any view.
        for address in ("/workshops/registered/%00/", "/guidance/?mode=%00", "/guidance/?q=%FF%FE"):
            assert requests.get(f"http://127.0.0.1:{port}{address}", timeout=10).status_code == 400, address
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = access.read_text() + errors.read_text()
    assert "/guidance/manage/[hidden]/" in text
    assert token not in text and PHONE not in text and "139****5678" in text


# --- Bytes that are not text --------------------------------------------------------------------------

BAD_ADDRESSES = [
    "/guidance/book/{theme}/?mode=%00",
    "/workshops/registered/%00/",
    "/guidance/?q=%FF",
    "/api/v1/regions/?search=%00",
    "/verify/%00/",
]


@pytest.fixture
def theme_code(db):
    return SlotFactory().themes.get().code


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_nul_byte_or_undecodable_bytes_in_the_path_or_query_answer_400(address, theme_code):
    answer = Client(raise_request_exception=False).get(address.format(theme=theme_code))
    assert answer.status_code == 400
    if address.startswith("/api/"):
        assert answer.json()["error"]["code"] == "malformed_request"


def test_ordinary_chinese_and_accents_in_the_query_or_path_are_not_refused(theme_code):
    assert Client().get(f"/guidance/book/{theme_code}/?mode=%E7%BA%BF%E4%B8%8A&q=caf%C3%A9").status_code == 200
    assert Client().get("/workshops/registered/caf%C3%A9-%E7%BA%BF/").status_code == 404  # text, just no such page


@pytest.mark.postgres
@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_on_postgresql_nul_bytes_never_reach_a_query(address, theme_code):
    answer = Client(raise_request_exception=False).get(address.format(theme=theme_code))
    assert answer.status_code == 400


@pytest.mark.postgres
def test_on_postgresql_a_nul_byte_in_a_public_form_is_a_form_error(theme_code):
    client = Client(raise_request_exception=False)
    page = client.get(f"/guidance/book/{theme_code}/")
    key = re.search(r'name="submission_key" value="(\w+)"', page.text).group(1)
    answer = client.post(
        f"/guidance/book/{theme_code}/",
        {"business_name": "面馆\x00", "contact_phone": "139\x0000", "submission_key": key, "consent": "on"},
    )
    assert answer.status_code == 400
    assert Client(raise_request_exception=False).get("/workshops/registered/REF\x00X/").status_code == 400
