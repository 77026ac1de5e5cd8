"""``manage.py backup [--all] PATH`` (TEL-5): telesales data, or the whole database with ``--all``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yingxiao.telesales import backup


class Command(BaseCommand):
    help = "Back up the telesales data (or, with --all, the whole database) to a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--all", action="store_true", help="The whole database (dumpdata of every app).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if options["all"]:
            backup.backup_database(path)
            self.stdout.write(f"database → {path}")
            return
        counts = backup.backup_telesales(path)
        for model, count in counts.items():
            self.stdout.write(f"{model}: {count}")
