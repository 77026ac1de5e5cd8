"""``manage.py telesales_summary [--start DAY] [--end DAY]`` (TEL-4): recompute the agents' day rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yingxiao.telesales import summary


class Command(BaseCommand):
    help = "Recompute the per-agent daily call summary (agent statistics) from the logged calls."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", type=dt.date.fromisoformat, default=None, help="First day (YYYY-MM-DD).")
        parser.add_argument("--end", type=dt.date.fromisoformat, default=None, help="Last day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = summary.rebuild(options["start"], options["end"])
        self.stdout.write(f"agent days: {rows}")
