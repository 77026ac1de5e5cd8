"""回款率 and 坏账率 on the dashboard (CON-3, KPI): one drill-down row per contract, adding up to the figure.

The figure comes from one aggregate (``yingxiao.sales.dashboard_kpis``), the rows from a grouped
query: for every persona the rows' count, hits and money sums equal the figure, and the export of
the drill-down goes through the export control (ARC-2).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.core.test_exports import set_policy
from tests.factories import CustomerFactory
from tests.sales.money import money_world, pay, pending, plan, signed  # noqa: F401
from yingxiao.approvals.services import approval_decide
from yingxiao.archives.models import ExportLog
from yingxiao.org.models import User
from yingxiao.reports import kpis
from yingxiao.reports.periods import parse_period
from yingxiao.sales import services

pytestmark = pytest.mark.django_db
PERSONAS = ("director", "head", "rep", "teammate", "other_rep", "finance", "admin", "resource_director")
Q1 = "2026-Q1"
ZERO = Decimal("0.00")


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def book(money):
    """国内部: the rep's contract (Q1 due 80 000, 40 000 collected) and the teammate's (paid);
    国际部: other_rep's (5 000 due 03-01, 50 of it written off in Q1 … once approved)."""
    mine = signed(money, signed_on="2026-01-05")
    pay(money, mine, "40000.00", on="2026-01-20")
    teammate_customer = CustomerFactory(owner=money.p.teammate, department=money.p.domestic, name="丁贸易有限公司")
    team = signed(
        money,
        teammate_customer,
        amount="1000.00",
        rows=plan(("final", "2026-02-01", "1000.00")),
        signed_on="2026-01-06",
    )
    pay(money, team, "1000.00", on="2026-01-21")
    theirs = signed(
        money,
        money.other_customer,
        amount="5000.00",
        rows=plan(("final", "2026-03-01", "5000.00")),
        signed_on="2025-12-20",
    )
    return {"mine": mine, "team": team, "theirs": theirs}


def _write_off(money, contract, amount: str) -> None:
    instalment = contract.instalments.get()
    services.write_off_request(actor=money.p.finance, instalment=instalment, amount=amount, reason="倒闭")
    approval_decide(actor=money.p.director, instance=pending("bad_debt_writeoff"), decision="approve")


def _rows(viewer, code: str, period: str = Q1, department=None, segment: str = "") -> list[kpis.Row]:
    return kpis.rows(viewer, kpis.KPIS_BY_CODE[code], parse_period(period), department, segment)


def _sums(rows: list[kpis.Row]) -> tuple[Decimal, Decimal]:
    return sum((r.numerator for r in rows), ZERO), sum((r.denominator for r in rows), ZERO)


@pytest.mark.parametrize(
    ("persona", "contracts", "due", "collected"),
    [
        ("director", 3, "86000.00", "41000.00"),
        ("head", 2, "81000.00", "41000.00"),
        ("rep", 1, "80000.00", "40000.00"),
        ("teammate", 1, "1000.00", "1000.00"),
        ("other_rep", 1, "5000.00", "0.00"),
        ("finance", 3, "86000.00", "41000.00"),
        ("admin", 0, "0.00", "0.00"),
        ("resource_director", 0, "0.00", "0.00"),
    ],
)
def test_con_3_collection_rate_drills_down_to_one_row_per_contract_summing_to_the_figure(
    money, book, persona, contracts, due, collected
) -> None:
    viewer = fresh(getattr(money.p, persona))
    figure = kpis.KPIS_BY_CODE["collection_rate"].figure(viewer, parse_period(Q1), None)
    rows = _rows(viewer, "collection_rate")
    assert figure.available and figure.total == len(rows) == contracts
    assert len({row.pk for row in rows}) == len(rows)  # one row per contract
    assert (figure.numerator, figure.denominator) == (Decimal(collected), Decimal(due))
    assert _sums(rows) == (figure.numerator, figure.denominator)
    assert figure.hits == sum(1 for row in rows if row.hit)
    # rule: CON-3 — measured against the configured collection target.
    assert figure.target == Decimal("100")
    if figure.denominator:
        assert figure.value == (figure.numerator * 100 / figure.denominator).quantize(Decimal("0.1"))
    else:
        assert figure.value is None
    for row in rows:
        assert row.url == reverse("sales:contract_detail", args=[row.pk])


def test_con_3_collection_row_shows_the_contracts_due_and_collected_and_whether_fully_collected(money, book) -> None:
    rows = {row.pk: row for row in _rows(fresh(money.p.director), "collection_rate")}
    mine, team = rows[book["mine"].pk], rows[book["team"].pk]
    # Q1: prepayment 30 000 + progress 50 000 due; 40 000 received.
    assert (mine.denominator, mine.numerator, mine.hit) == (Decimal("80000.00"), Decimal("40000.00"), False)
    assert book["mine"].number in mine.label and "甲机械有限公司" in mine.label
    assert (team.denominator, team.numerator, team.hit) == (Decimal("1000.00"), Decimal("1000.00"), True)
    director = kpis.KPIS_BY_CODE["collection_rate"].figure(fresh(money.p.director), parse_period(Q1), None)
    assert (director.hits, director.total, director.value) == (1, 3, Decimal("47.7"))
    assert director.meets_target is False
    # The breakdowns by state are the same rows.
    collected = _rows(fresh(money.p.director), "collection_rate", segment="collected")
    outstanding = _rows(fresh(money.p.director), "collection_rate", segment="outstanding")
    assert [r.pk for r in collected] == [book["team"].pk]
    assert len(collected) + len(outstanding) == director.total


def test_org_5_collection_rate_department_filter_narrows_to_its_contracts(money, book) -> None:
    director = fresh(money.p.director)
    figure = kpis.KPIS_BY_CODE["collection_rate"].figure(director, parse_period(Q1), money.p.domestic)
    rows = _rows(director, "collection_rate", department=money.p.domestic)
    assert {row.pk for row in rows} == {book["mine"].pk, book["team"].pk}
    assert _sums(rows) == (figure.numerator, figure.denominator) == (Decimal("41000.00"), Decimal("81000.00"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_con_3_bad_debt_ratio_rows_are_contracts_summing_to_the_figure(money, book, persona) -> None:
    _write_off(money, book["theirs"], "50.00")
    viewer = fresh(getattr(money.p, persona))
    code = "bad_debt_ratio"
    # The write-off is approved today: the period is this year (revenue = contracts signed this year).
    period = str(timezone.localdate().year)
    figure = kpis.KPIS_BY_CODE[code].figure(viewer, parse_period(period), None)
    rows = _rows(viewer, code, period)
    assert figure.total == len(rows) and figure.hits == sum(1 for row in rows if row.hit)
    assert len({row.pk for row in rows}) == len(rows)
    assert _sums(rows) == (figure.numerator, figure.denominator)
    assert figure.target_is_limit is True


def test_con_3_bad_debt_ratio_counts_the_write_off_and_the_revenue_of_the_period(money, book) -> None:
    director = fresh(money.p.director)
    _write_off(money, book["theirs"], "50.00")
    written_on = book["theirs"].instalments.get().write_offs.get().written_off_on
    period = str(written_on.year)
    figure = kpis.KPIS_BY_CODE["bad_debt_ratio"].figure(director, parse_period(period), None)
    rows = {row.pk: row for row in _rows(director, "bad_debt_ratio", period)}
    assert figure.numerator == Decimal("50.00")
    assert rows[book["theirs"].pk].hit and rows[book["theirs"].pk].numerator == Decimal("50.00")
    # rule: CON-3 — the whole center's limit (bad_debt_max_company); lower is better.
    assert figure.target == Decimal("1")
    # Revenue: contracts signed in the year — in 2026 the rep's 100 000 and the teammate's 1 000
    # (theirs was signed in 2025, so its row carries the write-off and no revenue).
    assert figure.denominator == (Decimal("101000.00") if written_on.year == 2026 else ZERO)
    assert rows[book["theirs"].pk].denominator == ZERO
    # The rep sees neither other_rep's write-off nor their contract.
    rep_rows = _rows(fresh(money.p.rep), "bad_debt_ratio", period)
    assert book["theirs"].pk not in {row.pk for row in rep_rows}


def test_arc_2_director_exports_the_contracts_behind_the_collection_rate(money, book, client) -> None:
    client.force_login(money.p.director)
    url = reverse("reports:drilldown_export", args=["collection_rate"])
    response = client.get(url, {"period": Q1, "format": "xlsx"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(BytesIO(body)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 1 + 3  # header + one row per contract
    assert any(book["mine"].number in str(row[0]) for row in values[1:])
    log = ExportLog.objects.get(list_name="reports.kpi.collection_rate")
    assert log.row_count == 3 and log.status == ExportLog.Status.DONE and log.filters == {"period": Q1}


def test_arc_2_drill_down_export_escapes_formula_cells(money, book, client) -> None:
    User.objects.filter(pk=money.p.rep.pk).update(display_name="=1+1")
    client.force_login(money.p.director)
    response = client.get(
        reverse("reports:drilldown_export", args=["collection_rate"]), {"period": Q1, "format": "csv"}
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    mine = next(line for line in lines if line.startswith(book["mine"].number))
    # rule: ARC-2 — the owner cell would be a formula to Excel: it is written with an apostrophe.
    assert mine.split(",")[1] == "'=1+1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line.split(","))


def test_arc_2_drill_down_export_needs_the_export_permission_and_is_logged_when_refused(money, book, client) -> None:
    client.force_login(money.p.rep)  # a rep sees the dashboard but may not export
    response = client.get(reverse("reports:drilldown_export", args=["collection_rate"]), {"period": Q1})
    assert response.status_code == 403
    assert ExportLog.objects.get(list_name="reports.kpi.collection_rate").status == ExportLog.Status.REFUSED


def test_arc_2_drill_down_export_over_the_per_file_cap_is_refused(money, book, client) -> None:
    set_policy("export_max_rows_per_file", 2)
    client.force_login(money.p.director)
    response = client.get(reverse("reports:drilldown_export", args=["collection_rate"]), {"period": Q1})
    assert response.status_code == 400
    assert 'data-code="exports.too_many_rows"' in response.content.decode()
    log = ExportLog.objects.get(list_name="reports.kpi.collection_rate")
    assert log.status == ExportLog.Status.REFUSED and log.row_count == 3


def test_org_5_drill_down_page_lists_contracts_with_due_and_collected(money, book, client) -> None:
    client.force_login(money.p.head)
    response = client.get(reverse("reports:drilldown", args=["collection_rate"]), {"period": Q1})
    assert response.status_code == 200
    html = response.content.decode()
    assert book["mine"].number in html and book["theirs"].number not in html
    assert "80000.00" in html and "40000.00" in html
