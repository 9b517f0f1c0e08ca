"""The embedded default (`make run`) when its worker hangs and is killed: /healthz says so, supervisord brings the
worker back, and every message queued meanwhile goes out once. And its worker's pool enforces time limits."""

import os
import signal
from collections import Counter

import pytest

from tests.conftest import wait_until
from tests.sms_gateway import calls

pytestmark = pytest.mark.embedded

MESSAGES = 40  # emails, and as many texts
FILE_GATEWAY = "tests.sms_gateway.FileGateway"


def test_a_hung_then_killed_worker_shows_on_healthz_is_restarted_and_every_message_goes_out_once(embedded_stack):
    stack = embedded_stack(WORKER_HEARTBEAT_MAX_AGE="8", SMS_BACKEND=FILE_GATEWAY)
    stack.start()
    stack.wait_for_health(200, timeout=120)  # the stack up, and a worker took the heartbeat
    web, beat, hung = stack.pid("web"), stack.pid("beat"), stack.pid("worker")

    # The worker stops taking tasks (its main process frozen); beat still sends the heartbeat every second.
    os.kill(hung, signal.SIGSTOP)
    body = stack.wait_for_health(503, timeout=60)
    assert body == {"status": "unavailable", "database": "ok", "broker": "ok", "worker": "down"}

    # Messages fall due while nobody delivers them.
    keys = stack.call("messages_due_now", count=MESSAGES)
    assert stack.query("SELECT count(*) FROM programs_notification WHERE status = 'pending'") == [(2 * MESSAGES,)]

    # The worker dies (its pool's children with it); supervisord starts a new one, and leaves web and beat be.
    os.kill(hung, signal.SIGKILL)
    wait_until(lambda: stack.pid("worker") not in (0, hung), timeout=60, message="a new worker")
    wait_until(
        lambda: stack.query("SELECT count(*) FROM programs_notification WHERE status = 'sent'") == [(2 * MESSAGES,)],
        timeout=90,
        message="every message sent",
    )
    body = stack.wait_for_health(200, timeout=60)
    assert body == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}
    assert (stack.pid("web"), stack.pid("beat")) == (web, beat)

    sent = Counter(stack.email_keys()) + Counter(calls(stack.sms_file))
    assert sent == Counter(keys), "each email and each text handed over exactly once"
    assert stack.query("SELECT DISTINCT attempts FROM programs_notification") == [(1,)]
    log = stack.log_text()
    assert "exited: worker (terminated by SIGKILL" in log
    assert log.count("exited:") == 1, "no other process of the stack died"


def test_the_embedded_worker_stops_a_task_at_its_soft_time_limit(embedded_stack):
    """The prefork pool enforces time limits (the thread pool, used before, let a stalled delivery run on)."""
    stack = embedded_stack(
        SMS_BACKEND=FILE_GATEWAY, SMS_GATEWAY_DELAY="30", CELERY_TASK_SOFT_TIME_LIMIT="2", CELERY_TASK_TIME_LIMIT="10"
    )
    stack.call("messages_due_now", count=1)
    stack.start()
    wait_until(
        lambda: "Soft time limit (2s) exceeded for programs.send_due_notifications" in stack.log_text(),
        timeout=120,
        message="the outbox sweep stopped at its soft time limit",
    )
    assert calls(stack.sms_file) == [], "the stalled text was cut off, not handed over"
    assert stack.query("SELECT status FROM programs_notification WHERE channel = 'sms'") == [("pending",)]
