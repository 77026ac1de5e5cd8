"""Receivables (CON-3), reconciliation (CON-4), overdue notices (CON-5) and guarantees (CON-8).

KPI totals always equal the sum of the drill-down rows, for every persona (ORG-5).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.factories import CustomerFactory
from tests.sales.money import money_world, pay, pending, plan, signed  # noqa: F401
from yingxiao.approvals.services import approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.performance.models import Violation
from yingxiao.policy.registry import run_sweep
from yingxiao.sales import kpis, services
from yingxiao.sales.models import Guarantee, Instalment, OverdueNotice, WriteOff

pytestmark = pytest.mark.django_db
Q1 = kpis.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
YEAR = kpis.Period.year(2026)


@pytest.fixture
def book(money):
    """国内部: the rep's contract (100 000, half of Q1 due collected) and the teammate's; 国际部: other_rep's."""
    mine = signed(money)
    pay(money, mine, "40000.00")  # 30 000 prepayment + 10 000 of the progress payment
    teammate_customer = CustomerFactory(owner=money.p.teammate, department=money.p.domestic)
    team = signed(money, teammate_customer, amount="1000.00", rows=plan(("final", "2026-02-01", "1000.00")))
    pay(money, team, "1000.00")
    theirs = signed(money, money.other_customer, amount="5000.00", rows=plan(("final", "2026-03-01", "5000.00")))
    return {"mine": mine, "team": team, "theirs": theirs}


@pytest.mark.parametrize(
    ("persona", "due", "collected"),
    [
        ("rep", "80000.00", "40000.00"),
        ("teammate", "1000.00", "1000.00"),
        ("head", "81000.00", "41000.00"),
        ("other_rep", "5000.00", "0.00"),
        ("director", "86000.00", "41000.00"),
        ("finance", "86000.00", "41000.00"),
        ("admin", "0.00", "0.00"),
        ("resource_director", "0.00", "0.00"),
    ],
)
def test_con_3_collection_rate_totals_equal_the_drill_down_rows_per_persona(money, book, persona, due, collected):
    user = getattr(money.p, persona)
    figure = kpis.collection_rate(user, Q1)
    assert (figure.denominator, figure.numerator) == (Decimal(due), Decimal(collected))
    rows = list(figure.rows)
    assert sum((r.amount for r in rows), Decimal("0.00")) == figure.denominator
    assert sum((r.received for r in rows), Decimal("0.00")) == figure.numerator
    assert sum((a.amount for a in figure.related["allocations"]), Decimal("0.00")) == figure.numerator
    if figure.denominator:
        assert figure.value == (figure.numerator * 100 / figure.denominator).quantize(Decimal("0.01"))
    else:
        assert figure.value is None


def test_con_3_collection_rate_per_person_department_and_month_against_the_target(money, book):
    director = money.p.director
    rep = kpis.collection_rate(director, Q1, owner=money.p.rep)
    assert rep.value == Decimal("50.00") and rep.threshold == Decimal("100") and rep.meets is False
    team = kpis.collection_rate(director, Q1, owner=money.p.teammate)
    assert team.value == Decimal("100.00") and team.meets is True
    domestic = kpis.collection_rate(director, Q1, department=money.p.domestic)
    assert domestic.denominator == Decimal("81000.00")
    by_owner = {row["owner_id"]: row for row in kpis.collection_by(director, Q1, "owner")}
    assert by_owner[money.p.rep.pk]["value"] == Decimal("50.00")
    by_month = {row["key"].month: row for row in kpis.collection_by(director, YEAR, "month")}
    assert by_month[1]["due"] == Decimal("30000.00") and by_month[1]["value"] == Decimal("100.00")
    assert by_month[6]["value"] == Decimal("0.00")
    # narrowing never widens: the rep asking for other_rep's figure gets nothing
    assert kpis.collection_rate(money.p.rep, Q1, owner=money.p.other_rep).denominator == Decimal("0.00")


def test_con_3_bad_debt_write_off_needs_approval_and_counts_against_the_scope_limit(money, book):
    instalment = book["theirs"].instalments.get()
    with pytest.raises(Exception):  # noqa: B017 — a rep may not write debt off
        services.write_off_request(actor=money.p.rep, instalment=instalment, amount="10.00", reason="x")
    with pytest.raises(BusinessError) as too_much:
        services.write_off_request(actor=money.p.finance, instalment=instalment, amount="5000.01", reason="倒闭")
    assert too_much.value.code == "sales.write_off_too_large"
    write_off = services.write_off_request(actor=money.p.finance, instalment=instalment, amount="50.00", reason="倒闭")
    assert write_off.status == WriteOff.Status.PENDING
    assert kpis.bad_debt_ratio(money.p.director, YEAR).numerator == Decimal("0.00")  # not yet approved
    approval_decide(actor=money.p.director, instance=pending("bad_debt_writeoff"), decision="approve")
    instalment.refresh_from_db()
    assert instalment.written_off == Decimal("50.00")
    figure = kpis.bad_debt_ratio(money.p.director, kpis.Period.year(dt.date.today().year))
    revenue_year = kpis.bad_debt_ratio(money.p.director, YEAR)
    assert revenue_year.denominator == Decimal("106000.00")
    assert sum(c.amount for c in revenue_year.related["revenue"]) == revenue_year.denominator
    assert figure.numerator == sum(w.amount for w in figure.rows) == Decimal("50.00")
    # per scope: the whole center (1%), a department (3%), a person (0.2%)
    assert kpis.bad_debt_limit(money.p.director) == Decimal("1")
    assert kpis.bad_debt_limit(money.p.director, department=money.p.international) == Decimal("3")
    assert kpis.bad_debt_limit(money.p.head) == Decimal("3")
    assert kpis.bad_debt_limit(money.p.rep) == Decimal("0.2")
    assert kpis.bad_debt_limit(money.p.director, owner=money.p.other_rep) == Decimal("0.2")
    # the rep's scope never sees other_rep's write-off
    assert kpis.bad_debt_ratio(money.p.rep, kpis.Period.year(dt.date.today().year)).numerator == Decimal("0.00")


def test_con_3_ageing_buckets_from_the_policy(money, book):
    as_of = dt.date(2026, 4, 15)
    result = kpis.ageing(money.p.director, as_of)
    assert [key for key, _label in result.columns] == ["not_due", "d1_30", "d31_60", "d61_90", "d91_180", "over_180"]
    # outstanding: mine 40 000 (progress, due 03-15: 31 days) + 20 000 (final 06-30: not due);
    # theirs 5 000 (03-01: 45 days)
    assert result.totals["not_due"] == Decimal("20000.00")
    assert result.totals["d31_60"] == Decimal("45000.00")
    assert result.totals["total"] == Decimal("65000.00")
    rows = list(result.rows)
    assert sum((r.outstanding_amount for r in rows), Decimal("0.00")) == result.totals["total"]
    for key, _label in result.columns:
        assert sum((r.outstanding_amount for r in rows if r.bucket == key), Decimal("0.00")) == result.totals[key]
    per_owner = {row["key"]: row["total"] for row in result.groups}
    assert per_owner == {money.p.rep.pk: Decimal("60000.00"), money.p.other_rep.pk: Decimal("5000.00")}
    assert kpis.ageing(money.p.rep, as_of).totals["total"] == Decimal("60000.00")
    assert kpis.ageing(money.p.director, dt.date(2026, 3, 16)).totals["d1_30"] == Decimal("45000.00")
    october = kpis.ageing(money.p.director, dt.date(2026, 10, 1)).totals  # 93, 200 and 214 days overdue
    assert (october["d91_180"], october["over_180"]) == (Decimal("20000.00"), Decimal("45000.00"))
    assert kpis.ageing(money.p.director, dt.date(2027, 1, 1)).totals["over_180"] == Decimal("65000.00")


def test_con_3_receivables_page_and_drill_down_and_export(money, book, client):
    from tests.web.csp import inline_code

    client.force_login(money.p.rep)
    page = client.get("/sales/receivables/?period=2026")
    html = page.content.decode()
    assert page.status_code == 200 and inline_code(html) == []
    assert "40000.00" in html and "5000.00" not in html.replace("45000.00", "")
    drill = client.get("/sales/receivables/collection/?period=2026").content.decode()
    assert book["mine"].number in drill and book["theirs"].number not in drill
    assert client.get("/sales/receivables/ageing/?as_of=2026-04-15").status_code == 200
    assert client.get("/sales/receivables/bad-debt/?period=2026").status_code == 200
    assert client.get("/sales/receivables/nonsense/").status_code == 404
    book["mine"].customer.name = '=HYPERLINK("http://x")'
    book["mine"].customer.save()
    export = client.get("/sales/receivables/ageing.xlsx?as_of=2026-04-15")
    sheet = load_workbook(BytesIO(export.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert sheet.cell(row=sheet.max_row, column=6).value == 60000


def test_con_3_receivables_api_in_scope(money, book, api_as):
    rep = api_as("rep").get("/api/v1/sales/receivables/?period=2026").json()
    assert rep["collection_rate"]["denominator"] == "100000.00"
    director = api_as("director").get("/api/v1/sales/receivables/?period=2026").json()
    assert director["collection_rate"]["denominator"] == "106000.00"
    assert api_as("admin").get("/api/v1/sales/receivables/").status_code == 403


def test_con_4_reconciliation_both_sides_sign_and_differences_are_listed(money, book, client):
    with pytest.raises(Exception):  # noqa: B017 — a rep does not reconcile
        services.reconciliation_open(actor=money.p.rep, kind="weekly", on="2026-04-03")
    recon = services.reconciliation_open(actor=money.p.finance, kind="weekly", on="2026-04-03")  # a Friday
    assert (recon.period_start, recon.period_end) == (dt.date(2026, 3, 28), dt.date(2026, 4, 3))
    with pytest.raises(BusinessError) as again:
        services.reconciliation_open(actor=money.assistant, kind="weekly", on="2026-04-04")
    assert again.value.code == "sales.reconciliation_exists"
    lines = {line.contract_id: line for line in recon.lines.all()}
    assert lines[book["mine"].pk].sales_amount == Decimal("60000.00")
    assert lines[book["team"].pk].sales_amount == Decimal("0.00")
    with pytest.raises(BusinessError) as early:
        services.reconciliation_sign(actor=money.p.finance, reconciliation=recon, side="finance")
    assert early.value.code == "sales.finance_figures_missing"
    for line in lines.values():
        amount = line.sales_amount - (Decimal("100.00") if line.contract_id == book["mine"].pk else 0)
        services.reconciliation_set_finance(actor=money.p.finance, reconciliation=recon, line=line.pk, amount=amount)
    with pytest.raises(Exception):  # noqa: B017 — only finance enters its figures
        services.reconciliation_set_finance(actor=money.assistant, reconciliation=recon, line=line.pk, amount="1")
    differences = list(services.receivables.differences(recon))
    assert [(d.contract_id, d.difference) for d in differences] == [(book["mine"].pk, Decimal("100.00"))]
    run_sweep("CON-4r", as_of=dt.datetime(2026, 4, 4, 9, tzinfo=dt.UTC))
    from yingxiao.core.notifications import Notification

    assert Notification.objects.filter(recipient=money.p.finance).count() == 1
    services.reconciliation_sign(actor=money.p.finance, reconciliation=recon, side="finance")
    with pytest.raises(Exception):  # noqa: B017 — finance cannot sign for sales
        services.reconciliation_sign(actor=money.p.finance, reconciliation=recon, side="sales")
    services.reconciliation_sign(actor=money.assistant, reconciliation=recon, side="sales")
    recon.refresh_from_db()
    assert recon.is_closed
    run_sweep("CON-4r", as_of=dt.datetime(2026, 4, 5, 9, tzinfo=dt.UTC))
    assert Notification.objects.filter(recipient=money.p.finance).count() == 1  # closed: no more reminders
    client.force_login(money.p.finance)
    assert client.get(f"/sales/reconciliations/{recon.pk}/").status_code == 200
    sheet = load_workbook(BytesIO(client.get(f"/sales/reconciliations/{recon.pk}.xlsx").content)).active
    assert any(row[5].value == 100 for row in sheet.iter_rows(min_row=3) if len(row) > 5)


def test_con_4_monthly_ledger_period_ends_on_the_configured_day(money):
    assert services.receivables.reconciliation_period("monthly", dt.date(2026, 4, 25)) == (
        dt.date(2026, 3, 26),
        dt.date(2026, 4, 25),
    )
    assert services.receivables.reconciliation_period("monthly", dt.date(2026, 4, 24)) == (
        dt.date(2026, 2, 26),
        dt.date(2026, 3, 25),
    )


def test_con_5_month_end_overdue_notices_to_the_owning_reps(money, book, client):
    from yingxiao.core.notifications import Notification

    run_sweep("CON-5", as_of=dt.datetime(2026, 4, 15, 9, tzinfo=dt.UTC))  # notices for the end of March
    notices = OverdueNotice.objects.all()
    # overdue at 03-31: mine's progress payment (40 000 left) and theirs (5 000)
    assert sorted((n.owner.username, n.outstanding) for n in notices) == [
        ("other_rep", Decimal("5000.00")),
        ("rep", Decimal("40000.00")),
    ]
    assert {n.month for n in notices} == {dt.date(2026, 3, 31)}
    run_sweep("CON-5", as_of=dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC))
    assert OverdueNotice.objects.count() == 2  # once per instalment and month
    assert Notification.objects.filter(recipient=money.p.rep, message__contains=book["mine"].number).count() == 1
    notice = notices.get(owner=money.p.rep)
    client.force_login(money.p.rep)
    assert "40000.00" in client.get(f"/sales/notices/{notice.pk}/").content.decode()
    assert client.get(f"/sales/notices/{notices.get(owner=money.p.other_rep).pk}/").status_code == 404


def _distributor(money):
    return CustomerFactory(name="某经销商", owner=money.regional, department=money.p.domestic)


def test_con_8_guarantee_limit_and_deduction_after_the_period(money):
    contract = signed(money, _distributor(money), amount="800.00", rows=plan(("final", "2026-02-01", "800.00")))
    with pytest.raises(Exception):  # noqa: B017 — only regional managers guarantee
        services.guarantee_create(actor=money.p.head, contract=contract, amount="100.00")
    services.guarantee_create(actor=money.regional, contract=contract, amount="300.00", guaranteed_on="2026-01-10")
    with pytest.raises(BusinessError) as over:
        services.guarantee_create(actor=money.regional, contract=contract, amount="200.01", guaranteed_on="2026-01-10")
    assert over.value.code == "sales.guarantee_over_limit"
    guarantee = Guarantee.objects.get()
    run_sweep("CON-8", as_of=dt.datetime(2026, 4, 9, 9, tzinfo=dt.UTC))  # 3 months not yet over
    assert not Violation.objects.filter(rule_id="CON-8").exists()
    pay(money, contract, "600.00", on="2026-03-01")
    run_sweep("CON-8", as_of=dt.datetime(2026, 4, 11, 9, tzinfo=dt.UTC))
    own = Violation.objects.get(rule_id="CON-8", person=money.regional)
    assert own.amount == Decimal("200.00")  # what is still unpaid, at most the guarantee
    run_sweep("CON-8", as_of=dt.datetime(2026, 4, 12, 9, tzinfo=dt.UTC))
    assert Violation.objects.filter(rule_id="CON-8", person=money.regional).count() == 1
    guarantee.refresh_from_db()
    assert guarantee.status == Guarantee.Status.DEDUCTED and guarantee.violation == own


def test_con_8_paid_debt_is_not_deducted(money):
    contract = signed(money, _distributor(money), amount="400.00", rows=plan(("final", "2026-02-01", "400.00")))
    services.guarantee_create(actor=money.regional, contract=contract, amount="400.00", guaranteed_on="2026-01-10")
    pay(money, contract, "400.00")
    run_sweep("CON-8", as_of=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
    assert not Violation.objects.filter(rule_id="CON-8").exists()
    assert Instalment.objects.get(contract=contract).outstanding == Decimal("0.00")


@pytest.mark.parametrize(
    "url",
    [
        "/sales/contracts/",
        "/sales/receipts/",
        "/sales/receivables/",
        "/sales/reconciliations/",
        "/sales/invoices/",
        "/sales/notices/",
        "/sales/seal-log/",
    ],
)
@pytest.mark.parametrize("persona", ["director", "rep", "admin", "finance"])
def test_con_3_money_pages_render_under_the_strict_csp(money, client, url, persona):
    from tests.web.csp import inline_code

    client.force_login(getattr(money.p, persona))
    response = client.get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    if response.status_code == 200:
        assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize("persona", ["director", "head", "rep", "other_rep"])
def test_con_3_dashboard_collection_rate_is_the_receivables_figure_with_its_contracts(money, book, persona):
    from yingxiao.reports import kpis as dashboard
    from yingxiao.reports.periods import Period as DashboardPeriod

    user = getattr(money.p, persona)
    quarter = DashboardPeriod("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    kpi = dashboard.KPIS_BY_CODE["collection_rate"]
    figure = kpi.figure(user, quarter, None)
    expected = kpis.collection_rate(user, Q1)
    assert figure.available
    shown = expected.numerator * 100 / expected.denominator if expected.denominator else None
    assert figure.value == (None if shown is None else shown.quantize(Decimal("0.1"), ROUND_HALF_UP))
    records = list(kpi.records(user, quarter, None))
    assert sorted(r["contract_id"] for r in records) == sorted(set(expected.rows.values_list("contract_id", flat=True)))
    assert sum((r["kpi_due"] for r in records), Decimal("0.00")) == expected.denominator
    assert sum((r["kpi_collected"] for r in records), Decimal("0.00")) == expected.numerator
