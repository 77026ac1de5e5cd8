"""API and pages: scoped resources (ACT-7 reception records, TEL-2/3 calls), import over HTTP (TEL-1),
the workspace (TEL-2), direct-edit refusals (TEL-3), statistics export (TEL-4)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.api.base import ApiResourceChecks, Expect, assert_error_format
from tests.factories import CustomerFactory
from tests.telesales.conftest import CSV, fresh, grant_telesales_permissions, log, make_list
from yingxiao.telesales import receptions
from yingxiao.telesales.models import CallEntry, CallList, CallLog, ReceptionRecord

MEETING = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
SEES_ALL = Expect(sees=True, sees_other=True, creates=True)


def _reception(customer_owner, department) -> ReceptionRecord:
    grant_telesales_permissions()
    customer = CustomerFactory(owner=customer_owner, department=department)
    return ReceptionRecord.objects.create(
        customer=customer, met_at=MEETING, attendees="客户：王总；我方：李经理", recorded_by=customer_owner
    )


def _rep_customer(p) -> int:
    return ReceptionRecord.objects.get(customer__owner=p.rep).customer_id


class TestReceptionRecordApi(ApiResourceChecks):
    """rule: ACT-7 — scoped by the customer."""

    url = "/api/v1/reception-records/"
    model = ReceptionRecord
    expect = {
        "director": SEES_ALL, "head": Expect(sees=True, creates=True), "rep": Expect(sees=True, creates=True),
        "teammate": Expect(creates=False), "other_rep": Expect(sees_other=True), "finance": Expect(),
        "admin": Expect(), "resource_director": Expect(),
    }  # fmt: skip
    write_as = "rep"
    bad_create = {
        "no_attendees": lambda p: {"customer": _rep_customer(p), "met_at": "2025-03-04T10:00:00Z"},
        "unknown_customer": {"customer": 10**9, "met_at": "2025-03-04T10:00:00Z", "attendees": "x"},
        "same_meeting": lambda p: {"customer": _rep_customer(p), "met_at": MEETING.isoformat(), "attendees": "x"},
        "malformed_json": '{"customer": ',
    }

    def in_scope(self, p):
        return _reception(p.rep, p.domestic)

    def out_of_scope(self, p):
        return _reception(p.other_rep, p.international)

    def create_payload(self, p):
        grant_telesales_permissions()
        customer = CustomerFactory(owner=p.rep, department=p.domestic).pk
        return {"customer": customer, "met_at": "2025-04-01T09:00:00Z", "attendees": "王总", "key_issues": "交期"}


def _call(owner, persona_set) -> CallLog:
    grant_telesales_permissions()
    entry = make_list(owner, name=f"名单{CallList.objects.count()}").entries.filter(status="new").first()
    return log(owner, entry)


class TestCallApi(ApiResourceChecks):
    """rule: TEL-2, TEL-3 — calls are created through the API; an edit answers 405 ``telesales.call_locked``."""

    url = "/api/v1/calls/"
    model = CallLog
    expect = {
        "director": Expect(sees=True, sees_other=True), "head": Expect(sees=True), "rep": Expect(sees=True),
        "teammate": Expect(), "other_rep": Expect(sees_other=True), "finance": Expect(), "admin": Expect(),
        "resource_director": Expect(),
    }  # fmt: skip

    def in_scope(self, p):
        return _call(p.rep, p)

    def out_of_scope(self, p):
        return _call(p.other_rep, p)

    def update_payload(self, p, obj):
        return None


def test_tel_3_api_edit_and_delete_answer_call_locked(tel, api_as) -> None:
    call = log(tel.rep, make_list(tel.rep).entries.first())
    client = api_as("rep")
    for method in ("patch", "put", "delete"):
        response = getattr(client, method)(f"/api/v1/calls/{call.pk}/", {"outcome": "deal"}, format="json")
        assert assert_error_format(response, 405)["code"] == "telesales.call_locked"
    assert CallLog.objects.get(pk=call.pk).outcome == "intent_a"
    response = client.post(
        f"/api/v1/calls/{call.pk}/corrections/", {"reason": "误点", "outcome": "intent_b"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert api_as("other_rep").get(f"/api/v1/calls/{call.pk}/").status_code == 404


def test_tel_2_api_logs_a_call_and_gives_the_next_number(tel, api_as) -> None:
    make_list(tel.rep)
    client = api_as("rep")
    entry = client.get("/api/v1/call-entries/next/").json()
    response = client.post("/api/v1/calls/", {"entry": entry["id"], "outcome": "appointment", "duration_seconds": 40})
    assert response.status_code == 201, response.json()
    assert assert_error_format(client.post("/api/v1/calls/", {"entry": entry["id"], "outcome": "?"}), 400)
    assert assert_error_format(api_as("other_rep").post("/api/v1/calls/", {"entry": entry["id"], "outcome": "busy"}))
    stats = client.get("/api/v1/calls/statistics/?period=month").json()
    assert stats[0]["calls"] == 1 and float(stats[0]["intent_conversion"]) == 100


def test_tel_1_api_import_dry_run_then_apply(tel, api_as) -> None:
    client = api_as("rep")
    bad = "姓名,电话\n王先生,abc\n李女士,13800000002\n".encode("gbk")
    response = client.post("/api/v1/call-lists/import/", {"file": SimpleUploadedFile("a.csv", bad)}, format="multipart")
    assert response.status_code == 200 and response.json()["invalid"] == 1
    assert CallList.objects.count() == 0
    refused = client.post(
        "/api/v1/call-lists/import/", {"file": SimpleUploadedFile("a.csv", bad), "dry_run": False, "name": "x"}
    )
    assert assert_error_format(refused, 400)["code"] == "telesales.rows_invalid"
    applied = client.post(
        "/api/v1/call-lists/import/",
        {"file": SimpleUploadedFile("a.csv", bad), "dry_run": False, "name": "x", "skip_invalid": True},
    )
    assert applied.status_code == 201 and applied.json()["report"]["valid"] == 1
    junk = client.post("/api/v1/call-lists/import/", {"file": SimpleUploadedFile("a.xlsx", b"PK\x03\x04junk")})
    assert assert_error_format(junk, 400)["code"] == "telesales.bad_file"


def test_tel_1_import_page_dry_run_then_apply(tel, client) -> None:
    client.force_login(tel.rep)
    page = client.post(reverse("telesales:import"), {"file": SimpleUploadedFile("a.csv", CSV.encode("gbk"))})
    assert page.status_code == 200 and page.context["report"].valid_count == 3
    token = page.context["apply_form"].initial["token"]
    assert CallList.objects.count() == 0
    done = client.post(reverse("telesales:import"), {"token": token, "name": "三月"})
    assert done.status_code == 302 and CallEntry.objects.count() == 3


def test_tel_2_agent_works_through_five_calls_in_the_workspace(tel, client) -> None:
    make_list(tel.rep, "姓名,电话\n" + "".join(f"客户{i},1380000000{i}\n" for i in range(1, 6)))
    client.force_login(tel.rep)
    for outcome in ("no_answer", "busy", "intent_a", "appointment", "deal"):
        page = client.get(reverse("telesales:workspace"))
        entry = page.context["entry"]
        assert entry is not None and "您好" in page.content.decode()
        response = client.post(
            reverse("telesales:workspace"), {"entry": entry.pk, "outcome": outcome, "duration_seconds": 30}
        )
        assert response.status_code == 302
    assert CallLog.objects.filter(agent=tel.rep).count() == 5
    assert client.get(reverse("telesales:workspace")).context["entry"] is None  # the rest are due later


def test_tel_3_edit_page_refuses_and_points_to_change_request(tel, client) -> None:
    call = log(tel.rep, make_list(tel.rep).entries.first())
    client.force_login(tel.rep)
    response = client.post(reverse("telesales:call_edit", args=[call.pk]), {"outcome": "deal"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("telesales:call", args=[call.pk])
    assert any("change request" in str(m) or "变更申请" in str(m) for m in response.context["messages"])
    assert CallLog.objects.get(pk=call.pk).outcome == "intent_a"
    detail = client.post(
        reverse("telesales:call", args=[call.pk]), {"reason": "误点", "outcome": "busy", "duration_seconds": 0}
    )
    assert detail.status_code == 302 and call.corrections.count() == 1


def test_tel_4_statistics_page_and_export(tel, client) -> None:
    log(tel.rep, make_list(tel.rep).entries.first(), started_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(tel.head)
    page = client.get(reverse("telesales:statistics"), {"period": "week"})
    assert page.status_code == 200 and len(page.context["rows"]) == 1
    export = client.get(reverse("telesales:statistics"), {"period": "week", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][2] == 1


def test_act_7_one_record_per_meeting_scoped_by_customer(tel, client) -> None:
    customer = CustomerFactory(owner=tel.rep, department=tel.domestic)
    record = receptions.reception_record(
        actor=fresh(tel.rep),
        customer=customer,
        met_at=MEETING,
        attendees="王总",
        questions="价格？",
        answers="按价目表",
    )
    assert record.customer == customer and record.recorded_by == tel.rep
    client.force_login(tel.rep)
    again = client.post(
        reverse("telesales:reception_new"),
        {"customer": customer.pk, "met_at": "2025-03-03 18:00", "attendees": "王总"},  # the same meeting (UTC+8)
    )
    assert again.status_code == 200 and again.context["form"].errors
    assert ReceptionRecord.objects.filter(customer=customer).count() == 1
    assert [r.pk for r in client.get(reverse("telesales:receptions")).context["page"]] == [record.pk]
    client.force_login(tel.other_rep)
    assert list(client.get(reverse("telesales:receptions")).context["page"]) == []
    client.force_login(tel.head)
    assert [r.pk for r in client.get(reverse("telesales:receptions")).context["page"]] == [record.pk]
