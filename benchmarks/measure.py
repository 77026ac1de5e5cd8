"""Measure every case through gunicorn (HTTP) and on its own SQL, then write the results."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import traceback
from typing import Any

import psycopg
from django.utils import timezone

from . import pool as pool_bench
from . import report
from .cases import TARGETS, Actor, Case, build_cases, claim_case
from .httpload import UnexpectedStatus, latency_run, throughput_run
from .org import DIRECTOR
from .server import Gunicorn
from .sqlcost import capture, time_reads, time_write


def _actors() -> tuple[Actor, Actor]:
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from yingxiao.org.models import User

    reps = list(
        User.objects.filter(username__startswith="bench_rep")
        .annotate(n=Count("owned_customers"))
        .order_by("n", "pk")
        .values_list("pk", "n")
    )
    median_pk, _n = reps[len(reps) // 2]
    rep_user = User.objects.get(pk=median_pk)
    director_user = User.objects.get(username=DIRECTOR)
    actors = []
    for label, user in (("rep (own)", rep_user), ("director (all)", director_user)):
        token, _ = Token.objects.get_or_create(user=user)
        actors.append(Actor(label, user, token.key))
    return actors[0], actors[1]


def _session_cookie(user: Any) -> str:
    """A real session row for the user (what the login form would create), as a Cookie header."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _next_run_id(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        row = conn.execute(
            """
            INSERT INTO bench_meta VALUES ('runs', '1') ON CONFLICT (key)
            DO UPDATE SET value = to_jsonb((bench_meta.value)::int + 1) RETURNING value
            """
        ).fetchone()
    return int(row[0]) % 10_000


def _judge(case: Case) -> None:
    r = case.result
    limit = TARGETS[case.target]
    if "error" in r:
        r["pass"] = False
        return
    r["target"] = f"p95 ≤ {limit:g} ms"
    r["pass"] = r["p95_ms"] <= limit


def _sql_cost(case: Case, url: str) -> dict[str, Any]:
    # A write is made with an index the HTTP loop never uses (it would be a duplicate), and rolled back.
    call = case.make(3_999 if case.write else 0)
    login = case.actor.user if case.session else None
    if case.write:
        return time_write(call, login_user=login)
    status, queries = capture(call, login_user=login)
    if status not in case.expect:
        return {"error": f"in-process request answered {status}"}
    return time_reads(url, queries)


def _route_customers_api() -> str | None:
    """Use the fallback URLconf when the customers API exists but is not routed; returns its settings module."""
    from django.conf import settings
    from django.urls import NoReverseMatch, clear_url_caches, reverse

    try:
        reverse("customer-list")
        return None
    except NoReverseMatch:
        pass
    try:
        import yingxiao.customers.api  # noqa: F401
    except ImportError:
        return None
    settings.ROOT_URLCONF = "benchmarks.urls"
    clear_url_caches()
    return "benchmarks.settings"


def _wait_for_quiet(args: argparse.Namespace) -> None:
    """With ``--max-load L``: wait (at most ``--max-wait`` s) until the 1-minute load average is below L."""
    if not args.max_load:
        return
    deadline = time.monotonic() + args.max_wait
    while os.getloadavg()[0] > args.max_load and time.monotonic() < deadline:
        time.sleep(5)


def measure_all(args: argparse.Namespace, url: str, generation: dict[str, Any]) -> int:
    rep, director = _actors()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    fallback = _route_customers_api()
    run_id = _next_run_id(url)
    only = {name for name in args.only.split(",") if name}
    results: dict[str, Any] = {"generation": generation, "cases": [], "throughput": [], "notes": []}
    if fallback:
        results["notes"].append(
            "the customers API is not in yingxiao/api/urls.py yet: measured through benchmarks/urls.py, "
            "which routes yingxiao.customers.api.register under /api/v1/"
        )
    with Gunicorn(url, settings_module=fallback or "config.settings.base") as server:
        print(f"gunicorn on 127.0.0.1:{server.port} (2 workers); rep = {rep.user.username}", flush=True)
        for actor in (rep, director):
            actor.cookie = _session_cookie(actor.user)
        cases, notes = build_cases(rep, director, run_id)
        results["notes"] += notes
        fixture = None
        if not only or "claim" in only:
            fixture = pool_bench.ClaimFixture.create(args.requests + 12)
            claim = claim_case(rep, pool_bench.claim_actors(200), [c[0] for c in fixture.customers], args.requests)
            if claim is None:
                results["notes"].append("no pool claim endpoint ('pool-claim'): claim case skipped")
            else:
                cases.append(claim)
        try:
            _latency_cases(cases, only, args, server, url, results)
        finally:
            if fixture is not None:
                fixture.restore()
        _throughput_cases(cases, only, args, server, results)
    if not args.skip_pool and (not only or "pool_sweep" in only):
        print("  pool sweep (CUS-7) vs one hand-written UPDATE, each in a rolled-back transaction", flush=True)
        as_of = dt.datetime.fromisoformat(args.pool_as_of) if args.pool_as_of else timezone.now()
        results["pool_sweep"] = pool_bench.sweep_cases(url, as_of, repeats=args.pool_repeats)
    results |= report.environment(url)
    results["machine"]["load_average_start"] = load_at_start
    if args.merge:
        results = _merged(results)
    paths = report.write(results)
    print(f"results: {', '.join(str(p) for p in paths)}")
    failed = [c for c in results["cases"] + results["throughput"] if not c.get("pass")]
    print(f"{len(results['cases']) + len(results['throughput']) - len(failed)} passed, {len(failed)} failed")
    print(json.dumps({"failed": [f"{c.get('actor')}: {c.get('case')}" for c in failed]}, ensure_ascii=False))
    return 0


def _merged(new: dict[str, Any]) -> dict[str, Any]:
    """``--merge``: the previous results with this run's cases (and pool sweep) replacing theirs."""
    path = report.RESULTS / "latest.json"
    if not path.exists():
        return new
    old = json.loads(path.read_text(encoding="utf-8"))
    for key in ("cases", "throughput"):
        fresh = {(c.get("case"), c.get("actor")): c for c in new[key]}
        kept = [c for c in old.get(key, []) if (c.get("case"), c.get("actor")) not in fresh]
        order = [(c.get("case"), c.get("actor")) for c in old.get(key, [])]
        merged = kept + list(fresh.values())
        merged.sort(
            key=lambda c: (
                order.index((c.get("case"), c.get("actor"))) if (c.get("case"), c.get("actor")) in order else len(order)
            )
        )
        new[key] = merged
    if "pool_sweep" not in new and "pool_sweep" in old:
        new["pool_sweep"] = old["pool_sweep"]
    before = old.get("machine", {})
    runs = before.get("load_average_runs") or [[before.get("load_average_start"), before.get("load_average")]]
    runs.append([new["machine"].get("load_average_start"), new["machine"].get("load_average")])
    new["machine"] |= {"load_average_runs": runs, "load_average_start": runs[0][0], "load_average": runs[-1][1]}
    new["notes"] = list(
        dict.fromkeys(
            [
                *old.get("notes", []),
                *new["notes"],
                "merged: some cases re-run later (--merge); each case's own load column applies",
            ]
        )
    )
    return new


def _latency_cases(
    cases: list[Case], only: set[str], args: argparse.Namespace, server: Gunicorn, url: str, results: dict[str, Any]
) -> None:
    for case in cases:
        if only and case.name not in only:
            continue
        _wait_for_quiet(args)
        load = round(os.getloadavg()[0], 2)
        print(f"  {case.actor.label:15} {case.title:40}", end=" ", flush=True)
        try:
            case.result = latency_run(server.port, case.make, requests=args.requests, expect=case.expect, time_limit=60)
        except (UnexpectedStatus, OSError) as exc:
            case.result = {"error": str(exc)[:400]}
        case.result["load_1m"] = load
        try:
            case.result["sql"] = _sql_cost(case, url)
        except Exception as exc:
            case.result["sql"] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
            traceback.print_exc()
        _judge(case)
        print(report.one_line(case), flush=True)
        results["cases"].append(report.case_dict(case))


def _throughput_cases(
    cases: list[Case], only: set[str], args: argparse.Namespace, server: Gunicorn, results: dict[str, Any]
) -> None:
    for case in cases:
        if case.name not in ("list_p1", "org_list") or (only and case.name not in only):
            continue
        _wait_for_quiet(args)
        load = round(os.getloadavg()[0], 2)
        print(f"  {case.actor.label:15} throughput ×4 {case.title:27}", end=" ", flush=True)
        try:
            t = throughput_run(server.port, case.make, requests=args.requests * 3, concurrency=4, time_limit=30)
        except OSError as exc:
            t = {"error": str(exc)[:400], "rps": 0.0}
        t |= {"case": case.name, "actor": case.actor.label, "target": f"≥ {TARGETS['throughput']:g} req/s"}
        t["load_1m"] = load
        t["pass"] = t.get("rps", 0) >= TARGETS["throughput"] and not t.get("errors")
        print(f"{t.get('rps', 0):7.1f} req/s p95 {t.get('p95_ms', float('nan')):6.1f} ms", flush=True)
        results["throughput"].append(t)
