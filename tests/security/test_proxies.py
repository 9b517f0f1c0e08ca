"""Behind a reverse proxy, lock-outs and rate limits see each visitor's own address (issue 13, points 4 and 10).

Every request goes through ``ForwardingProxy`` (a real HTTP proxy on 127.0.0.1 that appends the visitor's address
to X-Forwarded-For, as the README's nginx does) to the live server; 127.0.0.1 is the trusted proxy."""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory

from guidance.models import Booking
from programs.clientip import client_ip
from tests.factories import UserFactory
from tests.guidance.factories import SlotFactory

from .forwarding_proxy import ForwardingProxy
from .test_login_and_rates import address_with_time_left

LOGIN = "/accounts/login/"


@pytest.fixture
def proxy(live_server, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    with ForwardingProxy(live_server.url) as running:
        yield running


def csrf_token(session, url: str) -> str:
    page = session.get(url)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def sign_in(proxy, address: str, username: str, password: str):
    person = proxy.person(address)
    token = csrf_token(person, proxy.url + LOGIN)
    answer = person.post(
        proxy.url + LOGIN, data={"username": username, "password": password, "csrfmiddlewaretoken": token}
    )
    return answer


def signed_in(answer) -> bool:
    return answer.status_code == 302 and "sessionid" in answer.cookies


def test_five_wrong_passwords_by_five_people_behind_the_proxy_do_not_lock_out_a_sixth(proxy):
    people = [UserFactory() for _ in range(6)]
    for number, person in enumerate(people[:5], start=1):
        assert sign_in(proxy, f"198.51.100.{number}", person.username, "wrong").status_code == 200
    assert signed_in(sign_in(proxy, "198.51.100.6", people[5].username, settings.DEMO_PASSWORD))
    # Each failure was counted against the person's own address, not the proxy's.
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        f"198.51.100.{n}" for n in range(1, 6)
    ]


def test_a_lock_out_holds_one_username_from_one_address_and_spares_the_same_username_elsewhere(proxy):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(proxy, "198.51.100.20", user.username, "wrong")
    assert sign_in(proxy, "198.51.100.20", user.username, settings.DEMO_PASSWORD).status_code == 429
    # The real owner, elsewhere (or a colleague behind the same proxy), is not locked out by someone guessing.
    assert signed_in(sign_in(proxy, "198.51.100.21", user.username, settings.DEMO_PASSWORD))


def test_a_wrong_password_during_a_lock_out_does_not_extend_it(proxy, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(proxy, "198.51.100.30", user.username, "wrong")
    locked_at = time.monotonic()
    attempt = AccessAttempt.objects.get(username=user.username)
    time.sleep(1.5)
    assert sign_in(proxy, "198.51.100.30", user.username, "wrong").status_code == 429
    assert AccessAttempt.objects.get(pk=attempt.pk).attempt_time == attempt.attempt_time  # not counted
    assert AccessAttempt.objects.get(pk=attempt.pk).failures_since_start == settings.AXES_FAILURE_LIMIT
    # 3.3 s after the lock-out (1.8 s after the retry, which would have locked until 4.5 s): it is over.
    time.sleep(max(0.0, 3.3 - (time.monotonic() - locked_at)))
    assert signed_in(sign_in(proxy, "198.51.100.30", user.username, settings.DEMO_PASSWORD))


def test_the_sign_in_forms_have_a_limit_per_address_whatever_the_usernames(proxy, settings):
    settings.SIGN_IN_RATE = "5/m"
    address = address_with_time_left("198.51.101")
    answers = [sign_in(proxy, address, f"nobody{n}", "wrong").status_code for n in range(5)]
    assert answers == [200] * 5
    assert sign_in(proxy, address, "nobody5", "wrong").status_code == 429
    assert sign_in(proxy, address_with_time_left("198.51.102"), "nobody6", "wrong").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", LOGIN])
def test_both_sign_in_forms_count_against_the_address_limit(path, settings):
    settings.SIGN_IN_RATE = "3/m"
    client = Client(REMOTE_ADDR=address_with_time_left("198.51.103"))
    assert [client.post(path, {"username": f"x{n}", "password": "y"}).status_code for n in range(3)] == [200] * 3
    assert client.post(path, {"username": "x3", "password": "y"}).status_code == 429
    assert client.get(path).status_code == 200  # only attempts are counted, not opening the page


def book(proxy, address: str, slot, number: int):
    person = proxy.person(address)
    url = f"{proxy.url}/guidance/book/{slot.themes.get().code}/"
    page = person.get(url)
    data = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1),
        "submission_key": re.search(r'name="submission_key" value="(\w+)"', page.text).group(1),
        "slot": slot.pk,
        "not_registered": "on",
        "business_name": f"面馆{number}",
        "contact_name": "周女士",
        "contact_phone": f"139000{number:05d}",
        "contact_email": f"owner{number}@example.cn",
        "address": "北仑区梅山街道1号",
        "needs": "油烟净化",
        "consent": "on",
    }
    return person.post(url, data=data).status_code


def test_twenty_one_bookers_from_different_addresses_are_not_rate_limited_together(proxy):
    slot = SlotFactory(capacity=30)
    limit = int(settings.PUBLIC_FORM_RATE.split("/")[0])
    statuses = [book(proxy, f"203.0.113.{n}", slot, n) for n in range(1, limit + 2)]
    assert statuses == [302] * (limit + 1)
    assert Booking.objects.filter(slot=slot).count() == limit + 1


def test_one_booker_past_the_rate_is_still_refused_behind_the_proxy(proxy):
    slot = SlotFactory(capacity=30)
    limit = int(settings.PUBLIC_FORM_RATE.split("/")[0])
    address = address_with_time_left("203.0.114")
    statuses = [book(proxy, address, slot, n) for n in range(limit + 1)]
    assert 429 not in statuses[:limit]
    assert statuses[limit] == 429


# --- The address itself --------------------------------------------------------------------------------


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_the_chain_is_walked_from_the_right_past_trusted_hops_so_a_forged_left_part_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    # The visitor wrote "1.2.3.4" themselves; the outer proxy (10.0.0.5) appended their real address.
    assert client_ip(request_from("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.5")) == "198.51.100.7"
    assert client_ip(request_from("127.0.0.1", "garbage, 10.0.0.5")) == "10.0.0.5"
    assert client_ip(request_from("127.0.0.1", "")) == "127.0.0.1"
    assert client_ip(request_from("127.0.0.1", "[2001:db8::7]:443, 10.0.0.5")) == "2001:db8::7"
