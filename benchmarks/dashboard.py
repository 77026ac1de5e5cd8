"""The dashboard, customer-import and export cases (issue 7).

Run: ``python -m benchmarks.dashboard [--url postgres://…] [--only dashboard,import,export]``.
Every case runs in a child process of its own (``python -m benchmarks.dashboard child MODE …``) so its
peak RSS is the case's; writes happen inside ONE transaction that is rolled back.

- ``dashboard``: ``GET /reports/?period=…`` (every KPI) through Django's test client in-process
  (``config.settings.base``, DEBUG off), as ``bench_director`` (all scope) and as a rep (own
  scope, the median rep by customers). Warm-up, then ``--requests`` timed requests each; p50/p95.
  The same request is captured (``CaptureQueriesContext``), every statement re-run directly and
  the slowest explained (``sqlcost.time_reads``); each KPI's figure is also timed on its own.
  Targets: director p95 ≤ 500 ms, rep p95 ≤ 200 ms.
- ``import_check`` / ``import_apply``: ``customers.imports.customer_import_check`` (dry run:
  parse, validate, repeats in the file, CUS-2 duplicates) and ``customer_import_apply`` (the same,
  then customers, identity keys and first versions written: COPY and INSERT … SELECT on
  PostgreSQL, ``customers.imports_write``) on a generated GBK CSV of
  ``--import-rows`` rows (5% phones and 3% names already in the archive, 1% bad, 1% repeated),
  as bench_director. The apply's time includes the foreign-key checks its commit would run
  (``SET CONSTRAINTS ALL IMMEDIATE`` before the rollback; also reported alone). The tables it
  writes are vacuumed before and after (rolled-back rows leave index entries until a VACUUM).
  Rows/s by wall and CPU time, peak RSS. Target ≥ 5,000 rows/s, < 500 MB.
- ``export_csv`` / ``export_xlsx``: the customer list's export (``customers.exports``: the list's
  rows and columns) through ``core.exports.export_response`` (permission, caps, log,
  escaping — the path of every export view) of ``--export-rows`` customers as bench_director; the
  response is consumed as a client would (the CSV streamed chunk by chunk, the XLSX file
  streamed from its temporary file). Peak RSS target < 300 MB.

Data: the base (``benchmarks.run``: customers, activities, org). Contracts/orders come from
``benchmarks/sales.py`` and calls from ``benchmarks/telesales.py`` when they have run (reported, not
required). The summaries the dashboard reads need no step here: the receivables day summary and the
return-visit schedule (links, anchors, anchor days; ``activities`` migrations 0005/0006) are kept by
PostgreSQL triggers through the generators' COPY and TRUNCATE, the agents' day rows are rebuilt by
``benchmarks/telesales.py`` after its bulk insert. This module adds only target
plans (PLN-1, for the plan-achievement KPI): for ``--period``'s year and the sales and
new-customer metrics, a published plan of the centre with 12 month targets, each split over every
bench rep — ``INSERT … SELECT`` once, recorded in ``bench_meta`` under ``dashboard``, reused after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yingxiao_bench")
TARGETS = {"director_p95_ms": 500, "rep_p95_ms": 200, "import_rows_per_s": 5000, "import_rss_mb": 500,
           "export_rss_mb": 300}  # fmt: skip
META_KEY = "dashboard"
GENERATOR = "1"


class _Rollback(Exception):
    pass


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


# --- generator: target plans ------------------------------------------------------------------
TARGETS_SQL = """
WITH root_dept AS (SELECT id FROM org_department WHERE parent_id IS NULL ORDER BY id LIMIT 1),
director AS (SELECT id FROM org_user WHERE username = 'bench_director'),
reps AS (
    SELECT u.id AS user_id,
           (SELECT p.department_id FROM org_assignment a JOIN org_position p ON p.id = a.position_id
            WHERE a.user_id = u.id ORDER BY a.is_primary DESC, a.id LIMIT 1) AS dept
    FROM org_user u WHERE u.username LIKE 'bench_rep%%'
),
plan AS (
    INSERT INTO planning_targetplan (year, metric, department_id, name, status, created_by_id, created_at,
                                     published_at)
    SELECT %(year)s, %(metric)s::text, root_dept.id, 'bench ' || %(metric)s::text, 'published', director.id,
           now(), now()
    FROM root_dept, director
    RETURNING id, department_id
),
root AS (
    INSERT INTO planning_target (plan_id, parent_id, period_kind, period_index, department_id, person_id, amount,
                                 difference_note, explained_difference)
    SELECT plan.id, NULL, 'year', 0, plan.department_id, NULL, %(per_rep)s * 12 * (SELECT count(*) FROM reps), '', NULL
    FROM plan
    RETURNING id, plan_id, department_id
),
months AS (
    INSERT INTO planning_target (plan_id, parent_id, period_kind, period_index, department_id, person_id, amount,
                                 difference_note, explained_difference)
    SELECT root.plan_id, root.id, 'month', m, root.department_id, NULL, %(per_rep)s * (SELECT count(*) FROM reps),
           '', NULL
    FROM root CROSS JOIN generate_series(1, 12) AS m
    RETURNING id, plan_id, period_index
)
INSERT INTO planning_target (plan_id, parent_id, period_kind, period_index, department_id, person_id, amount,
                             difference_note, explained_difference)
SELECT months.plan_id, months.id, 'month', months.period_index, reps.dept, reps.user_id, %(per_rep)s, '', NULL
FROM months CROSS JOIN reps WHERE reps.dept IS NOT NULL
"""


def ensure_targets(url: str, year: int) -> dict[str, Any]:
    """Published sales and new-customer plans for ``year`` (root → 12 months → every rep), once."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        row = conn.execute("SELECT value FROM bench_meta WHERE key = %s", [META_KEY]).fetchone()
        wanted = {"generator": GENERATOR, "year": year}
        plans = conn.execute(
            "SELECT count(*) FROM planning_targetplan WHERE year = %s AND name LIKE 'bench %%'", [year]
        ).fetchone()[0]
        if row and row[0].get("generator") == GENERATOR and row[0].get("year") == year and plans == 2:
            return {**row[0], "generated": False}
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("DELETE FROM planning_target WHERE plan_id IN "
                         "(SELECT id FROM planning_targetplan WHERE name LIKE 'bench %%')")  # fmt: skip
            conn.execute("DELETE FROM planning_targetplan WHERE name LIKE 'bench %%'")
            for metric, per_rep in (("sales", 200000), ("new_customers", 20)):
                conn.execute(TARGETS_SQL, {"year": year, "metric": metric, "per_rep": per_rep})
        targets = conn.execute(
            "SELECT count(*) FROM planning_target t JOIN planning_targetplan p ON p.id = t.plan_id "
            "WHERE p.name LIKE 'bench %%'"
        ).fetchone()[0]
        conn.execute("VACUUM (ANALYZE) planning_target")
        meta = {**wanted, "targets": targets, "seconds": round(time.perf_counter() - started, 2)}
        conn.execute(
            "INSERT INTO bench_meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [META_KEY, json.dumps(meta)],
        )
        return {**meta, "generated": True}


def data_sizes(url: str) -> dict[str, int | None]:
    import psycopg

    sizes: dict[str, int | None] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("customers_customer", "activities_activity", "sales_order", "sales_contract",
                      "sales_instalment", "planning_target", "telesales_calllog", "telesales_agentday",
                      "activities_returnvisitlink", "activities_returnvisitanchor",
                      "activities_returnvisitanchorday"):  # fmt: skip
            try:
                # The planner's estimate: counting 10M rows exactly would take longer than the cases.
                sizes[table] = int(
                    conn.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table]).fetchone()[0]
                )
            except (psycopg.Error, TypeError):
                sizes[table] = None
    return sizes


# --- dashboard ---------------------------------------------------------------------------------
def _rep() -> Any:
    from django.db.models import Count

    from yingxiao.org.models import User

    reps = list(
        User.objects.filter(username__startswith="bench_rep")
        .annotate(n=Count("owned_customers"))
        .order_by("n", "pk")
        .values_list("pk", flat=True)
    )
    return User.objects.get(pk=reps[len(reps) // 2])


def _director() -> Any:
    from yingxiao.org.models import User

    return User.objects.get(username="bench_director")


def _dashboard_child(url: str, period: str, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yingxiao.org.models import User
    from yingxiao.reports import kpis
    from yingxiao.reports.periods import parse_period

    from .sqlcost import time_reads

    out: dict[str, Any] = {"period": period, "requests": requests}
    path = f"/reports/?period={period}"
    for label, user in (("director", _director()), ("rep", _rep())):
        client = Client()
        client.force_login(user)
        status = client.get(path).status_code  # warm: per-process caches (permissions, scope)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        # Re-run as the dashboard runs them: without JIT (``reports.kpis.no_jit``).
        cost = time_reads(url + ("&" if "?" in url else "?") + "options=-cjit%3Doff", list(ctx.captured_queries))
        viewer = User.objects.get(pk=user.pk)
        parsed = parse_period(period)
        per_kpi = {}
        for kpi in kpis.KPIS:
            started = time.perf_counter()
            figure = kpi.figure(viewer, parsed, None)
            per_kpi[kpi.code] = {
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "value": None if figure.value is None else str(figure.value),
                "total": figure.total,
            }
        out[label] = {
            "user": user.username,
            "status": status,
            "p50_ms": _pct(times, 0.5),
            "p95_ms": _pct(times, 0.95),
            "max_ms": round(max(times), 1),
            "sql": {k: v for k, v in cost.items() if k != "plan"},
            "plan": cost["plan"],
            "kpis": per_kpi,
        }
    out["director"]["pass"] = out["director"]["p95_ms"] <= TARGETS["director_p95_ms"]
    out["rep"]["pass"] = out["rep"]["p95_ms"] <= TARGETS["rep_p95_ms"]
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


# --- customer import ---------------------------------------------------------------------------
def import_csv(rows: int, seed: int = 7) -> bytes:
    """A GBK customer list: 5% phones and 3% names already in the archive, 1% bad, 1% repeated."""
    from yingxiao.customers.models import Customer

    rng = random.Random(seed)
    known = list(Customer.objects.order_by("?").values_list("name", "phone")[: rows // 20])
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    cities = ["杭州", "宁波", "温州", "苏州", "南京", "合肥", "武汉", "成都"]
    trades = ["机械", "电子", "贸易", "科技", "建材", "物流", "食品", "纺织"]
    suffixes = ["有限公司", "股份有限公司", "有限责任公司", "厂", "集团"]
    lines = ["客户名称,电话,地区,行业,备注"]
    previous = ""
    for i in range(rows):
        roll = rng.random()
        city = rng.choice(cities)
        name = f"{city}{rng.choice(surnames)}{rng.choice(trades)}{i:06d}{rng.choice(suffixes)}"
        phone = f"1{rng.choice('3456789')}{(i * 7919 + 13_000_000) % 1_000_000_000:09d}"
        if roll < 0.05 and known:
            phone = known[i % len(known)][1] or phone
        elif roll < 0.08 and known:
            name = known[i % len(known)][0]
        elif roll < 0.09:
            phone = "12345"  # bad
        elif roll < 0.10 and previous:
            lines.append(previous)  # repeated row
            continue
        line = f"{name},{phone},{city},{rng.choice(trades)},展会名单"
        lines.append(line)
        previous = line
    return ("\n".join(lines) + "\n").encode("gbk")


def _import_child(mode: str, rows: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from yingxiao.customers import imports

    actor = _director()
    content = import_csv(rows)
    out: dict[str, Any] = {"mode": mode, "rows": rows, "file_mb": round(len(content) / 2**20, 1)}
    out["rss_before_mb"] = _peak_rss_mb()
    try:
        with transaction.atomic():
            cpu, wall = time.process_time(), time.perf_counter()
            if mode == "import_check":
                report = imports.customer_import_check(actor=actor, filename="bench.csv", content=content)
            else:
                _ids, report, _allocation = imports.customer_import_apply(
                    actor=actor, filename="bench.csv", content=content, skip_invalid=True
                )
                # What the commit would check: the deferred foreign keys of every row written.
                checks = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                out["commit_checks_s"] = round(time.perf_counter() - checks, 2)
            out["seconds"] = round(time.perf_counter() - wall, 2)
            out["cpu_seconds"] = round(time.process_time() - cpu, 2)
            out |= {
                "accepted": len(report.accepted),
                "invalid": len(report.invalid),
                "duplicates": len(report.duplicates),
            }
            raise _Rollback
    except _Rollback:
        pass
    out["rows_per_s"] = round(rows / out["seconds"])
    out["rows_per_cpu_s"] = round(rows / out["cpu_seconds"]) if out["cpu_seconds"] else None
    out["peak_rss_mb"] = _peak_rss_mb()
    out["pass"] = out["rows_per_s"] >= TARGETS["import_rows_per_s"] and out["peak_rss_mb"] < TARGETS["import_rss_mb"]
    return out


# Every table the apply writes. Its rows are rolled back, but their index entries stay until a
# VACUUM (the bench server runs no autovacuum): without one, each run would find the indexes
# bloated by the runs before it.
IMPORT_TABLES = ("customers_customer", "customers_customeridentity", "customers_historicalcustomer",
                 "customers_contact", "customers_historicalcontact", "customers_duplicateattempt")  # fmt: skip


def vacuum_import_tables(url: str) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM (ANALYZE) {', '.join(IMPORT_TABLES)}")
    return round(time.perf_counter() - started, 1)


# --- export ------------------------------------------------------------------------------------
def _export_child(mode: str, rows: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils.translation import gettext as _

    from yingxiao.archives.models import ExportLog
    from yingxiao.core.exports import INLINE_MAX_BYTES, export_response
    from yingxiao.customers import exports

    actor = _director()
    fmt = "csv" if mode == "export_csv" else "xlsx"
    out: dict[str, Any] = {"mode": mode, "rows": rows, "rss_before_mb": _peak_rss_mb()}
    # The customer list's export (``customers:export``) without a filter, its first ``rows`` rows.
    queryset = exports.customer_export_rows(actor, {})[:rows]
    columns = exports.columns()
    try:
        with transaction.atomic():  # the ExportLog row is rolled back
            wall = time.perf_counter()
            response = export_response(
                actor,
                list_name=exports.LIST_NAME,
                filename="customers",
                rows=queryset,
                columns=columns,
                title=_("Customers"),
                fmt=fmt,
            )
            first = None
            size = 0
            chunks = response.streaming_content if response.streaming else [response.content]
            for chunk in chunks:
                if first is None:
                    first = time.perf_counter() - wall
                size += len(chunk)
            out["seconds"] = round(time.perf_counter() - wall, 2)
            out["first_byte_s"] = round(first or 0, 3)
            out["mb"] = round(size / 2**20, 1)
            out["streamed"] = bool(response.streaming)
            out["exported"] = ExportLog.objects.filter(list_name=exports.LIST_NAME).latest("pk").row_count
            raise _Rollback
    except _Rollback:
        pass
    out["rows_per_s"] = round(out["exported"] / out["seconds"])
    out["peak_rss_mb"] = _peak_rss_mb()
    # A file up to INLINE_MAX_BYTES is sent as one body by design; anything larger must stream.
    streams = out["streamed"] or out["mb"] * 2**20 <= INLINE_MAX_BYTES
    out["pass"] = out["exported"] == rows and streams and out["peak_rss_mb"] < TARGETS["export_rss_mb"]
    return out


# --- plumbing ----------------------------------------------------------------------------------
def run_child(url: str, args: list[str], timeout: float = 1800) -> dict[str, Any]:
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.dashboard", "child", *args],
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
    return {"mode": args[0], "error": (proc.stderr or proc.stdout)[-800:]}


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if "seconds" in r]
    return min(ok, key=lambda r: r["seconds"]) if ok else runs[-1]


def run_cases(args: argparse.Namespace) -> dict[str, Any]:
    only = set(args.only.split(",")) if args.only else {"dashboard", "import", "export"}
    result: dict[str, Any] = {
        "database": args.url.rsplit("/", 1)[-1],
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "targets": TARGETS,
    }
    result["data"] = data_sizes(args.url)
    if "dashboard" in only:
        result["targets_data"] = ensure_targets(args.url, int(args.period[:4]))
        result["dashboard"] = run_child(args.url, ["dashboard", args.url, args.period, str(args.requests)])
        print("dashboard", json.dumps(result["dashboard"], default=str)[:1500], flush=True)
    if "import" in only:
        result["import_vacuum_s"] = vacuum_import_tables(args.url)  # what earlier rolled-back runs left
        for mode in ("import_check", "import_apply"):
            runs = [run_child(args.url, [mode, str(args.import_rows)]) for _ in range(args.repeats)]
            print(mode, json.dumps(runs, ensure_ascii=False), flush=True)
            result[mode] = _best(runs)
        vacuum_import_tables(args.url)
    if "export" in only:
        for mode in ("export_csv", "export_xlsx"):
            runs = [run_child(args.url, [mode, str(args.export_rows)]) for _ in range(args.repeats)]
            print(mode, json.dumps(runs, ensure_ascii=False), flush=True)
            result[mode] = _best(runs)
    result["load_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("**PASS**" if ok else "**FAIL**")


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Dashboard, customer import and export (issue 7)",
        "",
        f"Database `{result.get('database')}` at {result.get('at')}; load at the start {result.get('load_start')}, "
        f"at the end {result.get('load_end')} (2 cores shared with other sessions: absolute times are pessimistic).",
        "",
        "Data (planner estimates): "
        + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} –" for k, v in (result.get("data") or {}).items()),
        "",
        "| case | figure | SQL | peak RSS MB | target | result |",
        "|---|---|---|---:|---|---|",
    ]
    board = result.get("dashboard") or {}
    if "error" in board:
        lines.append(f"| dashboard | ERROR: {str(board['error'])[-200:]} | – | – | – | – |")
    for label, target in (("director", TARGETS["director_p95_ms"]), ("rep", TARGETS["rep_p95_ms"])):
        r = board.get(label)
        if not r:
            continue
        sql = r["sql"]
        lines.append(
            f"| dashboard, all KPIs, {label} ({r['user']}), {board.get('requests')} requests | p50 {r['p50_ms']} ms, "
            f"p95 {r['p95_ms']} ms | {sql['queries']} queries, {sql['db_ms']} ms (slowest {sql['slowest_ms']} ms) | "
            f"{board.get('peak_rss_mb')} | p95 ≤ {target} ms | {_verdict(r.get('pass'))} |"
        )
    for mode, title in (("import_check", "customer import, dry run"), ("import_apply", "customer import, apply")):
        r = result.get(mode)
        if not r:
            continue
        if "error" in r:
            lines.append(f"| {title} | ERROR: {str(r['error'])[-200:]} | – | – | – | – |")
            continue
        lines.append(
            f"| {title}, {r['rows']:,} rows ({r['accepted']:,} accepted, {r['duplicates']:,} duplicates, "
            f"{r['invalid']:,} invalid) | {r['rows_per_s']:,} rows/s ({r['seconds']} s; CPU {r['cpu_seconds']} s"
            + (f"; of which commit checks {r['commit_checks_s']} s" if "commit_checks_s" in r else "")
            + ") "
            "| – | "
            f"{r['peak_rss_mb']} | ≥ 5,000 rows/s, < 500 MB | {_verdict(r.get('pass'))} |"
        )
    for mode, title in (("export_csv", "export CSV"), ("export_xlsx", "export XLSX")):
        r = result.get(mode)
        if not r:
            continue
        if "error" in r:
            lines.append(f"| {title} | ERROR: {str(r['error'])[-200:]} | – | – | – | – |")
            continue
        lines.append(
            f"| {title}, {r['exported']:,} of {r['rows']:,} customers asked | {r['seconds']} s "
            f"({r['rows_per_s']:,} rows/s), {r['mb']} MB, "
            f"first byte {r['first_byte_s']} s, streamed {r['streamed']} | – | {r['peak_rss_mb']} | "
            "streams, < 300 MB | "
            f"{_verdict(r.get('pass'))} |"
        )
    for label in ("director", "rep"):
        r = board.get(label)
        if not r:
            continue
        lines += ["", f"Per KPI, {label} (figure alone, ms): "
                  + ", ".join(f"{code} {v['ms']}" for code, v in r["kpis"].items())]  # fmt: skip
        lines += ["", f"Slowest statement ({label}, {r['sql']['slowest_ms']} ms):", "", "```sql",
                  r["sql"]["slowest_sql"][:1500], "```", "", "```", r["plan"][:4000], "```"]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_results(result: dict[str, Any], suffix: str = "") -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"dashboard{suffix}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    (RESULTS / f"dashboard{suffix}.md").write_text(markdown(result), encoding="utf-8")


def child_main(argv: list[str]) -> int:
    import django

    django.setup()
    mode = argv[0]
    if mode == "dashboard":
        out = _dashboard_child(argv[1], argv[2], int(argv[3]))
    elif mode in ("import_check", "import_apply"):
        out = _import_child(mode, int(argv[1]))
    else:
        out = _export_child(mode, int(argv[1]))
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        return child_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--only", default="", help="dashboard,import,export")
    parser.add_argument("--period", default="2026-10", help="the dashboard period (YYYY-MM, YYYY-Qn, YYYY)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--suffix", default="", help="results file suffix, e.g. -small")
    args = parser.parse_args()
    result = run_cases(args)
    write_results(result, args.suffix)
    print((RESULTS / f"dashboard{args.suffix}.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
