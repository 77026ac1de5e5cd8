"""``manage.py restore [--all] PATH`` (TEL-5): replace the telesales data (or the whole database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingxiao.core.errors import BusinessError
from yingxiao.telesales import backup


class Command(BaseCommand):
    help = "Restore the telesales data (or, with --all, the whole database) from a backup file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--all", action="store_true", help="Flush and load a whole-database backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            if options["all"]:
                backup.restore_database(path)
                self.stdout.write(f"database ← {path}")
                return
            counts = backup.restore_telesales(path)
        except BusinessError as error:
            raise CommandError(error.message) from error
        for model, count in counts.items():
            self.stdout.write(f"{model}: {count}")
