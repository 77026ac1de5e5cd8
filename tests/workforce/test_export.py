"""HR-2 monthly attendance sheet exported to Excel: per person and per department, scoped, formula-safe."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from yingxiao.archives.models import ExportLog
from yingxiao.workforce import attendance, views

from .conftest import at, fresh

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 3, 3)


def test_hr_2_monthly_sheet_exports_per_person_and_department_with_safe_cells(wf, client):
    wf.teammate.display_name = "=HYPERLINK(1)"
    wf.teammate.save()
    with time_machine.travel(at(MON, 9, 5), tick=False):
        attendance.attendance_clock_in(actor=fresh(wf.rep))
    client.force_login(wf.head)
    with time_machine.travel(at(dt.date(2025, 3, 5), 9), tick=False):
        response = client.get(f"/workforce/sheet/export/?month=2025-03&department={wf.domestic.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attendance-2025-03" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    people, departments = book.worksheets
    rows = {r[0]: r for r in people.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"李经理", "张三", "'=HYPERLINK(1)"}  # the formula is text, not evaluated
    rep = rows["张三"]
    assert rep[1] == "国内部" and rep[2] == 2 and rep[3] == 1 and rep[7] == 1  # expected, present, minor
    assert "[HR-2]" in rep[12]
    totals = {r[0]: r for r in departments.iter_rows(min_row=2, values_only=True)}
    assert totals["国内部"][1] == 3


def test_hr_2_export_is_scoped_like_the_sheet(wf, client):
    client.force_login(wf.head)  # head of 国内部 asks for 国际部: only what the head may see
    response = client.get(f"/workforce/sheet/export/?month=2025-03&department={wf.international.pk}")
    book = load_workbook(io.BytesIO(response.content))
    names = [r[0] for r in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    assert names == ["李经理"]


def test_arc_2_sheet_export_needs_the_export_right_and_is_logged(wf, client):
    client.force_login(wf.rep)  # a rep reads the own sheet but has no export right
    refused = client.get("/workforce/sheet/export/?month=2025-03")
    assert refused.status_code == 403
    assert "导出" in refused.content.decode()
    client.force_login(wf.head)
    assert client.get(f"/workforce/sheet/export/?month=2025-03&department={wf.domestic.pk}").status_code == 200
    logs = ExportLog.objects.filter(list_name="attendance_sheet").order_by("pk")
    assert [(log.user_id, log.status, log.row_count) for log in logs] == [
        (wf.rep.pk, ExportLog.Status.REFUSED, 1),
        (wf.head.pk, ExportLog.Status.DONE, 3),
    ]
    assert logs.last().filters == {"month": "2025-03", "department": wf.domestic.pk}


def test_hr_2_sheet_shows_a_page_of_people_at_a_time(wf, client, monkeypatch):
    monkeypatch.setattr(views, "SHEET_PAGE_SIZE", 2)
    client.force_login(wf.head)
    first = client.get(f"/workforce/sheet/?month=2025-03&department={wf.domestic.pk}")
    second = client.get(f"/workforce/sheet/?month=2025-03&department={wf.domestic.pk}&page=2")
    assert len(first.context["rows"]) == 2 and len(second.context["rows"]) == 1
    shown = [row.person.pk for row in [*first.context["rows"], *second.context["rows"]]]
    assert sorted(shown) == sorted([wf.head.pk, wf.rep.pk, wf.teammate.pk])
    assert 'rel="next"' in first.content.decode()
