"""The database's share of a request: the SQL a case runs, timed on its own.

The same request is made in-process (Django's test client, same URL, same token or session)
under ``CaptureQueriesContext``; each captured statement is then re-executed directly with
psycopg and timed, and the slowest one is explained with ``EXPLAIN (ANALYZE, BUFFERS)``.
Writes (create) run inside a transaction that is rolled back; their cost is what Django's
debug cursor measured for each statement.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

import psycopg
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .httpload import Call

_READ = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)


class _Rollback(Exception):
    pass


def _client_request(client: Client, call: Call) -> int:
    headers = {k: v for k, v in call.headers.items() if k.lower() != "cookie"}
    kwargs: dict[str, Any] = {"headers": headers}
    if call.body is not None:
        kwargs |= {"data": call.body, "content_type": "application/json"}
    response = getattr(client, call.method.lower())(call.path, **kwargs)
    return response.status_code


def capture(call: Call, *, login_user: Any = None, write: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """(status, captured queries) of the call made in-process; writes are rolled back."""
    client = Client()
    if login_user is not None:
        client.force_login(login_user)
    if not write:
        _client_request(client, call)  # warm: per-process caches (permissions, scope) as in a serving worker
        with CaptureQueriesContext(connection) as ctx:
            status = _client_request(client, call)
        return status, list(ctx.captured_queries)
    status = 0
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            status = _client_request(client, call)
            raise _Rollback
    except _Rollback:
        pass
    return status, list(ctx.captured_queries)


def time_reads(url: str, queries: list[dict[str, Any]], repeats: int = 7) -> dict[str, Any]:
    """Re-execute every read statement ``repeats`` times; the median per-request total and the slowest one."""
    reads = [q["sql"] for q in queries if _READ.match(q["sql"])]
    per_statement: list[list[float]] = [[] for _ in reads]
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(repeats):
            for i, sql in enumerate(reads):
                started = time.perf_counter()
                conn.execute(sql).fetchall()
                per_statement[i].append((time.perf_counter() - started) * 1000)
        medians = [statistics.median(t) for t in per_statement]
        slowest = max(range(len(reads)), key=lambda i: medians[i]) if reads else None
        plan = ""
        plan_ms = None
        if slowest is not None:
            rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + reads[slowest]).fetchall()
            plan = "\n".join(r[0] for r in rows)
            found = re.search(r"Execution Time: ([\d.]+) ms", plan)
            plan_ms = float(found.group(1)) if found else None
    return {
        "queries": len(queries),
        "reads": len(reads),
        "db_ms": round(sum(medians), 2),
        "slowest_ms": round(medians[slowest], 2) if slowest is not None else None,
        "slowest_sql": reads[slowest] if slowest is not None else "",
        "explain_ms": plan_ms,
        "plan": plan,
    }


def time_write(call: Call, login_user: Any = None, repeats: int = 5) -> dict[str, Any]:
    """Median over ``repeats`` of the summed statement times of a rolled-back write."""
    totals = []
    count = 0
    statements: list[dict[str, Any]] = []
    for _ in range(repeats):
        _status, queries = capture(call, login_user=login_user, write=True)
        totals.append(sum(float(q["time"]) for q in queries) * 1000)
        count, statements = len(queries), queries
    return {
        "queries": count,
        "db_ms": round(statistics.median(totals), 2),
        "statements": [q["sql"][:200] for q in statements],
    }
