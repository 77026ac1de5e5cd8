"""ARC-2 (and issue 7 item 7): every list export goes through one control — its own permission, a
per-file and a per-hour cap, a log with the filter and row count, formula escaping, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.personas import Personas
from yingxiao.archives.models import Document, ExportLog, Level
from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import (
    EXPORT_NOT_ALLOWED,
    Column,
    Sheet,
    export_response,
    safe_cell,
    write_xlsx,
)
from yingxiao.org.models import User
from yingxiao.policy import catalog, values
from yingxiao.policy.models import PolicyParameter, PolicyValue

DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://evil")', "-2+3+cmd|' /C calc'!A0"]


def set_policy(name: str, value: Any) -> None:
    PolicyValue.objects.create(
        parameter=PolicyParameter.objects.get(name=name),
        value=value,
        previous_value=catalog.BY_NAME[name].default,
        effective_from=timezone.now() - dt.timedelta(days=1),
        reason="test",
    )
    values.invalidate()


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def documents(personas: Personas, count: int, title: str = "档案") -> None:
    Document.objects.bulk_create(
        Document(
            number=f"D-{i:06d}",
            title=f"{title}{i}",
            level=Level.PUBLIC,
            department=personas.domestic,
            custodian=personas.head,
            created_by=personas.head,
        )
        for i in range(count)
    )


COLUMNS = [Column("编号", "number"), Column("标题", "title"), Column("密级", "get_level_display")]


def _export(user: User, fmt: str = "xlsx", **kwargs: Any) -> Any:
    kwargs.setdefault("rows", Document.objects.order_by("pk"))
    return export_response(
        fresh(user), list_name="test.documents", filename="documents", columns=COLUMNS, fmt=fmt, **kwargs
    )


def _content(response: Any) -> bytes:
    if isinstance(response, StreamingHttpResponse) or getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("text", DANGEROUS)
def test_arc_2_formula_escaping_of_every_dangerous_prefix(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert safe_cell("张三") == "张三" and safe_cell("a=1") == "a=1"
    assert safe_cell(Decimal("-5")) == Decimal("-5") and safe_cell(-3) == -3 and safe_cell(None) == ""


def test_arc_2_performance_safe_cell_delegates_to_core() -> None:
    from yingxiao.performance.exports import safe_cell as old

    assert old is safe_cell


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_arc_2_exported_files_escape_formulas(personas: Personas, fmt: str) -> None:
    for i, text in enumerate(DANGEROUS):
        Document.objects.create(
            number=f"X-{i}", title=text, level=Level.PUBLIC, custodian=personas.head, created_by=personas.head
        )
    content = _content(_export(personas.director, fmt))
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    titles = [row[1] for row in rows[1:]]
    # XML stores a CR as a line break: the workbook reads "\r=1" back as "\n=1", still escaped.
    expected = ["'" + (text.replace("\r", "\n") if fmt == "xlsx" else text) for text in DANGEROUS]
    assert titles == expected


def test_arc_2_export_needs_its_own_permission(personas: Personas, client) -> None:
    documents(personas, 3)
    rep = fresh(personas.rep)
    assert rep.has_perm("archives.view_document") and not rep.has_perm("archives.export_data")
    with pytest.raises(BusinessError) as refused:
        _export(rep)
    assert refused.value.code == "exports.not_allowed" and refused.value.status == 403
    assert not ExportLog.objects.filter(status=ExportLog.Status.DONE).exists()
    assert ExportLog.objects.get().refused_code == "exports.not_allowed"
    client.force_login(rep)
    page = client.get("/archives/export/")
    assert page.status_code == 403
    with translation.override("zh-hans"):
        message = str(EXPORT_NOT_ALLOWED.message)
    with translation.override("en"):
        assert message != str(EXPORT_NOT_ALLOWED.message)  # translated, in the user's language
    assert message in page.content.decode()
    client.force_login(fresh(personas.director))
    assert client.get("/archives/export/").status_code == 200


def test_arc_2_existing_list_exports_use_the_control(personas: Personas, client) -> None:
    client.force_login(fresh(personas.rep))
    assert client.get("/performance/ledger.xlsx", {"month": "2025-06"}).status_code == 403
    client.force_login(fresh(personas.director))
    response = client.get("/performance/ledger.xlsx", {"month": "2025-06"})
    assert response.status_code == 200
    log = ExportLog.objects.get(status=ExportLog.Status.DONE)
    assert (log.user, log.list_name, log.filters, log.file_format) == (
        personas.director,
        "performance.ledger",
        {"month": "2025-06"},
        "xlsx",
    )


def test_arc_2_per_file_cap_refuses_and_writes_nothing(personas: Personas, client) -> None:
    documents(personas, 3)
    set_policy("export_max_rows_per_file", 2)
    with pytest.raises(BusinessError) as refused:
        _export(personas.director)
    assert refused.value.code == "exports.too_many_rows" and refused.value.params == {"rows": 3, "cap": 2}
    assert not ExportLog.objects.filter(status=ExportLog.Status.DONE).exists()
    client.force_login(fresh(personas.director))
    page = client.get("/archives/export/", {"format": "csv"})
    assert page.status_code == 400 and "text/html" in page["Content-Type"]
    assert 'data-code="exports.too_many_rows"' in page.content.decode()
    # Narrowed to the cap, it goes through.
    assert _export(personas.director, rows=Document.objects.order_by("pk")[:2]).status_code == 200


def test_arc_2_per_hour_cap_per_user(personas: Personas) -> None:
    documents(personas, 3)
    set_policy("export_max_rows_per_hour", 7)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _export(personas.director)
        _export(personas.director)
        with pytest.raises(BusinessError) as refused:
            _export(personas.director)  # 6 + 3 > 7
        assert refused.value.code == "exports.hourly_cap" and refused.value.status == 429
        assert refused.value.params == {"used": 6, "rows": 3, "cap": 7}
        _export(personas.head)  # another user's hour is their own
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        _export(personas.director)  # the hour has passed
    done = ExportLog.objects.filter(status=ExportLog.Status.DONE)
    assert done.filter(user=personas.director).count() == 3 and done.filter(user=personas.head).count() == 1
    assert ExportLog.objects.filter(status=ExportLog.Status.REFUSED, refused_code="exports.hourly_cap").count() == 1


def test_arc_2_every_export_is_logged_with_filter_and_row_count(personas: Personas, client) -> None:
    documents(personas, 4)
    Document.objects.create(
        number="GK-9", title="产品样本", level=Level.PUBLIC, custodian=personas.head, created_by=personas.head
    )
    client.force_login(fresh(personas.director))
    response = client.get("/archives/export/", {"q": "产品", "level": "public", "format": "csv", "page": "2"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == "GK-9"
    log = ExportLog.objects.get()
    assert log.user == personas.director and log.list_name == "archives.documents"
    assert log.filters == {"q": "产品", "level": "public"}  # page and format are not the filter
    assert (log.row_count, log.file_format, log.status) == (1, "csv", "done")
    assert abs((log.at - timezone.now()).total_seconds()) < 60
    # The log itself is visible to management, scoped, and exportable.
    page = client.get("/archives/export-log/")
    assert page.status_code == 200 and "archives.documents" in page.content.decode()
    client.force_login(fresh(personas.rep))
    assert client.get("/archives/export-log/").status_code == 403


def test_arc_2_csv_streams_rows_as_it_goes(personas: Personas) -> None:
    pulled = 0

    def rows() -> Any:
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield [i, f"行{i}"]

    response = export_response(
        fresh(personas.director),
        list_name="test.generated",
        filename="generated",
        sheets=[Sheet("t", rows(), header=["#", "text"], count=10_000)],
        fmt="csv",
    )
    assert isinstance(response, StreamingHttpResponse)
    stream = iter(response.streaming_content)
    for _ in range(5):  # BOM, header, three rows
        next(stream)
    assert pulled <= 4  # rows are produced while the client reads, not built up front
    rest = b"".join(stream)
    assert pulled == 10_000 and rest.count(b"\r\n") == 10_000 - 3
    assert ExportLog.objects.get().row_count == 10_000


def test_arc_2_xlsx_is_written_with_constant_memory(tmp_path: Any) -> None:
    """A large workbook is written row by row (openpyxl write-only): memory does not grow with rows."""

    def sheet(count: int) -> Sheet:
        return Sheet(
            "大表", ([i, f"客户{i}", "=x", Decimal("1.5"), i * 2] for i in range(count)), header="abcde", count=count
        )

    def peak(count: int) -> int:
        tracemalloc.start()
        write_xlsx([sheet(count)], tmp_path / f"{count}.xlsx")
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(2_000), peak(40_000)
    # An in-memory workbook of 40,000 × 5 cells takes well over 50 MB; written row by row it stays flat.
    assert large < 2 * small + 5_000_000, (small, large)
    book = load_workbook(tmp_path / "40000.xlsx", read_only=True)
    assert sum(1 for _row in book.active.iter_rows(values_only=True)) == 40_001


def test_arc_2_large_queryset_export_counts_and_caps_rows(personas: Personas) -> None:
    documents(personas, 3_000)
    response = _export(personas.director, "csv")
    lines = _content(response).decode("utf-8-sig").splitlines()
    assert len(lines) == 3_001 and ExportLog.objects.get().row_count == 3_000


@pytest.mark.postgres
def test_arc_2_queryset_export_reads_through_a_server_side_cursor(personas: Personas, monkeypatch) -> None:
    documents(personas, 5_000)
    opened: list[Any] = []
    chunked_cursor = connection.chunked_cursor

    def spy() -> Any:
        cursor = chunked_cursor()
        opened.append(cursor)
        return cursor

    monkeypatch.setattr(connection, "chunked_cursor", spy)
    response = _export(personas.director, "csv")
    stream = iter(response.streaming_content)
    for _ in range(10):
        next(stream)
    # The rows come from a named (server-side) cursor, fetched chunk by chunk while the client reads.
    assert len(opened) == 1 and getattr(opened[0].cursor, "name", "")
    assert sum(chunk.count(b"\r\n") for chunk in stream) + 9 == 5_001
