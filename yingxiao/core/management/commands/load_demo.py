"""``manage.py load_demo``: fill an empty database with the demo company (营销中心 of seed 000)."""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingxiao.core.demo import DEMO_LOGINS, DEMO_PASSWORD, OTHER_STAFF
from yingxiao.core.demo.loader import DEFAULT_CUSTOMERS, DEFAULT_SEED, DemoResult, database_is_empty, load_demo
from yingxiao.core.demo.modules import summary_lines
from yingxiao.org.selectors import positions_of
from yingxiao.policy.registry import run_sweep


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where a Chinese character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--anchor expects YYYY-MM-DD, got {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Load the demo company: org chart, one login per role (password yingxiao123), ~500 customers "
        "with contacts and a year of activities, the public-holiday calendar, and a year of business "
        "written through the apps' services: sales (quotes to receipts, invoices and shipments), "
        "complaints and after-sales, telesales, attendance, meetings and reports, marketing, targets "
        "and expenses, training, violations, evaluations and pay. Refuses a non-empty "
        "database unless --if-empty is given, in which case it quietly does nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing (successfully) when any department already exists."
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (default: %(default)s).")
        parser.add_argument(
            "--customers", type=int, default=DEFAULT_CUSTOMERS, help="Number of customers (default: %(default)s)."
        )
        parser.add_argument(
            "--anchor",
            type=_date,
            default=None,
            help="The 'today' the demo year ends on, YYYY-MM-DD (default: today). Fix it for identical dates.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not database_is_empty():
            if options["if_empty"]:
                self.stdout.write("Demo data not loaded: the database already has an organisation (--if-empty).")
                return
            raise CommandError(
                "The database already has an organisation; load_demo only fills an empty database. "
                "Use --if-empty to skip quietly, or start from a fresh database (manage.py flush)."
            )
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1")

        started = time.monotonic()
        result = load_demo(seed=options["seed"], customers=options["customers"], anchor=options["anchor"])
        elapsed = time.monotonic() - started
        self._report(result, elapsed)
        # The scheduler sweeps hourly; sweep once now so the demo opens with its public pool
        # and reminders in place, each explained by its rule.
        sweep = run_sweep()
        self.stdout.write(
            f"Rule sweep: {sweep.found} findings, {sweep.total('applied')} applied "
            f"({', '.join(f'{run.rule_id}: {run.applied}' for run in sweep.runs if run.applied)})."
        )

    def _report(self, result: DemoResult, elapsed: float) -> None:
        out = self.stdout.write
        out(
            self.style.SUCCESS(
                f"Demo company loaded in {elapsed:.1f}s: {len(result.org.departments)} departments, "
                f"{len(result.org.users)} employees, {result.customers} customers, {result.contacts} contacts, "
                f"{result.activities} activities, {result.calendar_days} calendar days; "
                f"{result.unserved} customers not served within 90 days."
            )
        )
        out("Business modules (written through the services, dated within the demo year):")
        for line in summary_lines(result.modules, result.module_seconds):
            out("  " + line)
        out("")
        out(f"Logins (password for every account: {DEMO_PASSWORD})")
        out(_pad("username", 20) + _pad("role", 28) + _pad("department", 14) + "name · posts")
        for login in [*DEMO_LOGINS, *OTHER_STAFF]:
            user = result.org.users[login.username]
            posts = " 兼 ".join(p.title for p in positions_of(user))
            department = result.org.home[login.username].name
            out(
                _pad(login.username, 20)
                + _pad(login.role, 28)
                + _pad(department, 14)
                + f"{user.display_name} · {posts}"
            )
        out("Vacant posts (暂缺): " + "、".join(p.title for p in result.vacant_positions))
