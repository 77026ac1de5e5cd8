"""``manage.py load_demo``: the business modules of the demo year, written through the services.

One small demo (60 customers) is loaded for the class and rolled back afterwards; the checks read
it as the demo logins would: every module has data, the open work waits in the right inboxes, the
director's dashboard KPIs are non-trivial, scopes hold, nothing is dated after the anchor day, and
the main pages render for each role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from yingxiao.approvals.models import Decision, Instance
from yingxiao.marketing.models import Campaign, Roadshow
from yingxiao.org.models import User
from yingxiao.performance.models import Evaluation, Violation
from yingxiao.performance.pay_models import PayStatement
from yingxiao.planning.models import Budget, ExpenseClaim, Target, TargetPlan
from yingxiao.reports.kpis import figures
from yingxiao.reports.periods import month_of
from yingxiao.sales.models import (
    Contract,
    Deposit,
    InvoiceRequest,
    Order,
    Quote,
    QuoteRequest,
    Receipt,
    Shipment,
    WriteOff,
)
from yingxiao.service.models import AfterSalesRecord, Complaint
from yingxiao.telesales.models import CallEntry, CallLog, ReceptionRecord
from yingxiao.training.models import Attendance, TrainingSession
from yingxiao.workforce.models import AttendanceRecord, DutyAssignment, Leave, Meeting, WorkReport

ANCHOR = dt.date(2026, 11, 20)
TZ = ZoneInfo("Asia/Shanghai")
START_OF_ANCHOR = dt.datetime.combine(ANCHOR, dt.time.min, tzinfo=TZ)


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", "--customers", "60", "--anchor", ANCHOR.isoformat(), stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.django_db
class TestDemoModules:
    def test_every_module_has_data(self, demo: str):
        expected = {
            Quote: 8, Deposit: 5, Order: 5, Contract: 5, Receipt: 5, InvoiceRequest: 2, Shipment: 2,
            Complaint: 6, AfterSalesRecord: 2, CallEntry: 60, CallLog: 50, ReceptionRecord: 5,
            AttendanceRecord: 200, Leave: 2, DutyAssignment: 10, Meeting: 4, WorkReport: 30,
            TrainingSession: 3, Attendance: 10, Violation: 3, Evaluation: 10, PayStatement: 20,
            TargetPlan: 3, Target: 40, Budget: 4, ExpenseClaim: 5, Campaign: 2, Roadshow: 4,
        }  # fmt: skip
        counts = {model: model.objects.count() for model in expected}
        assert {m.__name__: n for m, n in counts.items() if n < expected[m]} == {}
        assert "Business modules" in demo and "contracts" in demo and "complaints" in demo

    def test_money_moves_only_through_finance_and_the_chain_is_complete(self, demo: str):
        # rule: ORD-2 — every receipt and deposit confirmation is finance's.
        finance = user("finance")
        assert set(Receipt.objects.values_list("confirmed_by", flat=True)) == {finance.pk}
        assert not Deposit.objects.filter(status="confirmed").exclude(confirmed_by=finance).exists()
        # CON-1: signed contracts went through the director's review; ORD-3: orders were signed off.
        signed = Contract.objects.filter(status__in=["signed", "archived"])
        assert signed.exists()
        for contract in signed:
            assert Instance.objects.filter(
                request_type="contract_review", object_id=contract.pk, status=Instance.Status.APPROVED
            ).exists()
            assert contract.order is not None and contract.order.status == "effective"
        # CON-6: an issued invoice never exceeds what finance confirmed; SHP-2: delivered means signed receipt.
        for invoice in InvoiceRequest.objects.filter(status="issued"):
            paid = sum(r.amount for r in Receipt.objects.filter(contract=invoice.contract))
            assert invoice.amount <= paid
        assert all(s.receipt for s in Shipment.objects.filter(status="delivered"))
        # Complaints at every stage of their lifecycle (CMP-2…5).
        assert set(Complaint.objects.values_list("status", flat=True)) >= {
            "received", "assigned", "solution", "executing", "closed",
        }  # fmt: skip

    def test_open_work_waits_in_the_inboxes(self, demo: str):
        # QUO-2: a discount beyond the float waits for approval; QUO-1: a non-standard request is open.
        waiting = Quote.objects.filter(status="pending_price")
        assert waiting.exists()
        assert Instance.objects.filter(request_type="price_deviation", status=Instance.Status.PENDING).exists()
        assert QuoteRequest.objects.filter(status="open").exists()
        assert QuoteRequest.objects.filter(status="answered", quote__isnull=False).exists()
        assert Deposit.objects.filter(status="registered").exists()  # ORD-2: finance to confirm
        assert Order.objects.filter(status="pending").exists()  # ORD-3: to sign off
        assert Contract.objects.filter(status="pending_review").exists()  # CON-1: to review
        assert InvoiceRequest.objects.filter(status="requested").exists()  # CON-6: to check
        assert WriteOff.objects.filter(status="approved").exists()  # CON-3: a bad debt this month
        assert Leave.objects.filter(status="pending").exists()  # HR-5
        assert Instance.objects.filter(request_type="violation", status=Instance.Status.PENDING).exists()
        assert WorkReport.objects.filter(status="submitted").exists()  # HR-8: not yet acknowledged

    def test_nothing_is_dated_on_or_after_the_anchor_day(self, demo: str):
        # The load acts at its moments in the demo year; only the command's closing sweep runs at "now".
        assert not Quote.history.filter(history_date__gte=START_OF_ANCHOR).exists()
        assert not Contract.history.filter(history_date__gte=START_OF_ANCHOR).exists()
        assert not Receipt.objects.filter(received_on__gte=ANCHOR).exists()
        # (The closing sweep's violations are submitted by the system, at "now".)
        assert not Decision.objects.filter(decided_at__gte=START_OF_ANCHOR, actor__isnull=False).exists()
        assert not CallLog.objects.filter(started_at__gte=START_OF_ANCHOR).exists()
        assert not AttendanceRecord.objects.filter(day__gte=ANCHOR).exists()
        assert not Complaint.objects.filter(received_at__gte=START_OF_ANCHOR).exists()
        # ...and a year of it: contracts were signed in many months.
        months = {d.month for d in Contract.objects.exclude(signed_on=None).values_list("signed_on", flat=True)}
        assert len(months) >= 4

    def test_hr_2_lateness_is_classified_by_the_service(self, demo: str):
        late = AttendanceRecord.objects.filter(late_minutes__gt=0)
        assert late.exists()
        assert not late.filter(late_tier="").exists()

    def test_director_dashboard_kpis_are_non_trivial(self, demo: str):
        period = month_of(ANCHOR - dt.timedelta(days=1))
        values = {figure.code: figure for figure in figures(user("director"), period, None)}
        for code in ("collection_rate", "bad_debt_ratio", "return_visit_punctuality", "plan_achievement",
                     "contact_capture", "complaint_punctuality"):  # fmt: skip
            figure = values[code]
            assert figure.value is not None and figure.value > 0, code
        assert values["collection_rate"].value < 100 or values["collection_rate"].total > 1
        assert values["violations"].value > 0

    def test_org_5_a_rep_sees_only_own_records(self, demo: str):
        rep = user("rep")
        for model in (Quote, Order, Contract, Deposit):
            assert model.objects.exclude(owner=rep).exists()
            assert not model.objects.restrict(rep, "view").exclude(owner=rep).exists(), model.__name__
        assert model.objects.restrict(rep, "view").exists()  # the rep's own contracts and more
        agent = user("telesales")
        assert CallLog.objects.exclude(agent=agent).exists()
        assert not CallLog.objects.restrict(agent, "view").exclude(agent=agent).exists()
        # Finance reads all the money (ORD-5 scopes: finance sees money).
        assert Receipt.objects.restrict(user("finance"), "view").count() == Receipt.objects.count()

    @pytest.mark.parametrize(
        ("username", "pages"),
        [
            ("director", ["reports:dashboard", "sales:contracts", "sales:receivables", "approvals:inbox",
                          "planning:targets", "performance:violations", "service:list", "marketing:campaigns"]),
            ("head", ["sales:quotes", "sales:orders", "workforce:meetings", "workforce:team_reports"]),
            ("rep", ["sales:quotes", "sales:orders", "sales:contracts", "sales:deposits", "workforce:attendance",
                     "workforce:leaves", "workforce:reports", "performance:my", "planning:claims",
                     "reports:dashboard"]),
            ("telesales", ["telesales:lists", "telesales:calls", "telesales:statistics", "reports:dashboard"]),
            ("service", ["service:list", "service:aftersales"]),
            ("finance", ["sales:receipts", "sales:receivables", "sales:invoices", "sales:deposits",
                         "performance:violations", "planning:budgets"]),
            ("assistant", ["sales:orders", "sales:shipments", "workforce:roster"]),
            ("commerce", ["sales:contracts", "telesales:receptions"]),
            ("hr", ["performance:statements", "training:index", "workforce:sheet"]),
            ("market", ["marketing:campaigns", "marketing:roadshows", "marketing:competitors"]),
            ("quoter", ["sales:request_queue", "sales:products"]),
        ],
    )  # fmt: skip
    def test_main_pages_render_for_each_demo_role(self, demo: str, username: str, pages: list[str]):
        client = Client()
        client.force_login(user(username))
        for name in pages:
            response = client.get(reverse(name))
            assert response.status_code == 200, (username, name, response.status_code)

    def test_rep_pages_show_own_records_only(self, demo: str):
        rep = user("rep")
        client = Client()
        client.force_login(rep)
        page = client.get(reverse("sales:quotes")).content.decode()
        own = Quote.objects.filter(owner=rep).first()
        other = Quote.objects.exclude(owner=rep).first()
        assert own is not None and own.number in page
        assert other.number not in page
