"""The receivables day summary (CON-3) on PostgreSQL: kept by database triggers on the payment-plan
lines, it must give exactly the figures computed from the lines, for every scope (ORG-5), after
every way money or ownership moves: signing, receipts and their reversal, write-offs, reassignment,
cancellation, deletion of lines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory
from tests.sales.money import draft, money_world, pay, pending, plan, signed  # noqa: F401
from yingxiao.approvals.services import approval_decide
from yingxiao.sales import kpis, services
from yingxiao.sales.models import Instalment, InstalmentDaySummary

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

YEAR = kpis.Period.year(2026)
Q1 = kpis.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
AS_OF = dt.date(2026, 4, 15)
KEY = "owner_id, department_id, due_date, is_effective"


def _direct(call: Any) -> Any:
    with mock.patch.object(kpis, "use_summary", return_value=False):
        return call()


def _summary_equals_lines() -> None:
    """The table is exactly the lines grouped by its key: no drift, no empty key left behind."""
    with connection.cursor() as cursor:
        for left, right in (("lines", "summary"), ("summary", "lines")):
            cursor.execute(
                f"""WITH lines AS (
                    SELECT {KEY}, sum(amount) AS amount, sum(received) AS received, sum(written_off) AS written_off,
                           sum(greatest(amount - received - written_off, 0)) AS outstanding, count(*)::int AS lines
                    FROM sales_instalment GROUP BY {KEY}
                ), summary AS (
                    SELECT {KEY}, amount, received, written_off, outstanding, lines FROM sales_instalmentdaysummary
                )
                SELECT count(*) FROM (SELECT * FROM {left} EXCEPT SELECT * FROM {right}) AS diff"""
            )
            assert cursor.fetchone()[0] == 0, f"{left} not in {right}"


def _assert_same_figures(user: Any, **narrow: Any) -> None:
    """Ageing (per owner, department, contract and its totals), 回款率 and the grouped 回款率 from the
    summary equal the direct computation from the lines."""
    for group in ("owner", "department", "contract"):
        with CaptureQueriesContext(connection) as captured:
            fast = kpis.ageing(user, AS_OF, group=group, **narrow)
        slow = _direct(lambda group=group: kpis.ageing(user, AS_OF, group=group, **narrow))
        assert fast.totals == slow.totals, (group, narrow)
        assert [(g["key"], g["cells"], g["total"]) for g in fast.groups] == [
            (g["key"], g["cells"], g["total"]) for g in slow.groups
        ], (group, narrow)
        assert list(fast.rows.values_list("pk", flat=True)) == list(slow.rows.values_list("pk", flat=True))
        if kpis.Instalment.objects.restrict(user, "view").exists():
            assert any("sales_instalmentdaysummary" in q["sql"] for q in captured.captured_queries)
    for period in (Q1, YEAR, kpis.Period.month(2026, 3)):
        fast_rate = kpis.collection_rate(user, period, **narrow)
        slow_rate = _direct(lambda period=period: kpis.collection_rate(user, period, **narrow))
        assert (fast_rate.numerator, fast_rate.denominator, fast_rate.value) == (
            slow_rate.numerator,
            slow_rate.denominator,
            slow_rate.value,
        ), (period, narrow)
        # the drill-down stays the lines and still adds up to the figure
        assert sum((r.amount for r in fast_rate.rows), Decimal("0.00")) == fast_rate.denominator
        assert sum((r.received for r in fast_rate.rows), Decimal("0.00")) == fast_rate.numerator
    if not narrow:
        for group in ("owner", "department", "month"):
            assert kpis.collection_by(user, YEAR, group) == _direct(
                lambda group=group: kpis.collection_by(user, YEAR, group)
            )


def _all_scopes(money: Any) -> None:
    p = money.p
    _summary_equals_lines()
    _assert_same_figures(p.director)  # the company
    _assert_same_figures(p.director, department=p.domestic)  # one department (and its subtree)
    _assert_same_figures(p.director, owner=p.rep)  # one person, narrowed
    _assert_same_figures(p.head)  # a department head's own scope
    _assert_same_figures(p.rep)  # a rep's own scope
    _assert_same_figures(p.rep, owner=p.other_rep)  # narrowing never widens
    _assert_same_figures(p.finance)


@pytest.fixture
def book(money):
    """Signed contracts in 国内部 and 国际部 with receipts, one approved write-off, one draft."""
    mine = signed(money)
    pay(money, mine, "40000.00")  # the prepayment and 10 000 of the progress payment
    teammate_customer = CustomerFactory(owner=money.p.teammate, department=money.p.domestic)
    team = signed(
        money,
        teammate_customer,
        amount="1000.00",
        rows=plan(("prepayment", "2026-02-01", "400.00"), ("final", "2026-04-10", "600.00")),
    )
    pay(money, team, "400.00")
    theirs = signed(money, money.other_customer, amount="5000.00", rows=plan(("final", "2026-03-01", "5000.00")))
    services.write_off_request(
        actor=money.p.finance, instalment=theirs.instalments.get(), amount="1234.56", reason="倒闭"
    )
    approval_decide(actor=money.p.director, instance=pending("bad_debt_writeoff"), decision="approve")
    later = draft(money, rows=plan(("prepayment", "2026-05-01", "100000.00")))  # not in force
    return {"mine": mine, "team": team, "theirs": theirs, "draft": later}


def test_con_3_summary_equals_the_lines_after_signing_receipts_and_write_offs(money, book):
    assert InstalmentDaySummary.objects.filter(is_effective=False).exists()  # the draft's plan is kept too
    theirs = book["theirs"].instalments.get()
    assert theirs.written_off == Decimal("1234.56")
    _all_scopes(money)
    # the company's ageing as of 2026-04-15: mine 40 000 due 03-15 (31 days) + 20 000 not due;
    # the teammate's 600 due 04-10 (5 days); theirs 5 000 − 1 234.56 due 03-01 (45 days)
    totals = kpis.ageing(money.p.director, AS_OF).totals
    assert totals["not_due"] == Decimal("20000.00")
    assert totals["d1_30"] == Decimal("600.00")
    assert totals["d31_60"] == Decimal("43765.44")
    assert totals["total"] == Decimal("64365.44")


def test_con_3_summary_follows_a_reversed_receipt_and_a_second_receipt(money, book):
    receipt = book["mine"].receipts.get()
    services.receipt_reverse(actor=money.p.finance, receipt=receipt, reason="退票")
    _all_scopes(money)
    pay(money, book["mine"], "85000.00", on="2026-03-20")
    pay(money, book["team"], "0.01", on="2026-04-11")
    _all_scopes(money)
    rate = kpis.collection_rate(money.p.director, Q1)
    assert rate.numerator == Decimal("80400.00")  # Q1 lines: 30 000 + 50 000 + 400 received
    assert rate.denominator == Decimal("85400.00")


def test_con_3_summary_follows_reassignment_to_another_owner_and_department(money, book):
    # a contract handed to other_rep in 国际部: the services keep the lines' mirrors like this
    Instalment.objects.filter(contract=book["mine"]).update(owner=money.p.other_rep, department=money.p.international)
    _all_scopes(money)
    assert kpis.ageing(money.p.rep, AS_OF).totals["total"] == Decimal("0.00")
    # a line whose contract has no department (NULL key): one summary row, never duplicated
    Instalment.objects.filter(contract=book["team"]).update(department=None)
    Instalment.objects.filter(contract=book["theirs"]).update(department=None, due_date=dt.date(2026, 4, 10))
    _all_scopes(money)
    no_department = InstalmentDaySummary.objects.filter(department__isnull=True, is_effective=True)
    keys = list(no_department.values_list("owner_id", "due_date"))
    assert len(keys) == len(set(keys)) == 3
    ageing = kpis.ageing(money.p.director, AS_OF, group="department")
    assert any(group["key"] is None for group in ageing.groups)


def test_con_3_summary_follows_cancellation_and_deletion_of_lines(money, book):
    # a contract no longer in force: its lines leave the figures, its summary moves to is_effective=False
    Instalment.objects.filter(contract=book["team"]).update(is_effective=False)
    _all_scopes(money)
    # a draft's plan replaced (its old lines deleted, new ones written) and then deleted outright
    services.contract_update(
        actor=book["draft"].drafted_by,
        contract=book["draft"],
        instalments=plan(("prepayment", "2026-05-02", "60000.00"), ("final", "2026-07-01", "40000.00")),
    )
    _all_scopes(money)
    assert not InstalmentDaySummary.objects.filter(due_date=dt.date(2026, 5, 1)).exists()  # emptied keys go
    Instalment.objects.filter(contract=book["draft"]).delete()
    _all_scopes(money)
    assert not InstalmentDaySummary.objects.filter(is_effective=False, owner=money.p.rep).exists()
    # signing it again later: the lines come back in force, in one statement
    book["team"].instalments.update(is_effective=True)
    _all_scopes(money)


def test_con_3_summary_is_scoped_like_the_instalments(money, book):
    """ORG-5: the summary answers only what the viewer may see of the lines, with their permission."""
    p = money.p
    for user in (p.rep, p.teammate, p.head, p.other_rep, p.director, p.finance, p.admin, p.resource_director):
        lines = Instalment.objects.restrict(user, "view")
        summary = InstalmentDaySummary.objects.restrict(user, "view")
        keys = lines.values("owner_id", "department_id", "due_date", "is_effective").distinct()
        assert summary.count() == keys.count()
        assert sum(summary.values_list("amount", flat=True), Decimal("0.00")) == sum(
            lines.values_list("amount", flat=True), Decimal("0.00")
        )
    assert not InstalmentDaySummary.objects.restrict(p.admin, "view").exists()
