"""Backup and restore (TEL-5): telesales data as one JSON document, or the whole database.

A telesales backup holds every row of the telesales models (Django's JSON serialisation), the
row count and a SHA-256 content hash per model; ``restore`` verifies the hashes, then replaces
the telesales rows in one transaction. The whole-database backup is ``dumpdata`` of every app,
content types and permissions included (rows keep their ids); ``restore`` flushes and
``loaddata``-s it, also in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from yingxiao.core import exact_json
from yingxiao.core.errors import BusinessError

from . import errors, summary

FORMAT = "yingxiao-telesales-backup/1"
# Parents before children: restore inserts in this order and deletes in the reverse.
TELESALES_MODELS = ("callList", "callEntry", "callLog", "callCorrection", "receptionRecord")


def _models() -> list[Any]:
    return [apps.get_model("telesales", name) for name in TELESALES_MODELS]


def _rows(model: Any) -> list[Any]:
    return json.loads(serializers.serialize(exact_json.FORMAT, model._default_manager.order_by("pk")))


def _digest(rows: list[Any]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def content_hashes() -> dict[str, tuple[int, str]]:
    """Row count and content hash per telesales model, as the database holds them now."""
    result: dict[str, tuple[int, str]] = {}
    for model in _models():
        rows = _rows(model)
        result[model._meta.label] = (len(rows), _digest(rows))
    return result


def backup_telesales(path: Path) -> dict[str, int]:
    """rule: TEL-5 — write every telesales row to ``path``; returns the row count per model."""
    sections = []
    for model in _models():
        rows = _rows(model)
        sections.append({"model": model._meta.label, "count": len(rows), "sha256": _digest(rows), "rows": rows})
    document = {"format": FORMAT, "created_at": timezone.now().isoformat(), "sections": sections}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return {s["model"]: s["count"] for s in sections}


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BusinessError(errors.BAD_BACKUP, detail=str(exc)[:200]) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BusinessError(errors.BAD_BACKUP, detail="format")
    expected = [m._meta.label for m in _models()]
    sections = document.get("sections")
    if not isinstance(sections, list) or [s.get("model") for s in sections] != expected:
        raise BusinessError(errors.BAD_BACKUP, detail="sections")
    for section in sections:
        rows = section.get("rows")
        if not isinstance(rows, list) or len(rows) != section.get("count") or _digest(rows) != section.get("sha256"):
            raise BusinessError(errors.BAD_BACKUP, detail=section["model"])
    return document


def restore_telesales(path: Path) -> dict[str, int]:
    """rule: TEL-5 — verify the backup, then replace all telesales rows with it in one transaction."""
    document = _read(path)
    with transaction.atomic():
        for model in reversed(_models()):
            model._default_manager.all()._raw_delete(model._default_manager.db)
        for section in document["sections"]:
            objects = serializers.deserialize("json", json.dumps(section["rows"]))
            for obj in objects:
                obj.save()
        _reset_sequences()
        summary.rebuild()  # the day rows are derived from the calls just restored (TEL-4)
    return {s["model"]: s["count"] for s in document["sections"]}


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), _models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def backup_database(path: Path) -> None:
    """rule: TEL-5 — the whole database as a ``dumpdata`` JSON fixture."""
    # Times to the microsecond (``exactjson``); ``loaddata`` reads the file as plain JSON.
    call_command("dumpdata", output=str(path), verbosity=0, format=exact_json.FORMAT)


def restore_database(path: Path) -> None:
    """rule: TEL-5 — flush, then load the ``dumpdata`` fixture, all or nothing."""
    if not path.is_file():
        raise BusinessError(errors.BAD_BACKUP, detail=str(path))
    # The fixture holds the history rows already: saving must not write new ones (m2m changes would).
    with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        call_command("loaddata", str(path), verbosity=0)
