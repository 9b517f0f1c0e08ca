"""The embedded default's web server (`make run`: gunicorn on SQLite) takes a crowd: every connection reaches the
application, none is reset; and it serves the static files."""

import pytest
import requests

from tests.conftest import released_together, wait_until

from .embedded import EmbeddedStack

pytestmark = pytest.mark.embedded

CLIENTS, CAPACITY = 100, 10
BOOKINGS = "/api/v1/guidance/bookings/"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, embedded_template):
    """One embedded stack for this module's tests, with a slot of 10 places and 100 enterprise users."""
    stack = EmbeddedStack(tmp_path_factory.mktemp("embedded-web"), template=embedded_template)
    stack.crowd = stack.call("crowd_for_one_slot", clients=CLIENTS, capacity=CAPACITY)
    stack.start()
    try:
        wait_until(lambda: stack.health()[0] != 0, timeout=120, message="the web server answering")
        yield stack
    finally:
        stack.stop()


def test_a_hundred_simultaneous_bookings_for_ten_places_all_reach_the_application(stack):
    crowd = stack.crowd

    def book(token):
        # A connection of its own per client, closed after the answer, as a hundred phones would.
        return lambda: requests.post(
            f"{stack.url}{BOOKINGS}",
            json={
                "theme": crowd["theme"],
                "slot": crowd["slot"],
                "contact_name": "王先生",
                "contact_phone": "13800000000",
                "address": "测试路1号",
                "consent": True,
            },
            headers={"Authorization": f"Token {token}", "Connection": "close"},
            timeout=120,
        )

    answers = released_together([book(token) for token in crowd["tokens"]], timeout=60)
    lost = [a for a in answers if isinstance(a, BaseException)]
    assert not lost, lost[:3]
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * CAPACITY + [409] * (CLIENTS - CAPACITY), [a.text[:200] for a in answers[:3]]
    for refused in (a.json() for a in answers if a.status_code == 409):
        assert refused["error"]["code"] == "slot_full", refused
        assert refused["error"]["fields"]["slot"], "the answer names the slot as the field to change"
    assert stack.query("SELECT booked FROM guidance_slot WHERE id = ?", (crowd["slot"],)) == [(CAPACITY,)]
    assert stack.query("SELECT count(*) FROM guidance_booking WHERE slot_id = ?", (crowd["slot"],)) == [(CAPACITY,)]
    # Every request reached gunicorn: its access log (through supervisord's buffer, so a moment late) has all 100.
    wait_until(
        lambda: stack.log_text().count(f'"POST {BOOKINGS} HTTP/1.1"') == CLIENTS,
        timeout=15,
        message="gunicorn's access log to hold all 100 bookings",
    )
    assert "exited:" not in stack.log_text(), "no process of the stack died"


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/static/admin/css/base.css", "text/css"),  # Django's admin
        ("/static/programs/site.css", "text/css"),  # the product's own
        ("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", "javascript"),  # the API docs
    ],
)
def test_the_embedded_web_server_serves_static_files(stack, path, content_type):
    response = requests.get(f"{stack.url}{path}", timeout=30)
    assert response.status_code == 200, path
    assert content_type in response.headers["Content-Type"]
    assert response.content
