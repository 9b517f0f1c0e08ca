"""The load generator: a separate process (``python -m bench.load < spec.json``) that speaks HTTP/1.1 to
127.0.0.1 only, from a pool of threads with one keep-alive connection each, bounded in requests and time.
It needs nothing of Django, so it costs the server little; it prints one JSON object of results.

Spec::

    {"port": 8123, "mode": "read", "path": "/api/v1/…", "headers": {…}, "concurrency": 4,
     "duration": 10, "warmup": 1, "max_requests": 200000}
    {"port": 8123, "mode": "write", "clients": [{"headers": {…}, "bodies": [{…}, …]}, …], "path": "…"}

``read`` hammers one GET for ``duration`` seconds after ``warmup`` and reports throughput and latency
percentiles; ``write`` releases every client at once (a barrier), each POSTs its bodies in turn, and the
statuses and latencies of all requests are reported.
"""

import http.client
import json
import resource
import sys
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 60


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class Client:
    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)

    def request(self, method: str, path: str, headers: dict, body: bytes | None = None) -> tuple[int, int]:
        """Returns (status, body length); status 0 is a transport error (refused, reset, timed out)."""
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                if response.will_close:
                    self.connection.close()
                return response.status, len(payload)
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
                if attempt == 2 or method != "GET":
                    return 0, 0
        return 0, 0


def _summary(latencies: list[float], statuses: dict, elapsed: float, sizes: list[int]) -> dict:
    ok = sum(n for status, n in statuses.items() if 200 <= int(status) < 300)
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "throughput": round(len(latencies) / elapsed, 1) if elapsed else None,
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors_5xx": sum(n for status, n in statuses.items() if int(status) >= 500),
        "transport_errors": statuses.get(0, 0),
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p95_ms": _ms(percentile(latencies, 0.95)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "max_ms": _ms(max(latencies) if latencies else None),
        "mean_bytes": round(sum(sizes) / len(sizes)) if sizes else 0,
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def run_read(spec: dict) -> dict:
    port, path, headers = spec["port"], spec["path"], {**spec.get("headers", {}), "Connection": "keep-alive"}
    concurrency, duration = spec.get("concurrency", 4), spec.get("duration", 10)
    warmup, max_requests = spec.get("warmup", 1), spec.get("max_requests", 1_000_000)
    lock = threading.Lock()
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: dict[int, int] = {}
    counted = [0]
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration

    def worker():
        client = Client(port)
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                break
            status, size = client.request("GET", path, headers)
            ended = time.perf_counter()
            if began >= measure_from:
                with lock:
                    if counted[0] >= max_requests:
                        break
                    counted[0] += 1
                    latencies.append(ended - began)
                    sizes.append(size)
                    statuses[status] = statuses.get(status, 0) + 1
        client.connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = min(time.perf_counter(), stop_at) - measure_from
    result = _summary(latencies, statuses, elapsed, sizes)
    if spec.get("raw"):
        result["latencies_ms"] = [round(value * 1000, 2) for value in latencies]
    return result


def run_write(spec: dict) -> dict:
    port, path = spec["port"], spec["path"]
    clients = spec["clients"]
    barrier = threading.Barrier(len(clients))
    lock = threading.Lock()
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + spec.get("timeout", 120)

    def worker(client_spec):
        client = Client(port)
        headers = {**client_spec["headers"], "Content-Type": "application/json", "Connection": "keep-alive"}
        barrier.wait()
        for body in client_spec["bodies"]:
            if time.perf_counter() > deadline:
                break
            began = time.perf_counter()
            status, size = client.request("POST", path, headers, json.dumps(body).encode())
            ended = time.perf_counter()
            with lock:
                latencies.append(ended - began)
                sizes.append(size)
                statuses[status] = statuses.get(status, 0) + 1
        client.connection.close()

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _summary(latencies, statuses, time.perf_counter() - started, sizes)


def main() -> None:
    spec = json.load(sys.stdin)
    started = time.perf_counter()
    result = run_read(spec) if spec.get("mode", "read") == "read" else run_write(spec)
    # The generator shares the machine's CPUs with the server: how much of one it used.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["client_cpu_percent"] = round(100 * (usage.ru_utime + usage.ru_stime) / (time.perf_counter() - started))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
