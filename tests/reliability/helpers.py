"""What the reliability tests share: clients over real HTTP, a live server that takes a crowd as production
does, and a real beat process."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.conftest import ROOT


def token_session(user) -> requests.Session:
    """An HTTP client of its own, signed in with the user's token, as one phone would be."""
    session = requests.Session()
    token, _ = Token.objects.get_or_create(user=user)
    session.headers["Authorization"] = f"Token {token.key}"
    # One request per connection: a kept-alive connection would hold a server thread while it idles.
    session.headers["Connection"] = "close"
    return session


def serve_like_gunicorn(live_server, monkeypatch, *, threads: int) -> None:
    """Make the live server take connections and work as a production server would: a listen backlog of
    2048 (Django's test server has 10, and resets the rest of a crowd), and at most ``threads`` requests at
    a time while the others wait in line (unbounded, 100 requests at once would each hold a PostgreSQL
    connection, past the ``max_connections`` that the whole test run shares)."""
    httpd = live_server.thread.httpd
    httpd.socket.listen(2048)
    gate = threading.BoundedSemaphore(threads)
    handle = httpd.process_request_thread

    def bounded(request, client_address):
        with gate:
            handle(request, client_address)

    monkeypatch.setattr(httpd, "process_request_thread", bounded)


class CeleryBeat:
    """A real ``celery beat`` process with the database scheduler, against the test database and broker."""

    def __init__(self, *, name: str, folder: Path):
        db = connection.settings_dict
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"}
        self.log_path = folder / f"{name}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "programs",
                "beat",
                "--loglevel=INFO",  # INFO logs every task sent, which the test counts
                f"--pidfile={folder / f'{name}.pid'}",
                f"--schedule={folder / f'{name}-schedule'}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def sent(self, task: str) -> int:
        """How many times this beat has sent ``task`` (its log line: "Sending due task <name> (<task>)")."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return sum("Sending due task" in line and line.rstrip().endswith(f"({task})") for line in lines)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
