"""Browser: the director exports the filtered customer list as CSV, then only the ticked rows as Excel (ARC-2)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import login
from tests.factories import CustomerFactory
from tests.personas import build_personas
from yingxiao.archives.models import ExportLog
from yingxiao.customers.search import search_fields

pytestmark = pytest.mark.django_db(transaction=True)


def _customer(name: str, phone: str, **fields) -> None:
    CustomerFactory(name=name, phone=phone, **fields, **search_fields(name, phone))


def test_arc_2_director_exports_the_filtered_list_and_the_ticked_rows(page, tmp_path):
    people = build_personas()
    _customer("杭州华东机械有限公司", "13800000001", owner=people.rep, department=people.domestic, stage="deal")
    _customer("宁波东方电子", "13800000002", owner=people.rep, department=people.domestic)
    _customer("Global Trading Ltd", "13800000003", owner=people.other_rep, department=people.international)

    login(page, "director")
    page.goto("/customers/?stage=deal")
    with page.expect_download() as download:
        page.get_by_test_id("customer-export-csv").click()
    path = tmp_path / "list.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["杭州华东机械有限公司"]  # the list's filter, not the archive
    assert ExportLog.objects.get().filters == {"stage": "deal"}

    page.goto("/customers/")
    page.get_by_role("checkbox", name="Global Trading Ltd").check()
    with page.expect_download() as download:
        page.get_by_test_id("customer-export-selected").click()
    path = tmp_path / "selected.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Global Trading Ltd"]
    assert ExportLog.objects.count() == 2
