"""The report-deadline sweep (issue 6, HR-7): ``policy.engine.sweep("HR-7")`` with 2,000 staff against
ONE hand-written SQL statement doing the same, and its dry run.

    python -m benchmarks.reports_sweep [--url URL] [--staff 2000] [--repeats 2]

Each run is a child process of its own (``python -m benchmarks.reports_sweep child MODE STAFF``, so its
peak RSS is the run's) working inside ONE transaction that is rolled back, on the bench database
(``benchmarks.run`` made the org: bench teams with their rep posts, ``bench_director``). A child runs
its mode as a long-lived worker does: once untimed (the process's imports and caches; reported as
the new process's time), then — the tables it wrote vacuumed, so the timed run does not step over the
first run's rolled-back rows — timed on a new database connection:

1. staff of its own: ``--staff`` people ``bench_sweep*`` added to the bench teams' rep posts, joined
   long ago — always, whoever else owes reports in the database (``benchmarks.people``'s
   ``bench_staff*`` file theirs and joined recently: with them alone the sweep finds next to
   nothing). The sweep and the SQL go over everyone who owes reports (``owing_people``), as in
   production; the breaches are the own staff's;
2. the day ``D`` — the last working day before today — and the sweep time ``D 20:00``; every report
   the own staff owed with a deadline in the sweep's window (a week back) is filed on time, except
   ``D``'s daily plan (missing for everyone) and ``D``'s daily summary (missing, or late for one in
   ten): about two breaches per person, each a violation of the author and, for a frontline author,
   the superior's double share (DIS-1);
3. the measured part: ``sql`` — ``HAND_WRITTEN_HR7_SQL`` (the owed periods, computed by
   ``Deadlines`` like the rule, are its parameters), ``sweep`` — the HR-7 rule through the policy
   engine (streamed check, RuleResult rows, ``violation_record_many`` per chunk), ``dry`` — its dry run.

After-commit work (the approver's notifications) runs at once, as when each chunk commits. Results:
``benchmarks/results/reports_sweep.json`` and ``reports_sweep.md``; target: sweep ≤ 2× the SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from .telesales import LEDGER_SQL, ROOT, TZ, _Rollback, as_a_worker, ledger_params, run_ledger_sql

RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingxiao_bench"
RULE_ID = "HR-7"

# HR-7: (person, kind, period) owed with a deadline in the window and no on-time report — people as
# ``owing_people`` (a role with ``owe_workreport`` under a superior post, active, not left), periods
# after joining, daily reports not owed on approved leave. The author's department is their primary
# post's; a frontline author (every role of theirs reaches their own records only) brings the
# superior's share: the first holder of the superior post who has not left (the rule walks further up
# past a vacant post; the bench org has none).
HR7_FOUND = """
owed AS (
    SELECT * FROM unnest(%(kinds)s::text[], %(starts)s::date[], %(dues)s::timestamptz[]) AS o(kind, start, due)
), people AS (
    SELECT DISTINCT u.id, coalesce(nullif(u.display_name, ''), u.username) AS name,
           (u.date_joined AT TIME ZONE %(tz)s)::date AS joined
    FROM org_user u
    JOIN org_assignment a ON a.user_id = u.id AND a.ended_on IS NULL
    JOIN org_position p ON p.id = a.position_id AND p.is_active AND p.superior_id IS NOT NULL
    JOIN org_role_permissions rp ON rp.role_id = p.role_id
    JOIN auth_permission perm ON perm.id = rp.permission_id AND perm.codename = 'owe_workreport'
    JOIN django_content_type ct ON ct.id = perm.content_type_id AND ct.app_label = 'workforce'
    WHERE u.is_active AND u.status <> 'left'
), posts AS (
    SELECT DISTINCT ON (a.user_id) a.user_id, p.department_id, p.superior_id
    FROM org_assignment a JOIN org_position p ON p.id = a.position_id AND p.is_active
    WHERE a.ended_on IS NULL
    ORDER BY a.user_id, a.is_primary DESC, p.id
), frontline AS (
    SELECT a.user_id
    FROM org_assignment a JOIN org_position p ON p.id = a.position_id AND p.is_active
    JOIN org_role r ON r.id = p.role_id JOIN org_user u ON u.id = a.user_id AND NOT u.is_superuser
    WHERE a.ended_on IS NULL
    GROUP BY a.user_id HAVING bool_and(r.data_scope = 'own')
), holders AS MATERIALIZED (
    -- each post's first two holders (the first one other than the author is the supervisor), once
    SELECT position_id, user_id, n FROM (
        SELECT a.position_id, a.user_id, row_number() OVER (
                   PARTITION BY a.position_id ORDER BY a.is_primary DESC, a.started_on, a.id) AS n
        FROM org_assignment a JOIN org_user u ON u.id = a.user_id AND u.is_active AND u.status <> 'left'
        WHERE a.ended_on IS NULL
    ) ranked WHERE n <= 2
), breaches AS MATERIALIZED (
    SELECT w.id AS subject_id, p.id AS person_id, p.name AS person_name, po.department_id,
           p.name || ' did not submit the ' || o.kind || ' for ' || o.start || ' by '
               || to_char(o.due AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI') || '.' AS evidence,
           'HR-7:report:' || p.id || ':' || o.kind || ':' || o.start AS breach_key,
           s.user_id AS supervisor_id
    FROM owed o CROSS JOIN people p
    JOIN posts po ON po.user_id = p.id
    LEFT JOIN workforce_workreport w ON w.person_id = p.id AND w.kind = o.kind AND w.period_start = o.start
    LEFT JOIN frontline f ON f.user_id = p.id
    LEFT JOIN LATERAL (
        SELECT h.user_id FROM holders h
        WHERE f.user_id IS NOT NULL AND h.position_id = po.superior_id AND h.user_id <> p.id
        ORDER BY h.n LIMIT 1
    ) s ON true
    WHERE o.start > p.joined AND (w.id IS NULL OR w.is_late)
      AND NOT (o.kind IN ('daily_plan', 'daily_summary') AND EXISTS (
          SELECT 1 FROM workforce_leave l
          WHERE l.person_id = p.id AND l.status = 'approved' AND o.start BETWEEN l.start_date AND l.end_date))
), found AS (
    -- the supervisor's department joined once, after the breaches (a join inside the lateral lookup
    -- would scan every post once per breach)
    SELECT b.*, sp.department_id AS supervisor_department_id
    FROM breaches b LEFT JOIN posts sp ON sp.user_id = b.supervisor_id
)"""
HAND_WRITTEN_HR7_SQL = LEDGER_SQL.format(found=HR7_FOUND, extra="")


def sweep_day(today: dt.date) -> dt.date:
    """The last working day before ``today`` (business calendar)."""
    from yingxiao.core.calendar import BusinessCalendar

    calendar = BusinessCalendar.load()
    day = today - dt.timedelta(days=1)
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _add_staff(count: int) -> list[int]:
    """``count`` people of the benchmark's own who owe reports: ``bench_sweep*`` on the bench teams'
    rep posts, joined long ago (inside the caller's rolled-back transaction); their ids."""
    from yingxiao.org.models import Assignment, Position, User

    posts = list(
        Position.objects.filter(assignments__user__username__startswith="bench_rep", is_active=True)
        .distinct()
        .order_by("pk")
    )
    joined = dt.datetime(2020, 1, 1, tzinfo=TZ)
    users = User.objects.bulk_create(
        (
            User(username=f"bench_sweep{i:05d}", display_name=f"员工{i:05d}", password="!", date_joined=joined)
            for i in range(count)
        ),
        batch_size=2000,
    )
    Assignment.objects.bulk_create(
        (
            Assignment(user=user, position=posts[i % len(posts)], is_primary=True, started_on=joined.date())
            for i, user in enumerate(users)
        ),
        batch_size=2000,
    )
    return [user.pk for user in users]


FILL_SQL = """
INSERT INTO workforce_workreport (person_id, department_id, kind, period_start, period_end, content, due_at,
    submitted_at, is_late, recipient_id, status, comment)
SELECT p.id, NULL, o.kind, o.start, o.start_end, 'bench', o.due,
       CASE WHEN o.late_one_in_ten AND p.id %% 10 = 0 THEN o.due + interval '30 minutes'
            ELSE o.due - interval '1 hour' END,
       o.late_one_in_ten AND p.id %% 10 = 0, NULL, 'submitted', ''
FROM unnest(%(kinds)s::text[], %(starts)s::date[], %(ends)s::date[], %(dues)s::timestamptz[], %(late)s::bool[],
            %(skip)s::bool[])
     AS o(kind, start, start_end, due, late_one_in_ten, skip)
CROSS JOIN unnest(%(people)s::bigint[]) AS p(id)
WHERE NOT o.skip OR (o.late_one_in_ten AND p.id %% 10 = 0)
ON CONFLICT DO NOTHING
"""


def _prepare(staff: int) -> dict[str, Any]:
    """Staff, the sweep time and the reports of the window (inside the caller's transaction)."""
    from django.db import connection
    from django.utils import timezone

    from yingxiao.workforce.common import at_local
    from yingxiao.workforce.reports import DAILY, Deadlines, owing_people, period_of

    own = _add_staff(staff)
    day = sweep_day(timezone.localdate())
    as_of = at_local(day, dt.time(20, 0))
    owed = Deadlines.load(at=as_of).periods_due_between(as_of - dt.timedelta(days=7), as_of)
    rows = [(kind, start, period_of(kind, start)[1], due) for kind, start, due in owed]
    target = [kind in DAILY and start == day for kind, start, _end, _due in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            FILL_SQL,
            {
                "kinds": [r[0] for r in rows],
                "starts": [r[1] for r in rows],
                "ends": [r[2] for r in rows],
                "dues": [r[3] for r in rows],
                "late": [t and r[0] == "daily_summary" for t, r in zip(target, rows, strict=True)],
                "skip": target,
                "people": own,
            },
        )
        filed = cursor.rowcount
        cursor.execute("ANALYZE workforce_workreport")
    return {
        "staff": len(own),
        "owing": owing_people().count(),
        "day": day.isoformat(),
        "as_of": as_of,
        "owed_periods": len(owed),
        "filed": filed,
    }


def _child(mode: str, staff: int) -> dict[str, Any]:
    """One mode, measured ``as_a_worker`` (warm process, written tables vacuumed, new connection)."""
    return as_a_worker(lambda: _once(mode, staff), _vacuum_written)


# What a run writes (and rolls back): staff, their reports, the rule's results and the ledger.
WRITTEN_TABLES = ("org_user", "org_assignment", "workforce_workreport", "policy_rulerun", "policy_ruleresult",
                  "performance_violation", "performance_historicalviolation", "approvals_instance",
                  "approvals_decision", "core_notification")  # fmt: skip


def _vacuum_written() -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        for table in WRITTEN_TABLES:
            conn.execute(f"VACUUM {table}")


def _once(mode: str, staff: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import yingxiao.workforce.rules  # noqa: F401  (registers HR-7)
    from yingxiao.performance.models import Violation
    from yingxiao.policy import engine
    from yingxiao.policy.values import policy_value
    from yingxiao.workforce.reports import Deadlines

    transaction.on_commit = lambda func, using=None, robust=False: func()  # type: ignore[assignment]
    reverse("approvals:inbox")  # a worker is long-lived: its URLconf (for notice links) is loaded already
    out: dict[str, Any] = {"mode": mode, "rule": RULE_ID}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            setup = _prepare(staff)
            as_of = setup.pop("as_of")
            out |= setup | {"as_of": as_of.isoformat(), "setup_seconds": round(time.perf_counter() - started, 1)}
            cpu, wall = time.process_time(), time.perf_counter()
            if mode == "sql":
                owed = Deadlines.load(at=as_of).periods_due_between(as_of - dt.timedelta(days=7), as_of)
                params = ledger_params(
                    RULE_ID, "workforce.WorkReport", policy_value("late_report_fine", at=as_of), as_of
                )
                params |= {
                    "kinds": [k for k, _s, _d in owed],
                    "starts": [s for _k, s, _d in owed],
                    "dues": [d for _k, _s, d in owed],
                }
                out["violations"], out["shares"] = run_ledger_sql(HAND_WRITTEN_HR7_SQL, params)
            else:
                with CaptureQueriesContext(connection) as queries:
                    result = engine.sweep(RULE_ID, as_of=as_of, dry_run=mode == "dry")
                out["queries"] = len(queries)
                out["found"] = result.found
                out["violations"] = result.applied if mode == "sweep" else result.recorded
                if mode == "sweep":
                    out["shares"] = Violation.objects.filter(rule_id=RULE_ID, kind=Violation.Kind.SUPERVISOR).count()
            out["seconds"] = round(time.perf_counter() - wall, 3)
            out["cpu_seconds"] = round(time.process_time() - cpu, 3)
            raise _Rollback
    except _Rollback:
        pass
    return out


def run_child(url: str, mode: str, staff: int, timeout: float = 3600) -> dict[str, Any]:
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.reports_sweep", "child", mode, str(staff)],
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
    return {"mode": mode, "error": (proc.stderr or proc.stdout)[-800:]}


def cases(url: str, staff: int, repeats: int) -> dict[str, Any]:
    result: dict[str, Any] = {"load_start": [round(x, 2) for x in os.getloadavg()], "staff": staff}
    for mode in ("sql", "sweep", "dry"):
        runs = [run_child(url, mode, staff) for _ in range(repeats)]
        print(f"  HR-7 {mode} {json.dumps(runs, ensure_ascii=False)}", flush=True)
        ok = [r for r in runs if "seconds" in r]
        result[mode] = min(ok, key=lambda r: r["seconds"]) if ok else runs[-1]
        if ok:
            result[mode]["median_seconds"] = round(statistics.median(r["seconds"] for r in ok), 3)
    sql_s = (result.get("sql") or {}).get("seconds")
    for mode in ("sweep", "dry"):
        r = result.get(mode) or {}
        if sql_s and "seconds" in r:
            r["ratio_to_sql"] = round(r["seconds"] / sql_s, 2)
            r["pass"] = r["ratio_to_sql"] <= 2
    result["load_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def markdown(result: dict[str, Any]) -> str:
    sql = result.get("sql") or {}
    lines = [
        "# Report-deadline sweep (issue 6, HR-7)",
        "",
        f"Measured {dt.datetime.now(TZ):%Y-%m-%d %H:%M} on `{result.get('database')}` ({os.cpu_count()} CPUs; load "
        f"at the start {result.get('load_start')}, at the end {result.get('load_end')}). Each run in its own "
        "process, inside one transaction that is rolled back; best of the runs.",
        "",
        f"Staff of the benchmark's own: {sql.get('staff', '–')} (people owing reports in all: "
        f"{sql.get('owing', '–')}); sweep at {sql.get('as_of', '–')} (day {sql.get('day', '–')}, "
        f"{sql.get('owed_periods', '–')} owed periods in the window, {sql.get('filed', '–')} reports filed by the "
        "setup).",
        "",
        "| case | time | CPU | violations (+ supervisors' shares) | queries | peak RSS MB | target | result |",
        "|---|---:|---:|---|---:|---:|---|---|",
    ]
    for mode, title in (
        ("sql", "hand-written SQL (one statement)"),
        ("sweep", "`engine.sweep('HR-7')` apply"),
        ("dry", "same, dry run"),
    ):
        r = result.get(mode) or {}
        if "error" in r:
            lines.append(f"| {title} | ERROR: {str(r['error'])[-120:]} | | | | | ≤ 2× SQL | – |")
            continue
        if mode == "sql":
            verdict = "baseline"
        elif "ratio_to_sql" in r:
            verdict = f"{r['ratio_to_sql']}× SQL: {'**PASS**' if r.get('pass') else '**FAIL**'}"
        else:
            verdict = "–"
        lines.append(
            f"| {title} | {r.get('seconds')} s (median {r.get('median_seconds')} s; new process "
            f"{r.get('cold_seconds', '–')} s) | {r.get('cpu_seconds')} s | "
            f"{r.get('violations')} (+ {r.get('shares', '–')}) | {r.get('queries', 1)} | {r.get('peak_rss_mb')} | "
            f"≤ 2× SQL ({sql.get('seconds', '–')} s) | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        import django

        django.setup()
        print(json.dumps(_child(sys.argv[2], int(sys.argv[3])), ensure_ascii=False, default=str))
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reports_sweep")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    result = cases(args.url, args.staff, args.repeats)
    result["database"] = args.url.rsplit("/", 1)[-1]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reports_sweep.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    text = markdown(result)
    (RESULTS / "reports_sweep.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
