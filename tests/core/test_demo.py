"""``manage.py load_demo``: the demo company of seed 000, deterministic, safe to re-run."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from yingxiao.activities.models import Activity
from yingxiao.core.demo import DEMO_LOGINS, DEMO_PASSWORD
from yingxiao.core.models import CalendarDay
from yingxiao.customers.models import Customer, CustomerIdentity
from yingxiao.customers.normalize import (
    normalize_email,
    normalize_name,
    normalize_phone,
    pinyin_forms,
    to_simplified,
)
from yingxiao.org.models import Assignment, Department, Position, Role, User
from yingxiao.org.selectors import holders, superior_of
from yingxiao.performance.models import Violation
from yingxiao.sales.models import Contract, Receipt
from yingxiao.service.models import Complaint
from yingxiao.telesales.models import CallLog
from yingxiao.workforce.models import AttendanceRecord

pytestmark = pytest.mark.django_db
ANCHOR = "2026-11-20"


def load(*extra: str) -> str:
    out = StringIO()
    call_command("load_demo", "--customers", "60", "--anchor", ANCHOR, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker) -> Iterator[str]:
    """One demo load shared by a class of read-only tests, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


def post(title: str) -> Position:
    return Position.objects.get(title=title)


def test_load_demo_fills_an_empty_database_and_if_empty_makes_a_rerun_a_no_op():
    output = load()
    assert Department.objects.count() == 11
    assert Customer.objects.count() == 60
    assert not Customer.objects.filter(contacts__isnull=True).exists()
    assert Activity.objects.count() >= 60 * 8
    assert Customer.history.count() == 60  # one "+" record per customer
    assert Activity.history.count() == Activity.objects.count()
    assert DEMO_PASSWORD in output and "director" in output

    counts = (Customer.objects.count(), Activity.objects.count(), User.objects.count())
    assert "not loaded" in load("--if-empty")
    assert (Customer.objects.count(), Activity.objects.count(), User.objects.count()) == counts
    with pytest.raises(CommandError, match="already has an organisation"):
        load()


def test_load_demo_is_deterministic():
    def snapshot() -> list[tuple]:
        load()
        rows = Customer.objects.order_by("name").values_list(
            "name", "owner__username", "department__code", "registered_at", "stage", "last_served_at"
        )
        # The business modules: same deals, money, complaints, calls, attendance and fines.
        modules = [
            Contract.objects.order_by("customer__name", "signed_on").values_list(
                "customer__name", "amount", "signed_on", "status"
            ),
            Receipt.objects.order_by("received_on", "amount").values_list("contract__customer__name", "amount"),
            Complaint.objects.order_by("received_at").values_list("customer__name", "status", "received_at"),
            CallLog.objects.order_by("started_at", "agent__username").values_list("agent__username", "outcome"),
            AttendanceRecord.objects.order_by("day", "person__username").values_list(
                "person__username", "clock_in", "late_tier"
            ),
            Violation.objects.order_by("rule_id", "person__username", "amount").values_list(
                "rule_id", "person__username", "amount", "status"
            ),
        ]
        return [*rows, (Activity.objects.count(),), *(tuple(qs) for qs in modules)]

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        first = snapshot()
        raise Rollback
    assert not Department.objects.exists()
    assert snapshot() == first


class TestLoadedDemo:
    """Read-only checks on one loaded demo company."""

    def test_org_1_tree_reproduces_seed_000(self, demo: str):
        center = Department.objects.get(name="营销中心", parent=None)
        top = set(center.children.values_list("name", flat=True))
        assert {"销售总部", "国际部", "国内部", "市场部", "销售办公室", "客服部", "上海办事处"} <= top
        office = Department.objects.get(name="销售办公室")
        assert set(office.children.values_list("name", flat=True)) == {"内勤组", "商务组"}
        assert Department.objects.get(name="上海办事处").kind == Department.Kind.OFFICE
        assert all(d.path.startswith(center.path) for d in Department.objects.all())

    def test_org_2_domestic_head_post_is_vacant(self, demo: str):
        head_post = Position.objects.get(department__name="国内部", is_head=True)
        assert holders(head_post) == []
        # ORG-4: with the head vacant, a 国内部 rep escalates straight to the sales director.
        assert superior_of(User.objects.get(username="rep")) == User.objects.get(username="director")

    def test_org_2_office_head_also_holds_sales_assistant(self, demo: str):
        head = holders(Position.objects.get(department__name="销售办公室", is_head=True))
        assert len(head) == 1
        assistant_post = Position.objects.get(department__name="销售办公室", role__code="sales_assistant")
        concurrent = Assignment.objects.get(user=head[0], position=assistant_post, ended_on__isnull=True)
        assert concurrent.is_primary is False
        assert assistant_post.superior.is_head

    def test_org_3_chain_chairman_gm_director_heads(self, demo: str):
        chairman, gm, director = post("董事长"), post("总经理"), post("销售总监")
        assert chairman.superior is None
        assert gm.superior == chairman
        assert director.superior == gm
        assert post("营销总监").superior == gm
        heads = Position.objects.filter(is_head=True, department__parent__name="营销中心").exclude(pk=director.pk)
        assert heads.count() == 6
        assert all(p.superior == director for p in heads)
        for leader in Position.objects.filter(role__code="group_leader"):
            assert leader.superior.is_head and leader.superior.role.code == "department_head"

    def test_every_role_has_a_demo_login(self, demo: str):
        usernames = {login.username for login in DEMO_LOGINS}
        required = {"director", "rep", "rep2", "head", "finance", "admin", "telesales", "service", "assistant"}
        assert required | {"commerce", "resource", "gm", "chairman", "hr", "market", "quoter"} <= usernames
        held = set(
            Assignment.objects.filter(user__username__in=usernames, ended_on__isnull=True).values_list(
                "position__role__code", flat=True
            )
        )
        assert held == set(Role.objects.values_list("code", flat=True))
        for username in usernames:
            user = User.objects.get(username=username)
            assert user.check_password(DEMO_PASSWORD) and user.display_name
        admin = User.objects.get(username="admin")
        assert admin.is_staff and admin.is_superuser

    def test_cus_2_identity_keys_follow_the_contract_and_are_never_shared(self, demo: str):
        for customer in Customer.objects.prefetch_related("contacts", "identities"):
            expected = {("phone", normalize_phone(customer.phone)), ("email", normalize_email(customer.email))}
            if customer.kind == Customer.Kind.COMPANY:
                expected.add(("name", normalize_name(customer.name)))
            for contact in customer.contacts.all():
                expected |= {("phone", normalize_phone(contact.phone)), ("email", normalize_email(contact.email))}
            expected = {(kind, value) for kind, value in expected if value}
            assert {(i.kind, i.value) for i in customer.identities.all()} == expected
            assert customer.name_normalized == normalize_name(customer.name)
            assert (customer.name_pinyin, customer.name_initials) == pinyin_forms(customer.name)
            assert customer.phone_normalized == normalize_phone(customer.phone)
        keys = Counter(CustomerIdentity.objects.values_list("kind", "value"))
        assert keys and max(keys.values()) == 1

    def test_traditional_character_customers_exist(self, demo: str):
        traditional = [c for c in Customer.objects.all() if to_simplified(c.name) != c.name]
        assert traditional
        assert all(c.name_normalized == normalize_name(to_simplified(c.name)) for c in traditional)

    def test_cus_7_last_served_is_the_latest_qualifying_activity(self, demo: str):
        assert not Activity.objects.filter(kind__in=["sms", "message"], is_qualifying=True).exists()
        assert not Activity.objects.filter(kind="call", result="", is_qualifying=True).exists()
        anchor = dt.datetime.fromisoformat(ANCHOR).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        for customer in Customer.objects.all():
            latest = customer.activities.filter(is_qualifying=True).order_by("-occurred_at").first()
            assert customer.last_served_at == (latest.occurred_at if latest else None)
            assert customer.activities.filter(occurred_at__lt=customer.registered_at).count() == 0
            assert not customer.activities.filter(occurred_at__gte=anchor).exists()
        stale = Customer.objects.filter(last_served_at__lt=anchor - dt.timedelta(days=90))
        assert stale.exists()

    def test_calendar_has_the_2026_holidays_and_make_up_days(self, demo: str):
        assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).kind == CalendarDay.Kind.HOLIDAY
        assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).kind == CalendarDay.Kind.WORKDAY
        assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == CalendarDay.Kind.WORKDAY
        assert CalendarDay.objects.filter(date__year=2026, kind=CalendarDay.Kind.HOLIDAY).count() == 33
