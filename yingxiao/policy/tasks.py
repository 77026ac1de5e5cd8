"""Background work of the policy engine (django.tasks only; the backend is chosen by settings)."""

from __future__ import annotations

from typing import Any

from crontask import cron
from django.tasks import task
from django.utils.dateparse import parse_datetime

from .registry import run_sweep


@cron("7 * * * *")  # hourly; crontask's Redis lock keeps it to one scheduler in distributed mode
@task
def run_rule_sweep(rule_id: str | None = None, as_of: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Sweep one rule or all rules (``as_of``: ISO datetime, default now); idempotent, safe to rerun."""
    when = parse_datetime(as_of) if as_of else None
    result = run_sweep(rule_id, as_of=when, dry_run=dry_run)
    return {
        "as_of": result.as_of.isoformat(),
        "dry_run": dry_run,
        "runs": [
            {
                "rule": run.rule_id,
                "run": run.run_id,
                "found": run.found,
                "recorded": run.recorded,
                "applied": run.applied,
                "skipped": run.skipped,
                "failed": run.failed,
            }
            for run in result.runs
        ],
    }
