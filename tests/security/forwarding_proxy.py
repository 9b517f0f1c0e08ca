"""A tiny reverse proxy for tests, in front of pytest-django's live server, doing what the README's nginx does:
append the client's address to ``X-Forwarded-For``. Every test "person" connects from 127.0.0.1, so the address
a person comes from is given in the ``X-Test-Client`` header, which the proxy takes off. Threaded, bound to
127.0.0.1, with time-outs, stopped by the fixture."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import requests

CLIENT_HEADER = "X-Test-Client"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}
TIMEOUT = 20


class ForwardingProxy:
    def __init__(self, upstream_url: str):
        upstream = urlsplit(upstream_url)
        self.upstream = (upstream.hostname, upstream.port)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            timeout = TIMEOUT

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                client = self.headers.get(CLIENT_HEADER) or self.client_address[0]
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in HOP_BY_HOP | {"host", CLIENT_HEADER.lower(), "x-forwarded-for"}
                }
                forwarded = self.headers.get("X-Forwarded-For")
                headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
                headers["Host"] = self.headers.get("Host", "")
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=TIMEOUT)
                try:
                    connection.request(self.command, self.path, body=body or None, headers=headers)
                    answer = connection.getresponse()
                    content = answer.read()
                    self.send_response(answer.status, answer.reason)
                    for name, value in answer.getheaders():
                        if name.lower() not in HOP_BY_HOP | {"content-length"}:
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(content)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(content)
                finally:
                    connection.close()

            do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = _forward

            def log_message(self, format, *args):
                """Quiet: the proxy's own access lines would only clutter the test output."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def person(self, address: str) -> requests.Session:
        """A browser of its own (cookies), arriving at the proxy from ``address``."""
        session = requests.Session()
        session.headers[CLIENT_HEADER] = address
        session.request = _with_timeout(session.request)
        return session


def _with_timeout(request):
    def bounded(method, url, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return request(method, url, **kwargs)

    return bounded
