"""A bounded HTTP load loop on loopback (stdlib ``http.client`` + threads).

Every loop has a request count and a time limit, and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    status: int
    ms: float
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)

    def cookies(self) -> dict[str, str]:
        found = {}
        for header, value in self.headers:
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                found[name.strip()] = rest.split(";", 1)[0]
        return found


def send(port: int, call: Call, timeout: float = 30) -> Outcome:
    """One request on a fresh connection (gunicorn's sync workers close the connection anyway)."""
    headers = {"Accept": "application/json", "Connection": "close", **call.headers}
    if call.body is not None:
        headers.setdefault("Content-Type", "application/json")
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(call.method, call.path, body=call.body, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        return Outcome(resp.status, (time.perf_counter() - started) * 1000, body, resp.getheaders())
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else float("nan"),
        "max_ms": round(max(latencies), 2) if latencies else float("nan"),
    }


class UnexpectedStatus(RuntimeError):
    pass


def _check(outcome: Outcome, expect: tuple[int, ...], call: Call) -> None:
    if outcome.status not in expect:
        snippet = outcome.body[:300].decode(errors="replace")
        raise UnexpectedStatus(f"{call.method} {call.path} → {outcome.status} (expected {expect}): {snippet}")


def latency_run(
    port: int,
    make: Callable[[int], Call],
    *,
    requests: int,
    warmup: int = 10,
    time_limit: float = 60,
    expect: tuple[int, ...] = (200,),
) -> dict[str, Any]:
    """Concurrency 1: ``warmup`` unmeasured requests, then up to ``requests`` measured (or the time limit)."""
    for i in range(warmup):
        call = make(-1 - i)
        _check(send(port, call), expect, call)
    latencies: list[float] = []
    deadline = time.monotonic() + time_limit
    for i in range(requests):
        if time.monotonic() > deadline:
            break
        call = make(i)
        outcome = send(port, call)
        _check(outcome, expect, call)
        latencies.append(outcome.ms)
    return {"requests": len(latencies), "concurrency": 1, **summary(latencies)}


def throughput_run(
    port: int,
    make: Callable[[int], Call],
    *,
    requests: int,
    concurrency: int = 4,
    time_limit: float = 30,
    expect: tuple[int, ...] = (200,),
) -> dict[str, Any]:
    """``concurrency`` threads share a budget of ``requests`` (and the time limit); requests/s over the run."""
    lock = threading.Lock()
    counter = iter(range(requests))
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            call = make(i)
            try:
                outcome = send(port, call)
                _check(outcome, expect, call)
            except Exception as exc:  # recorded, the run goes on
                with lock:
                    errors.append(str(exc)[:200])
                continue
            with lock:
                latencies.append(outcome.ms)

    for i in range(concurrency * 2):  # warm-up every worker process
        send(port, make(-1 - i))
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_limit + 30)
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        **summary(latencies),
    }


def json_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()
