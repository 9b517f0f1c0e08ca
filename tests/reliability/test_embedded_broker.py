"""The embedded broker: kombu's SQLAlchemy transport on a SQLite file, with the options settings give it."""

import threading
from queue import Empty

import pytest
from django.conf import settings
from kombu import Connection

from programs.broker import delivered_broker_messages_purge
from tests.conftest import released_together

pytestmark = pytest.mark.embedded

PRODUCERS, EACH = 4, 50


@pytest.fixture
def connect(tmp_path):
    """Connections to a broker file of this test's own, as the embedded default opens them."""
    url = f"sqla+sqlite:///{tmp_path / 'celery.sqlite3'}"
    return lambda: Connection(url, transport_options=settings.SQLITE_BROKER_TRANSPORT_OPTIONS)


def test_messages_written_by_many_producers_while_a_consumer_reads_arrive_whole_and_once(connect):
    """The filesystem transport's worker died reading a message file another process had not finished writing;
    here each message is a row committed whole, taken by one reader."""
    received, done = [], threading.Event()

    def consume():
        with connect() as conn, conn.SimpleQueue("crowd") as queue:
            while not (done.is_set() and queue.qsize() == 0):
                try:
                    message = queue.get(timeout=0.5)
                except Empty:
                    continue
                received.append(message.payload["n"])
                message.ack()

    def produce(first):
        def run():
            with connect() as conn, conn.SimpleQueue("crowd") as queue:
                for n in range(first, first + EACH):
                    queue.put({"n": n, "padding": "消息" * 2000})  # large enough to be written in pieces

        return run

    consumer = threading.Thread(target=consume)
    consumer.start()
    outcomes = released_together([produce(p * EACH) for p in range(PRODUCERS)])
    done.set()
    consumer.join(timeout=120)
    assert outcomes == [None] * PRODUCERS
    assert sorted(received) == list(range(PRODUCERS * EACH))


def test_the_hourly_purge_deletes_the_delivered_messages_and_keeps_the_waiting_ones(connect):
    with connect() as conn, conn.SimpleQueue("purge") as queue:
        for n in range(3):
            queue.put({"n": n})
        for _ in range(2):
            queue.get(timeout=5).ack()
        assert delivered_broker_messages_purge(connection=conn) == 2
        assert delivered_broker_messages_purge(connection=conn) == 0
        assert queue.qsize() == 1
        assert queue.get(timeout=5).payload == {"n": 2}


def test_the_purge_leaves_other_brokers_alone():
    with Connection("memory://") as conn:
        assert delivered_broker_messages_purge(connection=conn) == 0
