"""Delivering the outbox against real SMTP servers on this machine that stall and hang up: no network call
inside a transaction, every message delivered once, time limits never swallowed."""

import asyncio
import socket
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from billiard.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.utils import timezone

from programs import delivery, services
from programs.models import Notification

MESSAGES = 30


class FaultySmtpServer:
    """An SMTP server that stalls on some messages (longer than the client waits) and hangs up on others
    before accepting them. A message counts as delivered only when the server could answer 250 to a client that
    was still there, as a real server would."""

    def __init__(self, *, stall_on=(), hang_up_on=(), stall_seconds=2.0):
        self.stall_on, self.hang_up_on, self.stall_seconds = set(stall_on), set(hang_up_on), stall_seconds
        self.seen = 0
        self.delivered: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.seen += 1
        if self.seen in self.hang_up_on:
            server.transport.close()  # the connection drops mid-batch, before the message was taken
            return "421 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.seen in self.stall_on:
            await asyncio.sleep(self.stall_seconds)
            if server.transport.is_closing():  # the client gave up waiting: the message was not taken
                return "451 too late"
        message_id = next(
            line.split(":", 1)[1].strip()
            for line in envelope.content.decode().splitlines()
            if line.lower().startswith("message-id:")
        )
        self.delivered.append(message_id)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    servers = []

    def start(**faults):
        handler = FaultySmtpServer(**faults)
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        controller.start()
        servers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 1
        return handler

    yield start
    for controller in servers:
        controller.stop()


def _schedule(count: int, prefix: str = "smtp") -> list[str]:
    keys = [f"{prefix}:{i}" for i in range(count)]
    for i, key in enumerate(keys):
        services.notification_schedule(
            dedupe_key=key, channel="email", address=f"person{i}@example.cn", subject="提醒", body="明天上门指导"
        )
    return keys


def _sweep_until_done(rounds: int = 12) -> None:
    later = timezone.now()
    for _ in range(rounds):
        if not Notification.objects.filter(status="pending").exists():
            return
        later += timedelta(hours=1)  # past every back-off
        services.notifications_send_due(now=later)


@pytest.mark.django_db
def test_a_stalling_and_a_hanging_up_mail_server_still_get_every_message_once(smtp):
    server = smtp(stall_on={4, 5}, hang_up_on={12, 20})
    keys = _schedule(MESSAGES)
    started = time.monotonic()
    services.notifications_send_due()
    # A stalled message costs its time-out (1 s), not the sweep's whole time.
    assert time.monotonic() - started < 15
    assert Notification.objects.filter(status="pending").count() == 4  # the two stalled, the two cut off
    _sweep_until_done()
    expected = {delivery.message_id(key) for key in keys}
    assert sorted(server.delivered) == sorted(expected)  # each exactly once
    assert Notification.objects.filter(status="sent").count() == MESSAGES


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it, to see the sweep's own
def test_no_delivery_happens_inside_a_transaction(monkeypatch):
    inside = []

    def record(notification):
        inside.append(connection.in_atomic_block)

    monkeypatch.setitem(delivery.CHANNEL_SENDERS, "email", record)
    _schedule(5)
    assert services.notifications_send_due() == 5
    assert inside == [False] * 5


@pytest.mark.django_db
def test_the_soft_time_limit_stops_the_sweep_records_what_went_out_and_holds_the_rest(settings, monkeypatch):
    settings.OUTBOX_LEASE_SECONDS = 1
    handed = []

    def slow_gateway(notification):
        if len(handed) == 3:
            raise SoftTimeLimitExceeded()  # Celery's soft limit lands in the middle of the batch
        handed.append(notification.dedupe_key)

    monkeypatch.setitem(delivery.CHANNEL_SENDERS, "email", slow_gateway)
    keys = _schedule(8)
    with pytest.raises(SoftTimeLimitExceeded):
        services.notifications_send_due()
    assert set(Notification.objects.filter(status="sent").values_list("dedupe_key", flat=True)) == set(keys[:3])
    # The rest stay claimed by the stopped sweep: another sweep does not take them while the lease runs …
    monkeypatch.setitem(delivery.CHANNEL_SENDERS, "email", lambda n: handed.append(n.dedupe_key))
    assert services.notifications_send_due() == 0
    # … and sends each once when it ends.
    time.sleep(1.1)
    assert services.notifications_send_due() == 5
    assert sorted(handed) == sorted(keys)
