"""Measure every case through gunicorn (HTTP) and on its own SQL, then write the results."""

from __future__ import annotations

import argparse
import json
import traceback
from typing import Any

import psycopg

from . import report
from .cases import TARGETS, Actor, Case, build_cases
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


def measure_all(args: argparse.Namespace, url: str, generation: dict[str, Any]) -> int:
    rep, director = _actors()
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
        for case in cases:
            if only and case.name not in only:
                continue
            print(f"  {case.actor.label:15} {case.title:40}", end=" ", flush=True)
            try:
                case.result = latency_run(
                    server.port, case.make, requests=args.requests, expect=case.expect, time_limit=60
                )
            except (UnexpectedStatus, OSError) as exc:
                case.result = {"error": str(exc)[:400]}
            try:
                case.result["sql"] = _sql_cost(case, url)
            except Exception as exc:
                case.result["sql"] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
                traceback.print_exc()
            _judge(case)
            print(report.one_line(case), flush=True)
            results["cases"].append(report.case_dict(case))
        for case in cases:
            if case.name not in ("list_p1", "org_list") or (only and case.name not in only):
                continue
            print(f"  {case.actor.label:15} throughput ×4 {case.title:27}", end=" ", flush=True)
            try:
                t = throughput_run(server.port, case.make, requests=args.requests * 3, concurrency=4, time_limit=30)
            except OSError as exc:
                t = {"error": str(exc)[:400], "rps": 0.0}
            t |= {"case": case.name, "actor": case.actor.label, "target": f"≥ {TARGETS['throughput']:g} req/s"}
            t["pass"] = t.get("rps", 0) >= TARGETS["throughput"] and not t.get("errors")
            print(f"{t.get('rps', 0):7.1f} req/s p95 {t.get('p95_ms', float('nan')):6.1f} ms", flush=True)
            results["throughput"].append(t)
    results |= report.environment(url)
    paths = report.write(results)
    print(f"results: {', '.join(str(p) for p in paths)}")
    failed = [c for c in results["cases"] + results["throughput"] if not c.get("pass")]
    print(f"{len(results['cases']) + len(results['throughput']) - len(failed)} passed, {len(failed)} failed")
    print(json.dumps({"failed": [f"{c.get('actor')}: {c.get('case')}" for c in failed]}, ensure_ascii=False))
    return 0
