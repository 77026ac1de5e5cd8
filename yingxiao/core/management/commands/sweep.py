"""``manage.py sweep [--rule CUS-7] [--as-of 2026-12-01T09:00] [--dry-run]``: run the policy rules now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yingxiao.core.errors import BusinessError
from yingxiao.policy.registry import run_sweep


def _as_of(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    value = parse_datetime(text)
    if value is None:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--as-of: not a date/time: {text!r} (use 2026-12-01T09:00)") from exc
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = "Run the policy rule engine (all rules or one) for now or an as-of time; --dry-run writes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule", help="one rule ID, e.g. CUS-7 (default: every registered rule)")
        parser.add_argument("--as-of", dest="as_of", help="evaluate as of this local time, e.g. 2026-12-01T09:00")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen; record nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _as_of(options["as_of"])
        mode = "dry run" if options["dry_run"] else "apply"
        self.stdout.write(
            f"Sweeping {options['rule'] or 'all rules'} as of {as_of or timezone.now():%Y-%m-%d %H:%M} ({mode})…"
        )
        try:
            result = run_sweep(options["rule"], as_of=as_of, dry_run=options["dry_run"], progress=self.stdout.write)
        except BusinessError as exc:
            raise CommandError(exc.message) from exc
        for run in result.runs:
            self.stdout.write(
                f"{run.rule_id}: found {run.found}, new {run.recorded}, already recorded {run.already_recorded}, "
                f"applied {run.applied}, skipped {run.skipped}, failed {run.failed} (run #{run.run_id})"
            )
            if options["dry_run"] and options["verbosity"] > 1:
                for preview in run.previews:
                    self.stdout.write(f"  {preview.breach_key}: {preview.explanation}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {len(result.runs)} rule(s), {result.found} found, "
                f"{result.recorded} new, {result.applied} applied."
            )
        )
