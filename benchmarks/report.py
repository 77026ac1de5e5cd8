"""Results: benchmarks/results/latest.json (everything) and latest.md (the table the README includes)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import psycopg

from .telesales import markdown_lines as telesales_lines

RESULTS = Path(__file__).resolve().parent / "results"


def case_dict(case: Any) -> dict[str, Any]:
    r = dict(case.result)
    sql = r.get("sql", {})
    db_ms = sql.get("db_ms")
    if db_ms and "p50_ms" in r:
        r["http_over_db"] = round(r["p50_ms"] / db_ms, 1) if db_ms > 0 else None
    return {"case": case.name, "title": case.title, "actor": case.actor.label, **r}


def one_line(case: Any) -> str:
    r = case.result
    if "error" in r:
        return f"ERROR {r['error'][:160]}"
    sql = r.get("sql", {})
    verdict = "PASS" if r.get("pass") else "FAIL"
    return (
        f"p50 {r['p50_ms']:6.1f}  p95 {r['p95_ms']:6.1f} ms  (db {sql.get('db_ms', float('nan')):6.2f} ms, "
        f"{sql.get('queries', '?')} q)  {r.get('target', '')}  {verdict}"
    )


def _machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem_gb = round(mem_kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def environment(url: str) -> dict[str, Any]:
    import django

    from yingxiao.activities.models import Activity
    from yingxiao.customers.models import Customer, CustomerIdentity

    tables = [Customer._meta.db_table, CustomerIdentity._meta.db_table, Activity._meta.db_table]
    with psycopg.connect(url, autocommit=True) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in ("shared_buffers", "work_mem", "jit")}
        sizes = {}
        for table in tables:
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            total, heap = conn.execute(
                "SELECT pg_total_relation_size(%s::regclass), pg_relation_size(%s::regclass)", [table, table]
            ).fetchone()
            sizes[table] = {"rows": rows, "heap_mb": round(heap / 2**20), "total_mb": round(total / 2**20)}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, cwd=RESULTS.parent
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": _machine(),
        "postgres": {"version": pg, **settings},
        "django": django.get_version(),
        "tables": sizes,
    }


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{value:.1f}{unit}" if isinstance(value, float) else f"{value}{unit}"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    tables = results["tables"]
    lines = [
        "# Benchmark — 1M customers / 10M activities",
        "",
        f"{results['timestamp']} · commit {results.get('commit') or '?'} · {m['cpu']} ({m['cores']} cores, "
        f"{m['memory_gb']} GB) · PostgreSQL {results['postgres']['version']} (shared_buffers "
        f"{results['postgres']['shared_buffers']}) · Django {results['django']} · gunicorn 2 sync workers, "
        f"loopback, token auth · load average (1, 5, 15 min) at the start {m.get('load_average_start', '?')}, "
        f"at the end {m.get('load_average')}; the 1-minute load when each case started is in the load column "
        "(other work on this 2-core machine inflates every figure)",
        "",
        "Data: " + ", ".join(f"{t} {v['rows']:,} rows ({v['total_mb']:,} MB with indexes)" for t, v in tables.items()),
        "",
        "| case | actor | n | p50 ms | p95 ms | target | result | SQL ms | queries | HTTP p50 / SQL | load |",
        "|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|",
    ]
    for c in results["cases"]:
        sql = c.get("sql", {})
        verdict = "**PASS**" if c.get("pass") else "**FAIL**"
        if "error" in c:
            lines.append(f"| {c['title']} | {c['actor']} | – | – | – | – | ERROR: {c['error'][:80]} | – | – | – | – |")
            continue
        lines.append(
            f"| {c['title']} | {c['actor']} | {c['requests']} | {_fmt(c['p50_ms'])} | {_fmt(c['p95_ms'])} | "
            f"{c.get('target', '')} | {verdict} | {_fmt(sql.get('db_ms'))} | {_fmt(sql.get('queries'))} | "
            f"{_fmt(c.get('http_over_db'), '×')} | {_fmt(c.get('load_1m'))} |"
        )
    if results["throughput"]:
        lines += ["", "| throughput | actor | concurrency | requests | req/s | p95 ms | target | result | load |"]
        lines += ["|---|---|---:|---:|---:|---:|---|---|---:|"]
        for t in results["throughput"]:
            verdict = "**PASS**" if t.get("pass") else "**FAIL**"
            lines.append(
                f"| {t['case']} | {t['actor']} | {t.get('concurrency', '–')} | {t.get('requests', '–')} | "
                f"{_fmt(t.get('rps'))} | {_fmt(t.get('p95_ms'))} | {t['target']} | {verdict} | "
                f"{_fmt(t.get('load_1m'))} |"
            )
    lines += _pool_lines(results.get("pool_sweep"))
    lines += telesales_lines(results.get("telesales"))
    gen = results.get("generation") or {}
    if gen.get("copies"):
        lines += ["", "Generation" + (" (reused from an earlier run)" if gen.get("reused") else "") + ":"]
        for c in gen["copies"]:
            lines.append(
                f"- COPY {c['table']}: {c['rows']:,} rows in {c['seconds']:.1f} s ({c['rows_per_s']:,} rows/s)"
            )
        lines.append(
            f"- indexes and constraints rebuilt in {gen.get('index_seconds')} s, VACUUM ANALYZE "
            f"{gen.get('vacuum_seconds')} s, total {gen.get('total_seconds')} s"
        )
    if results.get("notes"):
        lines += ["", *[f"- {n}" for n in results["notes"]]]
    lines += ["", "SQL ms: the request's captured statements re-executed directly (median of 7), or for writes the"]
    lines += ["statement times inside a rolled-back transaction. Plans: latest.json → cases[].sql.plan.", ""]
    return "\n".join(lines)


def _pool_lines(pool: dict[str, Any] | None) -> list[str]:
    """The CUS-7 sweep table: hand-written UPDATE, sweep, dry run; time, rows, peak RSS."""
    if not pool:
        return []
    lines = [
        "",
        f"Pool sweep (CUS-7 release, as of {pool.get('as_of', '?')}; each run in its own process, inside one "
        "transaction that is rolled back; best of the runs):",
        "",
        "| run | released | seconds | peak RSS MB (process) | target | result |",
        "|---|---:|---:|---:|---|---|",
    ]
    titles = {
        "sql": ("one hand-written SQL UPDATE (`pool.HAND_WRITTEN_RELEASE_SQL`)", "baseline", None),
        "sweep": ("full sweep, policy engine (`sweep('CUS-7')`)", "≤ 2× the UPDATE", pool.get("pass_sweep")),
        "dry": ("dry run of the same sweep (found, not applied)", "≤ 1.1× the sweep", pool.get("pass_dry")),
    }
    for mode, (title, target, passed) in titles.items():
        run = pool.get(mode) or {}
        if "error" in run:
            lines.append(f"| {title} | – | – | – | {target} | ERROR: {str(run['error'])[:80]} |")
            continue
        verdict = "–" if passed is None else ("**PASS**" if passed else "**FAIL**")
        lines.append(
            f"| {title} | {_fmt(run.get('released'))} | {_fmt(run.get('seconds'))} | "
            f"{_fmt(run.get('peak_rss_mb'))} (from {_fmt(run.get('rss_before_mb'))}) | {target} | {verdict} |"
        )
    if pool.get("sweep_over_sql") is not None:
        lines += ["", f"Sweep / UPDATE: {pool['sweep_over_sql']}×; dry run / sweep: {pool.get('dry_over_sweep')}×."]
    return lines


def write(results: dict[str, Any]) -> list[Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    j, md = RESULTS / "latest.json", RESULTS / "latest.md"
    j.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    md.write_text(markdown(results), encoding="utf-8")
    return [j, md]
