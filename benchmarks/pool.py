"""The public-pool cases (issue 3, CUS-7): the full release sweep against one hand-written UPDATE,
its dry run, peak memory, and claims through HTTP — all leaving the bench database as it was.

Sweep: ``python -m benchmarks.pool sweep|dry|sql <as_of ISO>`` runs in a child process of its own
(so its peak RSS is the sweep's, not the harness's), inside ONE transaction that is rolled back:
the CUS-7 rule through the policy engine (``policy.engine.sweep("CUS-7")``: streamed check, RuleResult
inserts, compare-and-set release, pool entries, ownership changes), or the same release as the single
``pool.HAND_WRITTEN_RELEASE_SQL`` UPDATE. Nothing is committed, so every run sees the same data.

Claims: ``ClaimFixture`` releases a set of customers to the pool (committed, so gunicorn sees them),
each claim is made by a different rep (the daily quota is per person), and ``restore`` puts owners,
departments, pool entries and ownership changes back afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class _Rollback(Exception):
    pass


# The same UPDATE plus what CUS-7 also keeps of a release — the pool entry and the ownership change
# (without the explanations) — in one statement: a second baseline, printed beside the first.
HAND_WRITTEN_RELEASE_WITH_HISTORY_SQL = """
WITH old AS (
    SELECT c.id, c.owner_id, c.department_id FROM customers_customer c
    WHERE c.owner_id IS NOT NULL AND NOT c.is_archived AND NOT c.is_blacklisted
      AND COALESCE(c.last_served_at, c.registered_at) < %(cutoff)s
      AND NOT EXISTS (SELECT 1 FROM customers_ownershipchange oc
                      WHERE oc.customer_id = c.id AND oc.changed_at >= %(cutoff)s)
), released AS (
    UPDATE customers_customer AS c SET owner_id = NULL, department_id = NULL FROM old
    WHERE c.id = old.id RETURNING c.id, old.owner_id, old.department_id
), entries AS (
    INSERT INTO customers_poolentry (customer_id, entered_at, reason, rule_id, explanation, inputs,
                                     released_owner_id, released_department_id, left_by)
    SELECT id, %(now)s, 'CUS-7', 'CUS-7', '', '{}'::jsonb, owner_id, department_id, '' FROM released
), changes AS (
    INSERT INTO customers_ownershipchange (customer_id, changed_at, old_owner_id, old_department_id, reason, rule_id)
    SELECT id, %(now)s, owner_id, department_id, 'CUS-7', 'CUS-7' FROM released
)
SELECT count(*) FROM released
"""


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child(mode: str, as_of_text: str) -> dict[str, Any]:
    """In the child process: one measured run, rolled back."""
    from django.db import connection, transaction
    from django.urls import reverse

    from yingxiao.customers import pool
    from yingxiao.policy import engine, values

    as_of = dt.datetime.fromisoformat(as_of_text)
    import yingxiao.customers.rules  # noqa: F401  (registers CUS-7)

    # The whole run is one transaction (rolled back), so every chunk's after-commit work (the
    # owners' notifications) would pile up until the end and be dropped; a real sweep commits each
    # chunk and does that work then. Do it at once, as a committed chunk would, and count it.
    deferred = {"calls": 0}

    def run_now(func: Any, using: Any = None, robust: bool = False) -> None:
        deferred["calls"] += 1
        func()

    transaction.on_commit = run_now  # type: ignore[assignment]
    values.invalidate()
    # A worker process is long-lived: its URLconf (for the owners' notice links) is loaded already.
    reverse("customers:pool")
    days = values.policy_value("service_window_days", at=as_of)
    cutoff = pool.window_start(as_of, days)
    rss_before = _peak_rss_mb()
    out: dict[str, Any] = {"mode": mode, "as_of": as_of_text}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            if mode == "sql":
                with connection.cursor() as cursor:
                    cursor.execute(pool.HAND_WRITTEN_RELEASE_SQL, {"cutoff": cutoff})
                    out["released"] = cursor.rowcount
            elif mode == "sql_history":
                with connection.cursor() as cursor:
                    cursor.execute(HAND_WRITTEN_RELEASE_WITH_HISTORY_SQL, {"cutoff": cutoff, "now": as_of})
                    out["released"] = cursor.fetchone()[0]
            elif mode == "count":
                out["released"] = pool.releasable_customers(as_of).count()
            else:
                result = engine.sweep(pool.RULE_ID, as_of=as_of, dry_run=mode == "dry")
                out["found"] = result.found
                out["released"] = result.applied if mode == "sweep" else result.recorded
            out["seconds"] = round(time.perf_counter() - started, 2)
            raise _Rollback
    except _Rollback:
        pass
    out["after_commit_calls"] = deferred["calls"]
    out["peak_rss_mb"] = _peak_rss_mb()
    out["rss_before_mb"] = rss_before
    return out


def run_child(url: str, mode: str, as_of: dt.datetime, timeout: float = 1800) -> dict[str, Any]:
    """One sweep run in a fresh interpreter; its JSON summary (or an error)."""
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.pool", mode, as_of.isoformat()],
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
    return {"mode": mode, "error": (proc.stderr or proc.stdout)[-600:]}


def sweep_cases(url: str, as_of: dt.datetime, repeats: int = 2) -> dict[str, Any]:
    """The hand-written UPDATE, the sweep and its dry run, each ``repeats`` times (best and all)."""
    result: dict[str, Any] = {"as_of": as_of.isoformat(), "runs": []}
    for _ in range(repeats):
        for mode in ("sql", "sweep", "dry"):
            run = run_child(url, mode, as_of)
            print(f"    pool {mode:5} {json.dumps(run, ensure_ascii=False)}", flush=True)
            result["runs"].append(run)
    _vacuum(url)
    for mode in ("sql", "sweep", "dry"):
        ok = [r for r in result["runs"] if r.get("mode") == mode and "seconds" in r]
        result[mode] = min(ok, key=lambda r: r["seconds"]) if ok else {"error": "no successful run"}
    sql_s, sweep_s, dry_s = (result[m].get("seconds") for m in ("sql", "sweep", "dry"))
    if sql_s and sweep_s:
        result["sweep_over_sql"] = round(sweep_s / sql_s, 2)
        result["pass_sweep"] = sweep_s <= 2 * sql_s and result["sweep"].get("released") == result["sql"].get("released")
    if sweep_s and dry_s:
        result["dry_over_sweep"] = round(dry_s / sweep_s, 2)
        result["pass_dry"] = dry_s <= sweep_s * 1.1
    return result


def _vacuum(url: str) -> None:
    """The rolled-back runs leave dead row versions behind: clean them so later runs read as before."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("customers_customer", "customers_poolentry", "customers_ownershipchange", "policy_ruleresult"):
            conn.execute(f"VACUUM (ANALYZE) {table}")


# --- claims ------------------------------------------------------------------------------
@dataclass
class ClaimFixture:
    """Customers put in the pool for the claim case (committed), and how to put them back."""

    customers: list[tuple[int, int | None, int | None]] = field(default_factory=list)  # id, owner, dept
    claimers: list[Any] = field(default_factory=list)  # Actor per claim index

    @classmethod
    def create(cls, count: int) -> ClaimFixture:
        from django.db import transaction
        from django.db.models import Exists, OuterRef
        from django.utils import timezone

        from yingxiao.customers.models import Customer, PoolEntry

        open_entry = PoolEntry.objects.filter(customer=OuterRef("pk"), left_at__isnull=True)
        rows = list(
            Customer.objects.filter(owner__isnull=False, is_archived=False, is_blacklisted=False)
            .exclude(Exists(open_entry))
            .order_by("-id")
            .values_list("pk", "owner_id", "department_id")[5000 : 5000 + count]
        )
        with transaction.atomic():
            Customer.objects.filter(pk__in=[r[0] for r in rows]).update(owner=None, department=None)
            PoolEntry.objects.bulk_create(
                PoolEntry(
                    customer_id=pk,
                    entered_at=timezone.now(),
                    reason="benchmark",
                    rule_id="bench",
                    released_owner_id=owner,
                    released_department_id=dept,
                )
                for pk, owner, dept in rows
            )
        return cls(customers=rows)

    def restore(self) -> None:
        """Owners and departments back; the benchmark's pool entries and ownership changes gone."""
        from django.db import transaction

        from yingxiao.customers.models import Customer, OwnershipChange, PoolEntry

        ids = [r[0] for r in self.customers]
        with transaction.atomic():
            PoolEntry.objects.filter(customer_id__in=ids, rule_id="bench").delete()
            OwnershipChange.objects.filter(customer_id__in=ids, rule_id="CUS-7").delete()
            for pk, owner, dept in self.customers:
                Customer.objects.filter(pk=pk).update(owner_id=owner, department_id=dept)


def claim_actors(limit: int) -> list[Any]:
    """Reps with tokens, one per claim (the daily quota is per person)."""
    from rest_framework.authtoken.models import Token

    from yingxiao.org.models import User

    from .cases import Actor

    users = list(User.objects.filter(username__startswith="bench_rep", is_active=True).order_by("pk")[:limit])
    actors = []
    for user in users:
        token, _ = Token.objects.get_or_create(user=user)
        actors.append(Actor("rep (own)", user, token.key))
    return actors


def main() -> int:
    mode, as_of = sys.argv[1], sys.argv[2]
    import django

    django.setup()
    print(json.dumps(_child(mode, as_of), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
