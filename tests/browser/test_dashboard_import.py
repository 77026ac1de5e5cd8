"""Browser: a head imports a customer list (GBK CSV), checks it, imports and allocates it (CUS-6);
the director opens the dashboard (ECharts) and clicks a KPI through to the records behind it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tests.personas import build_personas
from yingxiao.customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "客户名称,电话,地区\n华东机械有限公司,13800000001,杭州\n西湖贸易有限公司,13800000002,杭州\n"


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login/" in url)


def test_cus_6_head_imports_and_allocates_director_drills_into_a_kpi(page, tmp_path):
    people = build_personas()
    upload = tmp_path / "名单.csv"
    upload.write_bytes(CSV.encode("gbk"))

    # The head checks the file (dry run: nothing written), then imports it and allocates evenly.
    login(page, "head")
    page.goto("/customers/import/")
    page.set_input_files("#id_file", str(upload))
    page.get_by_test_id("import-check").click()
    report = page.get_by_test_id("import-report")
    report.wait_for()
    assert "2" in report.inner_text()
    assert Customer.objects.count() == 0
    page.select_option("#id_staff", [str(people.rep.pk), str(people.teammate.pk)])
    page.get_by_test_id("import-confirm").click()
    page.wait_for_url(lambda url: "/customers/allocations/" in url)
    owners = sorted(Customer.objects.values_list("owner__username", flat=True))
    assert owners == ["rep", "teammate"]
    _logout(page)

    # The director opens the dashboard: the charts render, a figure clicks through to its records.
    login(page, "director")
    page.goto(f"/reports/?period={timezone.localdate():%Y-%m}")
    page.locator("#chart-conversion svg").first.wait_for()
    page.get_by_test_id("kpi-link-conversion").click()
    page.wait_for_url(lambda url: "/reports/kpi/conversion/" in url)
    rows = page.get_by_test_id("drilldown-rows").inner_text()
    assert "华东机械有限公司" in rows and "西湖贸易有限公司" in rows
    assert page.get_by_test_id("kpi-no-data").count() == 0
