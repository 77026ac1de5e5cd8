"""The telesales and complaint cases (issue 5): call-list import, agent statistics, complaint SLA sweep.

Every case runs in a child process of its own (``python -m benchmarks.telesales MODE …``, so its peak
RSS is the case's, not the harness's) and writes nothing that stays: writes happen inside ONE
transaction that is rolled back, as in ``benchmarks/pool.py``.

- ``import_check`` / ``import_apply``: ``telesales.imports.call_list_check`` (the TEL-1 dry run: parse,
  validate, repeats in the file, CUS-2 duplicates against the identity keys) and ``call_list_import``
  (the same plus the list and its entries, bulk-created) on a generated GBK CSV of ``--import-rows``
  rows; a share of the phones and company names are already in the archive, a few rows are bad or
  repeated. Rows/s by wall time and by CPU time (``time.process_time``), peak RSS. Target: ≥ 5,000
  rows/s, peak RSS < 500 MB.
- ``stats``: ``telesales.stats.agent_statistics`` for one month as the director (all agents) and as a
  group head, over ``--calls`` generated calls (committed once with one ``INSERT … SELECT
  generate_series``; reused when the count is there). p50/p95 of the call, target p95 ≤ 300 ms.
- ``sla_sweep`` / ``sla_dry``: the complaint SLA violation sweep ``policy.engine.sweep("CMP-2")`` over
  ``--complaints`` open, overdue complaints (inserted inside the rolled-back transaction), applied and
  as a dry run. Target: ≤ 2× hand-written SQL doing the same — the SQL baseline is not written yet
  (the sweep's cost is the per-violation ledger and approval in performance/approvals, see the report).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TZ = dt.timezone(dt.timedelta(hours=8))
BENCH_MONTH = dt.date(2026, 10, 1)  # the month the generated calls fall in


class _Rollback(Exception):
    pass


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _director() -> Any:
    from yingxiao.org.models import User

    return User.objects.get(username="bench_director")


# --- call-list import --------------------------------------------------------------------------
def import_csv(rows: int, seed: int = 5) -> bytes:
    """A GBK call list: 10% phones and 5% companies already in the archive, 1% bad, 1% repeated."""
    from yingxiao.customers.models import CustomerIdentity

    rng = random.Random(seed)
    known_phones = list(
        CustomerIdentity.objects.filter(kind=CustomerIdentity.Kind.PHONE)
        .order_by("?")
        .values_list("value", flat=True)[: rows // 10]
    )
    known_names = list(
        CustomerIdentity.objects.filter(kind=CustomerIdentity.Kind.NAME)
        .order_by("?")
        .values_list("value", flat=True)[: rows // 20]
    )
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
    cities = ["杭州", "宁波", "温州", "苏州", "南京", "合肥", "武汉", "成都"]
    trades = ["机械", "电子", "贸易", "科技", "建材", "物流", "食品", "纺织"]
    lines = ["姓名,手机号,公司名称,备注"]
    phones: list[str] = []
    for i in range(rows):
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        roll = rng.random()
        if roll < 0.10 and known_phones:
            phone = known_phones.pop()
        elif roll < 0.11 and phones:
            phone = rng.choice(phones)  # repeated in the file
        elif roll < 0.12:
            phone = "12-34"  # not a phone number
        else:
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        phones.append(phone)
        if rng.random() < 0.05 and known_names:
            company = known_names.pop()
        else:
            company = f"{rng.choice(cities)}{rng.choice(cities)[0]}{rng.choice(trades)}{i}有限公司"
        lines.append(f"{name},{phone},{company},第{i}行")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def _import_child(mode: str, rows: int) -> dict[str, Any]:
    from django.db import transaction

    from yingxiao.telesales import imports

    actor = _director()
    content = import_csv(rows)
    out: dict[str, Any] = {"mode": mode, "rows": rows, "file_mb": round(len(content) / 2**20, 1)}
    rss_before = _peak_rss_mb()
    try:
        with transaction.atomic():
            cpu, wall = time.process_time(), time.perf_counter()
            if mode == "import_check":
                report = imports.call_list_check(actor=actor, filename="bench.csv", content=content)
            else:
                _list, report = imports.call_list_import(
                    actor=actor, filename="bench.csv", content=content, name="bench", skip_invalid=True
                )
            out["seconds"] = round(time.perf_counter() - wall, 2)
            out["cpu_seconds"] = round(time.process_time() - cpu, 2)
            out |= {"valid": report.valid_count, "invalid": len(report.invalid), "duplicates": len(report.duplicates)}
            raise _Rollback
    except _Rollback:
        pass
    out["rows_per_s"] = round(rows / out["seconds"])
    out["rows_per_cpu_s"] = round(rows / out["cpu_seconds"]) if out["cpu_seconds"] else None
    out["peak_rss_mb"] = _peak_rss_mb()
    out["rss_before_mb"] = rss_before
    out["pass"] = out["rows_per_s"] >= 5000 and out["peak_rss_mb"] < 500
    return out


# --- agent statistics --------------------------------------------------------------------------
GENERATE_CALLS_SQL = """
WITH agents AS (
    SELECT row_number() OVER (ORDER BY u.id) - 1 AS n, u.id AS agent_id,
           (SELECT p.department_id FROM org_assignment a JOIN org_position p ON p.id = a.position_id
            WHERE a.user_id = u.id ORDER BY a.is_primary DESC, a.id LIMIT 1) AS dept
    FROM org_user u WHERE u.username LIKE 'bench_rep%%'
), n_agents AS (SELECT count(*) AS c FROM agents)
INSERT INTO telesales_calllog
    (entry_id, agent_id, department_id, started_at, duration_seconds, outcome, notes, logged_at)
SELECT %(entry)s, a.agent_id, a.dept, t.started_at, (g * 7919) %% 600,
       (ARRAY['no_answer','busy','wrong_number','not_interested','intent_a','intent_b','intent_c',
              'appointment','deal','no_answer'])[1 + (g * 31) %% 10],
       '', t.started_at
FROM generate_series(1::bigint, %(count)s::bigint) AS g
CROSS JOIN n_agents
JOIN agents a ON a.n = g %% n_agents.c
CROSS JOIN LATERAL (
    SELECT %(start)s::timestamptz + ((g * 104729) %% (%(days)s * 86400)) * interval '1 second' AS started_at
) t
"""


def ensure_calls(url: str, count: int, days: int = 300) -> dict[str, Any]:
    """``count`` calls over ``days`` days ending with BENCH_MONTH, committed once (reused afterwards)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM telesales_calllog").fetchone()[0]
        if have >= count:
            return {"calls": have, "generated": 0}
        started = time.perf_counter()
        with conn.transaction():
            entry = _bench_entry(conn)
            end = dt.datetime.combine(BENCH_MONTH, dt.time(), TZ) + dt.timedelta(days=31)
            conn.execute(
                GENERATE_CALLS_SQL,
                {"entry": entry, "count": count - have, "start": end - dt.timedelta(days=days), "days": days},
            )
        conn.execute("VACUUM (ANALYZE) telesales_calllog")
        return {"calls": count, "generated": count - have, "seconds": round(time.perf_counter() - started, 1)}


def _bench_entry(conn: Any) -> int:
    """One call list and entry the generated calls hang on (the FK needs a row)."""
    row = conn.execute("SELECT id FROM telesales_callentry WHERE phone_normalized = 'bench' LIMIT 1").fetchone()
    if row:
        return row[0]
    user = conn.execute("SELECT id FROM org_user WHERE username = 'bench_director'").fetchone()[0]
    call_list = conn.execute(
        "INSERT INTO telesales_calllist (name, source, script, owner_id, created_by_id, created_at) "
        "VALUES ('bench calls', '', '', %s, %s, now()) RETURNING id",
        [user, user],
    ).fetchone()[0]
    return conn.execute(
        "INSERT INTO telesales_callentry (call_list_id, row_number, name, phone, phone_normalized, company, note, "
        "agent_id, status, category, exclusion_reason, last_outcome) "
        "VALUES (%s, 2, 'bench', 'bench', 'bench', '', '', %s, 'new', '', '', '') RETURNING id",
        [call_list, user],
    ).fetchone()[0]


def _stats_child(repeats: int) -> dict[str, Any]:
    from django.db import connection

    from yingxiao.org.models import User
    from yingxiao.telesales.stats import agent_statistics

    start = BENCH_MONTH
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    out: dict[str, Any] = {"mode": "stats", "month": start.isoformat()}
    actors = {"director": _director()}
    head = User.objects.filter(username__startswith="bench_head").order_by("pk").first()
    if head is not None:
        actors["head"] = head
    for label, actor in actors.items():
        rows = agent_statistics(actor=actor, period="month", start=start, end=end)  # warm (and permission cache)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            rows = agent_statistics(actor=actor, period="month", start=start, end=end)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[label] = {
            "agents": len(rows),
            "calls": sum(r.calls for r in rows),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "n": repeats,
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM telesales_calllog")
        out["total_calls"] = cursor.fetchone()[0]
    out["pass"] = all(out[k]["p95_ms"] <= 300 for k in actors)
    return out


# --- complaint SLA sweep -----------------------------------------------------------------------
def _open_complaints(count: int, as_of: dt.datetime) -> int:
    """``count`` complaints received 30 days before ``as_of``, still open, both deadlines passed, each
    answerable by the head of a bench team (inside the caller's rolled-back transaction)."""
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import Department, Position
    from yingxiao.service.models import Complaint

    departments = list(
        Department.objects.filter(pk__in=Position.objects.filter(is_head=True).values("department_id")).order_by("pk")
    )
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:count])
    received = as_of - dt.timedelta(days=30)
    recorder = _director()
    category = Complaint.Category.SERVICE  # a quality complaint needs product details (check constraint)
    Complaint.objects.bulk_create(
        (
            Complaint(
                received_at=received,
                customer_id=customer,
                complainant="bench",
                contact="13800000000",
                matter="bench",
                category=category,
                responsible_department=departments[i % len(departments)],
                assign_due_at=received + dt.timedelta(days=2),
                close_due_at=received + dt.timedelta(days=10),
                recorded_by=recorder,
            )
            for i, customer in enumerate(customers)
        ),
        batch_size=2000,
    )
    return len(customers)


def _sla_child(mode: str, complaints: int, rule_id: str = "CMP-2") -> dict[str, Any]:
    """The complaint SLA violation sweep (``sla_sweep``) or its dry run (``sla_dry``), rolled back."""
    from django.db import transaction
    from django.utils import timezone

    import yingxiao.service.rules  # noqa: F401  (registers CMP-2/CMP-5)
    from yingxiao.policy import engine

    transaction.on_commit = lambda func, using=None, robust=False: func()  # type: ignore[assignment]
    as_of = timezone.now()
    out: dict[str, Any] = {"mode": mode, "rule": rule_id}
    try:
        with transaction.atomic():
            out["complaints"] = _open_complaints(complaints, as_of)
            cpu, wall = time.process_time(), time.perf_counter()
            result = engine.sweep(rule_id, as_of=as_of, dry_run=mode == "sla_dry")
            out["seconds"] = round(time.perf_counter() - wall, 2)
            out["cpu_seconds"] = round(time.process_time() - cpu, 2)
            out["found"] = result.found
            out["violations"] = result.applied if mode == "sla_sweep" else result.recorded
            raise _Rollback
    except _Rollback:
        pass
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


# --- child process plumbing --------------------------------------------------------------------
def run_child(url: str, args: list[str], timeout: float = 1800) -> dict[str, Any]:
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.telesales", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"mode": args[0], "error": (proc.stderr or proc.stdout)[-600:]}


def telesales_cases(
    url: str, import_rows: int = 100_000, calls: int = 10_000_000, complaints: int = 2_000, repeats: int = 2
) -> dict[str, Any]:
    """All issue-5 cases: best of ``repeats`` child runs each (the statistics: one child, p50/p95 of 20 calls)."""
    result: dict[str, Any] = {"load_start": [round(x, 2) for x in os.getloadavg()]}
    for mode in ("import_check", "import_apply"):
        runs = [run_child(url, [mode, str(import_rows)]) for _ in range(repeats)]
        print(f"    telesales {mode} {json.dumps(runs, ensure_ascii=False)}", flush=True)
        ok = [r for r in runs if "seconds" in r]
        result[mode] = min(ok, key=lambda r: r["seconds"]) if ok else runs[-1]
    result["calls"] = ensure_calls(url, calls)
    result["stats"] = run_child(url, ["stats", "20"])
    print(f"    telesales stats {json.dumps(result['stats'], ensure_ascii=False)}", flush=True)
    for mode in ("sla_sweep", "sla_dry"):
        runs = [run_child(url, [mode, str(complaints)]) for _ in range(repeats)]
        print(f"    complaint {mode} {json.dumps(runs, ensure_ascii=False)}", flush=True)
        ok = [r for r in runs if "seconds" in r]
        result[mode] = min(ok, key=lambda r: r["seconds"]) if ok else runs[-1]
    _vacuum(url)
    result["load_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def add_to_results(args: Any, url: str) -> None:
    """``make bench`` hook: run the cases and add them to results/latest.json and latest.md."""
    from . import report

    print("  telesales (issue 5): import, agent statistics, complaint SLA sweep", flush=True)
    path = report.RESULTS / "latest.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results["telesales"] = telesales_cases(
        url, import_rows=args.import_rows, calls=args.calls, complaints=args.complaints
    )
    if "machine" in results:
        report.write(results)
    else:  # no HTTP results to add to: keep the JSON only
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def markdown_lines(result: dict[str, Any] | None) -> list[str]:
    """The issue-5 table for latest.md."""
    if not result:
        return []
    lines = [
        "",
        f"Telesales and complaints (issue 5; each run in its own process, writes rolled back; load at the start "
        f"{result.get('load_start')}, at the end {result.get('load_end')}):",
        "",
        "| case | figure | CPU | peak RSS MB | target | result |",
        "|---|---|---|---:|---|---|",
    ]
    for mode, title in (("import_check", "call-list check (TEL-1 dry run)"), ("import_apply", "call-list import")):
        r = result.get(mode) or {}
        if not r:
            continue
        if "error" in r:
            lines.append(f"| {title} | ERROR: {str(r['error'])[:80]} | – | – | ≥ 5,000 rows/s, < 500 MB | – |")
            continue
        verdict = "**PASS**" if r.get("pass") else "**FAIL**"
        lines.append(
            f"| {title}, {r.get('rows'):,} rows | {r.get('rows_per_s'):,} rows/s ({r.get('seconds')} s) | "
            f"{r.get('cpu_seconds')} s ({r.get('rows_per_cpu_s'):,} rows/CPU-s) | {r.get('peak_rss_mb')} | "
            f"≥ 5,000 rows/s, < 500 MB | {verdict} |"
        )
    stats = result.get("stats") or {}
    for actor in ("director", "head"):
        r = stats.get(actor)
        if r:
            verdict = "**PASS**" if r["p95_ms"] <= 300 else "**FAIL**"
            lines.append(
                f"| agent statistics, one month ({stats.get('total_calls', 0):,} calls; {r['calls']:,} in the "
                f"month), {actor} | p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (n {r['n']}) | – | – | "
                f"p95 ≤ 300 ms | {verdict} |"
            )
    if "error" in stats:
        lines.append(f"| agent statistics | ERROR: {str(stats['error'])[:80]} | – | – | p95 ≤ 300 ms | – |")
    for mode, title in (("sla_sweep", "complaint SLA sweep CMP-2 (apply)"), ("sla_dry", "same, dry run")):
        r = result.get(mode) or {}
        if not r:
            continue
        if "error" in r:
            lines.append(f"| {title} | ERROR: {str(r['error'])[:80]} | – | – | ≤ 2× raw SQL | – |")
            continue
        lines.append(
            f"| {title}, {r.get('complaints')} overdue complaints | {r.get('seconds')} s, {r.get('violations')} "
            f"violations | {r.get('cpu_seconds')} s | {r.get('peak_rss_mb')} | ≤ 2× raw SQL | no SQL baseline yet |"
        )
    return lines


def _vacuum(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in (
            "telesales_calllist",
            "telesales_callentry",
            "service_complaint",
            "policy_ruleresult",
            "performance_violation",
        ):
            with contextlib.suppress(psycopg.Error):
                conn.execute(f"VACUUM (ANALYZE) {table}")


def main() -> int:
    mode = sys.argv[1]
    import django

    django.setup()
    if mode in ("import_check", "import_apply"):
        out = _import_child(mode, int(sys.argv[2]))
    elif mode == "stats":
        out = _stats_child(int(sys.argv[2]))
    else:
        out = _sla_child(mode, int(sys.argv[2]))
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
