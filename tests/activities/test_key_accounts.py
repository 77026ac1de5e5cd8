"""CUS-14 key accounts: visited in person by the sales director (key) or GM/chairman (core) every 90 days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import AssignmentFactory, CustomerFactory, UserFactory
from yingxiao.activities import errors
from yingxiao.activities.key_accounts import key_account_compliance, key_account_designate, key_account_end
from yingxiao.activities.models import Activity, KeyAccount
from yingxiao.activities.services import activity_log
from yingxiao.core.errors import NOT_FOUND, PERMISSION_DENIED, BusinessError
from yingxiao.core.models import Notification
from yingxiao.org.models import Position, Role
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import run_sweep

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2027, 1, 4, 10, 0, tzinfo=SH)  # +90 days = 2027-04-04


def at(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def gm(personas):
    """Key-account permissions for the managers, and a general manager above the sales director."""
    perms = list(Permission.objects.filter(content_type__app_label="activities", codename__endswith="keyaccount"))
    for code in (
        "general_manager",
        "chairman",
        "sales_director",
        "customer_resource_director",
        "department_head",
        "sales_rep",
    ):
        role = Role.objects.get(code=code)
        role.permissions.add(*[p for p in perms if code != "sales_rep" or p.codename == "view_keyaccount"])
    post = Position.objects.create(
        title="总经理", department=personas.center, role=Role.objects.get(code="general_manager")
    )
    user = UserFactory(username="gm", display_name="总经理")
    AssignmentFactory(user=user, position=post)
    return user


def designate(personas, level=KeyAccount.Level.KEY, when=T0):
    with time_machine.travel(when, tick=False):
        customer = CustomerFactory(name="大客户", owner=personas.rep, department=personas.domestic)
        return key_account_designate(actor=personas.director, customer=customer, level=level)


def visit(actor, account, when, kind=Activity.Kind.VISIT):
    with time_machine.travel(when, tick=False):
        return activity_log(actor=actor, customer=account.customer, kind=kind, occurred_at=when, subject="拜访")


def status(actor, days):
    with time_machine.travel(at(days), tick=False):
        rows = key_account_compliance(actor).rows
    return [(row.due, row.status) for row in rows]


def test_cus_14_key_account_due_90_days_after_designation_boundaries(personas, gm):
    designate(personas)
    due = dt.date(2027, 4, 4)
    assert status(personas.director, 82) == [(due, "ok")]
    assert status(personas.director, 89) == [(due, "due_soon")]
    assert status(personas.director, 90) == [(due, "due_soon")]  # the due day is still in time
    assert status(personas.director, 91) == [(due, "overdue")]


def test_cus_14_only_a_visit_by_the_right_role_counts(personas, gm):
    key = designate(personas)
    visit(personas.rep, key, at(10))  # the owner's own visit is not a management visit
    assert status(personas.director, 91)[0][1] == "overdue"
    visit(personas.director, key, at(60), kind=Activity.Kind.HOME_VISIT)
    assert status(personas.director, 91) == [(dt.date(2027, 6, 3), "ok")]  # 03-05 + 90 days


def test_cus_14_core_accounts_need_the_general_manager_or_chairman(personas, gm):
    core = designate(personas, level=KeyAccount.Level.CORE)
    visit(personas.director, core, at(30))
    assert status(personas.director, 91)[0][1] == "overdue"
    visit(gm, core, at(60))
    assert status(personas.director, 91)[0][1] == "ok"


def test_cus_14_a_phone_call_is_not_a_visit(personas, gm):
    key = designate(personas)
    with time_machine.travel(at(50), tick=False):
        activity_log(
            actor=personas.director, customer=key.customer, kind="call", occurred_at=at(50), subject="电话", result="好"
        )
    assert status(personas.director, 91)[0][1] == "overdue"


def test_cus_14_reminder_before_due_dry_run_apply_and_once_per_due_date(personas, gm):
    key = designate(personas)
    assert run_sweep("CUS-14", as_of=at(82)).found == 0  # lead 7 days: from 03-28
    preview = run_sweep("CUS-14", as_of=at(83), dry_run=True)
    assert preview.found == 1 and not RuleResult.objects.exists()
    assert run_sweep("CUS-14", as_of=at(83)).applied == 1
    for day in (84, 90, 91, 120):
        assert run_sweep("CUS-14", as_of=at(day)).recorded == 0
    note = Notification.objects.get(recipient=personas.director)
    assert "CUS-14" in note.message and "2027-04-04" in note.message
    # core accounts remind the general manager (and a chairman when there is one)
    designate(personas, level=KeyAccount.Level.CORE, when=at(1))
    Activity.objects.all().delete()
    run_sweep("CUS-14", as_of=at(84))
    assert Notification.objects.filter(recipient=gm, message__contains="CUS-14").count() == 1
    assert key.pk


def test_cus_14_compliance_rate(personas, gm):
    first = designate(personas)
    with time_machine.travel(T0, tick=False):
        other = key_account_designate(
            actor=personas.director,
            customer=CustomerFactory(owner=personas.rep, department=personas.domestic),
            level="key",
        )
    visit(personas.director, other, at(80))
    with time_machine.travel(at(95), tick=False):
        report = key_account_compliance(personas.director)
    assert (report.total, report.compliant, str(report.percent)) == (2, 1, "50.0")
    assert first.pk


def test_cus_14_designation_rules(personas, gm):
    account = designate(personas)
    with pytest.raises(BusinessError) as caught:
        key_account_designate(actor=personas.director, customer=account.customer, level="core")
    assert caught.value.error == errors.KEY_ACCOUNT_EXISTS
    with pytest.raises(BusinessError) as caught:
        key_account_designate(actor=personas.director, customer=account.customer_id + 999, level="key")
    assert caught.value.error == NOT_FOUND
    with pytest.raises(BusinessError) as caught:
        key_account_designate(actor=personas.rep, customer=account.customer, level="key")
    assert caught.value.error == PERMISSION_DENIED
    with pytest.raises(BusinessError) as caught:
        key_account_designate(actor=personas.director, customer=account.customer, level="vip")
    assert caught.value.error == errors.KEY_ACCOUNT_BAD_LEVEL
    key_account_end(actor=personas.director, account=account)
    again = key_account_designate(actor=personas.director, customer=account.customer, level="core")
    assert (again.pk, again.level, again.is_active) == (account.pk, "core", True)
    assert again.history.count() == 3


def test_cus_14_pages_and_api_are_scoped(personas, gm, client, api_as):
    account = designate(personas)
    assert api_as("rep").get("/api/v1/key-accounts/").json()["count"] == 1
    assert api_as("other_rep").get(f"/api/v1/key-accounts/{account.pk}/").status_code in (403, 404)
    created = api_as("director").post(
        "/api/v1/key-accounts/",
        {"customer": CustomerFactory(owner=personas.rep, department=personas.domestic).pk, "level": "core"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert api_as("director").get("/api/v1/key-accounts/compliance/").json()["total"] == 2
    with time_machine.travel(at(1), tick=False):
        client.force_login(personas.director)
        page = client.get(reverse("activities:key_accounts"))
        assert page.status_code == 200 and "大客户" in page.content.decode()
        refused = client.post(reverse("activities:key_accounts"), {"customer": account.customer_id, "level": "key"})
        assert refused.status_code == 400
        ended = client.post(reverse("activities:key_account_end", args=[account.pk]))
        assert ended.status_code == 302
    assert not KeyAccount.objects.get(pk=account.pk).is_active
