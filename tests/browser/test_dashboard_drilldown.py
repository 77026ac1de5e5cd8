"""Browser: the director opens the dashboard, clicks 回款率 through to the contracts behind it and
exports them (KPI, CON-3, ARC-2). The head's customer import and allocation (CUS-6) is
``test_dashboard_import.py``."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.browser.conftest import login
from tests.browser.test_customer_flow import watch_csp
from tests.factories import CustomerFactory
from tests.sales.money import money_world, pay, plan, signed  # noqa: F401
from yingxiao.archives.models import ExportLog

pytestmark = pytest.mark.django_db(transaction=True)


def test_kpi_director_clicks_collection_rate_through_to_its_contracts_and_exports_them(page, money):
    today = timezone.localdate()
    first, month = today.replace(day=1), f"{today:%Y-%m}"
    # Two contracts with instalments due this month: the rep's half collected, the teammate's paid.
    mine = signed(
        money,
        amount="100000.00",
        rows=plan(("prepayment", f"{first:%Y-%m-%d}", "60000.00"), ("final", f"{today.year + 1}-01-15", "40000.00")),
        signed_on=f"{first:%Y-%m-%d}",
    )
    pay(money, mine, "30000.00", on=f"{today:%Y-%m-%d}")
    theirs_customer = CustomerFactory(owner=money.p.teammate, department=money.p.domestic, name="乙贸易有限公司")
    theirs = signed(
        money,
        theirs_customer,
        amount="2000.00",
        rows=plan(("final", f"{first:%Y-%m-%d}", "2000.00")),
        signed_on=f"{first:%Y-%m-%d}",
    )
    pay(money, theirs, "2000.00", on=f"{today:%Y-%m-%d}")
    violations = watch_csp(page)

    login(page, "director")
    page.goto(f"/reports/?period={month}")
    page.locator("#chart-collection_rate svg").first.wait_for()  # the ECharts gauge rendered
    link = page.get_by_test_id("kpi-link-collection_rate")
    assert link.inner_text().strip() == "51.6%"  # 32 000 collected of 62 000 due this month
    link.click()
    page.wait_for_url(lambda url: "/reports/kpi/collection_rate/" in url)

    # The records behind the figure are the contracts: one row each, due and collected.
    table = page.get_by_test_id("drilldown-rows")
    assert table.locator("tbody tr").count() == 2
    text = table.inner_text()
    assert mine.number in text and theirs.number in text
    assert "60000.00" in text and "30000.00" in text and "2000.00" in text
    assert "32000.00" in page.get_by_test_id("kpi-sums").inner_text()

    # Export them (ARC-2): an .xlsx with the same rows, logged with the filter used.
    with page.expect_download() as download_info:
        page.get_by_test_id("drilldown-export").click()
    download = download_info.value
    sheet = load_workbook(BytesIO(open(download.path(), "rb").read())).active  # noqa: SIM115
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert sorted(str(row[0]).split()[0] for row in rows) == sorted([mine.number, theirs.number])
    assert sum(Decimal(str(row[-2])) for row in rows) == Decimal("62000.00")  # due
    assert sum(Decimal(str(row[-1])) for row in rows) == Decimal("32000.00")  # collected
    log = ExportLog.objects.get(list_name="reports.kpi.collection_rate")
    assert log.row_count == 2 and log.filters == {"period": month}

    # And one row opens the contract itself.
    page.get_by_role("link", name=f"{mine.number} 甲机械有限公司").click()
    page.wait_for_url(lambda url: f"/sales/contracts/{mine.pk}/" in url)
    assert mine.number in page.locator("h1").inner_text()
    assert violations == []
