"""The customer list export (ARC-2, ORG-5): the list's filters, the viewer's scope, the shared export control."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.factories import CustomerFactory
from tests.personas import Personas
from yingxiao.archives.models import ExportLog
from yingxiao.customers.exports import LIST_NAME, columns, customer_export_rows
from yingxiao.customers.models import Customer
from yingxiao.customers.search import search_fields
from yingxiao.org.models import Permission, User
from yingxiao.policy import catalog, values
from yingxiao.policy.models import PolicyParameter, PolicyValue

pytestmark = pytest.mark.django_db

URL = reverse("customers:export")


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


def grant_export(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="export_data", content_type__app_label="archives"))
    return fresh(user)


def customer(name: str, **fields: Any) -> Customer:
    """A customer row with its search columns, as registration fills them."""
    phone = fields.pop("phone", None) or f"139{Customer.objects.count():08d}"
    return CustomerFactory(name=name, phone=phone, **fields, **search_fields(name, phone))


@pytest.fixture
def archive(personas: Personas) -> dict[str, Customer]:
    """Two of the rep's customers, one of the teammate's (same department), one of 国际部."""
    return {
        "rep_deal": customer("杭州华东机械有限公司", owner=personas.rep, department=personas.domestic, stage="deal"),
        "rep_potential": customer("宁波东方电子", owner=personas.rep, department=personas.domestic),
        "teammate": customer("温州南方贸易", owner=personas.teammate, department=personas.domestic),
        "international": customer("Global Trading Ltd", owner=personas.other_rep, department=personas.international),
    }


def _rows(response: Any) -> list[list[Any]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def _names(response: Any) -> set[str]:
    return {row[1] for row in _rows(response)[1:]}


def test_org_5_export_holds_only_the_viewers_customers(personas: Personas, archive, client) -> None:
    client.force_login(grant_export(personas.rep))
    assert _names(client.get(URL, {"format": "csv"})) == {"杭州华东机械有限公司", "宁波东方电子"}
    client.force_login(fresh(personas.head))  # the head of 国内部: the department's customers
    assert _names(client.get(URL)) == {"杭州华东机械有限公司", "宁波东方电子", "温州南方贸易"}
    client.force_login(fresh(personas.director))
    assert len(_names(client.get(URL))) == 4


def test_arc_2_export_follows_the_list_filters_and_logs_them(personas: Personas, archive, client) -> None:
    client.force_login(fresh(personas.director))
    response = client.get(URL, {"q": "华东", "stage": "deal", "format": "csv", "page": "3"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert _names(response) == {"杭州华东机械有限公司"}
    log = ExportLog.objects.get()
    assert (log.user, log.list_name, log.file_format, log.row_count, log.status) == (
        personas.director,
        LIST_NAME,
        "csv",
        1,
        ExportLog.Status.DONE,
    )
    assert log.filters == {"q": "华东", "stage": "deal"}  # the page and the format are not the filter


def test_arc_2_export_selected_rows_only_within_scope(personas: Personas, archive, client) -> None:
    client.force_login(grant_export(personas.rep))
    chosen = [archive["rep_deal"].pk, archive["international"].pk]  # the second is not the rep's
    response = client.get(URL, {"export": "selected", "selected": chosen})
    assert _names(response) == {"杭州华东机械有限公司"}
    assert _names(client.get(URL, {"export": "selected"})) == set()  # nothing ticked: nothing exported


def test_arc_2_export_needs_the_export_permission_and_is_logged_when_refused(
    personas: Personas, archive, client
) -> None:
    rep = fresh(personas.rep)
    assert rep.has_perm("customers.view_customer") and not rep.has_perm("archives.export_data")
    client.force_login(rep)
    page = client.get(URL, {"format": "csv"})
    assert page.status_code == 403 and 'data-code="exports.not_allowed"' in page.content.decode()
    assert ExportLog.objects.get().status == ExportLog.Status.REFUSED
    # The list shows the export buttons only to those who may export.
    assert 'data-testid="customer-export"' not in client.get(reverse("customers:list")).content.decode()
    client.force_login(fresh(personas.director))
    listing = client.get(reverse("customers:list"), {"stage": "deal"}).content.decode()
    assert 'data-testid="customer-export"' in listing and f"{URL}?stage=deal" in listing


def test_arc_2_export_without_the_list_permission_is_forbidden(personas: Personas, client) -> None:
    nobody = User.objects.create_user(username="visitor", password="x")  # no role, no permissions
    nobody.user_permissions.add(Permission.objects.get(codename="export_data", content_type__app_label="archives"))
    client.force_login(nobody)
    assert client.get(URL).status_code == 403
    assert not ExportLog.objects.exists()


def test_arc_2_per_file_cap_refuses_the_export(personas: Personas, archive, client) -> None:
    set_policy("export_max_rows_per_file", 3)
    client.force_login(fresh(personas.director))
    page = client.get(URL, {"format": "csv"})
    assert page.status_code == 400 and 'data-code="exports.too_many_rows"' in page.content.decode()
    assert not ExportLog.objects.filter(status=ExportLog.Status.DONE).exists()
    # Narrowed by the list's own filter, it goes through.
    assert client.get(URL, {"department": personas.domestic.pk}).status_code == 200


def test_arc_2_per_hour_cap_counts_the_customer_exports(personas: Personas, archive, client) -> None:
    set_policy("export_max_rows_per_hour", 6)
    client.force_login(fresh(personas.director))
    assert client.get(URL).status_code == 200  # 4 rows
    page = client.get(URL, {"department": personas.domestic.pk})  # 4 + 3 > 6
    assert page.status_code == 429 and 'data-code="exports.hourly_cap"' in page.content.decode()
    assert client.get(URL, {"q": "华东"}).status_code == 200  # 4 + 1 ≤ 6


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_arc_2_customer_cells_that_look_like_formulas_are_escaped(personas: Personas, client, fmt: str) -> None:
    CustomerFactory(
        name='=HYPERLINK("http://evil","点我")', phone="13800000001", region="+1", industry="@SUM(A1)", address="-2+3"
    )
    client.force_login(fresh(personas.director))
    header, row = _rows(client.get(URL, {"format": fmt}))
    named = dict(zip(header, row, strict=True))
    assert row[1] == '\'=HYPERLINK("http://evil","点我")'
    assert {row[6], row[5], row[7]} == {"'+1", "'@SUM(A1)", "'-2+3"}
    assert str(named[header[3]]) == "13800000001"


def test_arc_2_export_speaks_the_viewers_language(personas: Personas, archive) -> None:
    with translation.override("zh-hans"):
        cols = columns()
        rows = list(customer_export_rows(fresh(personas.director), {"stage": "deal"}))
        header = [str(column.header) for column in cols]
        cells = dict(zip(header, [column.of(rows[0]) for column in cols], strict=True))
    assert cells["名称"] == "杭州华东机械有限公司"
    assert (cells["阶段"], cells["负责人"], cells["部门"]) == ("成交", str(personas.rep), "国内部")
