"""TEL-1: call-list import (CSV incl. GBK, .xlsx, .xls reader), dry run, duplicates (CUS-2), caps, screening."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from tests.telesales.conftest import CSV, fresh, make_list
from yingxiao.core.errors import BusinessError
from yingxiao.telesales import imports, services
from yingxiao.telesales.models import CallEntry, CallList

BAD = "姓名,电话\n王先生,13800000001\n,13800000002\n李女士,12ab\n赵先生,13800000001\n钱先生,\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_tel_1_dry_run_reports_each_bad_row_in_chinese_and_writes_nothing(tel) -> None:
    with translation.override("zh-hans"):
        report = imports.call_list_check(actor=fresh(tel.rep), filename="a.csv", content=BAD.encode())
    assert report.total == 5 and report.valid_count == 1
    by_row = {row.number: " ".join(row.errors) for row in report.invalid}
    assert set(by_row) == {3, 4, 5, 6}
    assert "姓名" in by_row[3], by_row  # missing name
    assert "12ab" in by_row[4] and "电话" in by_row[4]  # bad phone
    assert "第 2 行" in by_row[5]  # repeated in the file
    assert CallList.objects.count() == 0 and CallEntry.objects.count() == 0


def test_tel_1_apply_with_bad_rows_is_refused_whole_unless_skipping(tel) -> None:
    with pytest.raises(BusinessError) as refused:
        imports.call_list_import(actor=fresh(tel.rep), filename="a.csv", content=BAD.encode(), name="x")
    assert refused.value.code == "telesales.rows_invalid"
    assert CallList.objects.count() == 0 and CallEntry.objects.count() == 0
    call_list, report = imports.call_list_import(
        actor=fresh(tel.rep), filename="a.csv", content=BAD.encode(), name="x", skip_invalid=True
    )
    assert list(call_list.entries.values_list("row_number", flat=True)) == [2]
    assert len(report.invalid) == 4


def test_tel_1_gbk_csv_is_read(tel) -> None:
    call_list, _ = imports.call_list_import(
        actor=fresh(tel.rep), filename="gbk.csv", content=CSV.encode("gbk"), name="GBK 名单"
    )
    assert sorted(call_list.entries.values_list("name", flat=True)) == ["李女士", "王先生", "赵先生"]
    assert call_list.entries.get(name="王先生").company == "甲公司"


def test_tel_1_xlsx_is_read_with_numeric_phones(tel) -> None:
    content = _xlsx([["姓名", "手机", "公司"], ["王先生", 13800000001, "甲公司"], ["李女士", "138-0000-0002", None]])
    report = imports.call_list_check(actor=fresh(tel.rep), filename="a.xlsx", content=content)
    assert [row.phone_normalized for row in report.rows] == ["13800000001", "13800000002"]
    assert report.valid_count == 2


def test_tel_1_xls_reader_reads_with_calamine(tel) -> None:
    # python-calamine only reads; it opens any workbook format, so the reader is exercised with an .xlsx body.
    content = _xlsx([["name", "phone"], ["王先生", 13800000001]])
    assert list(imports.xls_rows(content)) == [["name", "phone"], ["王先生", 13800000001.0]]
    with pytest.raises(BusinessError) as bad:
        list(imports.xls_rows(b"\xd0\xcf\x11\xe0 not really a workbook"))
    assert bad.value.code == "telesales.bad_file"


def test_tel_1_duplicates_against_archive_are_masked_per_scope_and_imported_excluded(tel, archived) -> None:
    text = "姓名,电话,公司\n王先生,139 0000 9999,\n李女士,13800000002,华东机械有限公司\n赵先生,13800000003,\n"
    report = imports.call_list_check(actor=fresh(tel.rep), filename="a.csv", content=text.encode())
    assert [row.number for row in report.duplicates] == [2, 3]
    hit = report.duplicates[0].duplicate
    assert hit is not None and not hit.visible and hit.customer_name == ""  # outside rep's scope: masked
    assert hit.owner_name and hit.department_name == "国际部"
    director_hit = imports.call_list_check(actor=fresh(tel.director), filename="a.csv", content=text.encode())
    assert director_hit.duplicates[0].duplicate.customer_name == "华东机械有限公司"
    call_list, _ = imports.call_list_import(actor=fresh(tel.rep), filename="a.csv", content=text.encode(), name="x")
    excluded = call_list.entries.filter(status=CallEntry.Status.EXCLUDED)
    assert excluded.count() == 2 and all(e.duplicate_of_id == archived.pk and e.exclusion_reason for e in excluded)


@pytest.mark.parametrize(
    ("filename", "content", "code"),
    [
        ("a.xlsx", b"PK\x03\x04broken zip", "telesales.bad_file"),
        ("a.xls", b"plain text pretending", "telesales.bad_file"),
        ("a.csv", b"\xff\xfe\x00\x00garbage\x81", "telesales.bad_file"),
        ("a.csv", "电话,备注\n13800000001,x\n".encode(), "telesales.no_columns"),
        ("a.csv", "姓名,电话\n".encode(), "telesales.empty_file"),
        ("a.csv", b"", "telesales.empty_file"),
    ],
)
def test_tel_1_malformed_files_are_refused(tel, filename, content, code) -> None:
    with pytest.raises(BusinessError) as refused:
        imports.call_list_check(actor=fresh(tel.rep), filename=filename, content=content)
    assert refused.value.code == code


def test_tel_1_oversized_files_are_refused(tel, monkeypatch) -> None:
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(BusinessError) as too_big:
        imports.call_list_check(actor=fresh(tel.rep), filename="a.csv", content=CSV.encode() * 10)
    assert too_big.value.code == "telesales.file_too_large"
    monkeypatch.setattr(imports, "MAX_BYTES", 10**6)
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(BusinessError) as too_many:
        imports.call_list_import(actor=fresh(tel.rep), filename="a.csv", content=CSV.encode(), name="x")
    assert too_many.value.code == "telesales.too_many_rows"
    assert CallList.objects.count() == 0


def test_tel_1_import_needs_permission(tel) -> None:
    with pytest.raises(BusinessError) as refused:
        imports.call_list_check(actor=fresh(tel.finance), filename="a.csv", content=CSV.encode())
    assert refused.value.code == "telesales.no_permission"


def test_tel_1_screening_classifies_or_excludes_with_a_reason(tel) -> None:
    entries = list(make_list(tel.rep).entries.all())
    services.entry_screen(actor=fresh(tel.rep), entry=entries[0], action="classify", category="重点")
    with pytest.raises(BusinessError) as no_reason:
        services.entry_screen(actor=fresh(tel.rep), entry=entries[1], action="exclude", reason=" ")
    assert no_reason.value.code == "telesales.required"
    services.entry_screen(actor=fresh(tel.rep), entry=entries[1], action="exclude", reason="空号")
    statuses = dict(CallEntry.objects.values_list("pk", "status"))
    assert statuses[entries[0].pk] == "classified" and statuses[entries[1].pk] == "excluded"
    with pytest.raises(BusinessError) as closed:
        services.entry_screen(actor=fresh(tel.rep), entry=entries[1], action="classify", category="x")
    assert closed.value.code == "telesales.entry_closed"
    with pytest.raises(BusinessError) as other:
        services.entry_screen(actor=fresh(tel.other_rep), entry=entries[2], action="classify", category="x")
    assert other.value.code == "core.not_found"


def test_tel_1_real_xls_file_is_imported(tel) -> None:
    xlwt = pytest.importorskip("xlwt")  # a dev-only writer: python-calamine only reads
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("名单")
    for r, row in enumerate(
        [["姓名", "电话", "公司"], ["王先生", 13800000001, "甲公司"], ["李女士", "13800000002", ""]]
    ):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    assert content.startswith(b"\xd0\xcf\x11\xe0")  # a genuine BIFF/OLE .xls
    call_list, report = imports.call_list_import(actor=fresh(tel.rep), filename="名单.xls", content=content, name="xls")
    assert report.valid_count == 2
    assert sorted(call_list.entries.values_list("phone_normalized", flat=True)) == ["13800000001", "13800000002"]
