"""Browser: a contract from draft to money (CON-1, CON-2, ORD-2, CON-3).

The commerce group drafts a contract with its payment plan, the marketing director approves it
from the approval inbox, commerce signs it, finance confirms a receipt, and the receivables page
shows the new 回款率 — with no CSP violation on the way.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tests.browser.test_customer_flow import watch_csp
from tests.factories import AssignmentFactory, CustomerFactory, UserFactory
from tests.personas import build_personas
from yingxiao.org.models import Position, Role
from yingxiao.sales.models import Contract, Receipt

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login/" in url)


def test_con_1_contract_approved_signed_paid_and_the_collection_rate_moves(page):
    people = build_personas()
    post = Position.objects.create(title="商务", department=people.domestic, role=Role.objects.get(code="commerce"))
    commerce = UserFactory(username="commerce", display_name="商务小周")
    AssignmentFactory(user=commerce, position=post)
    customer = CustomerFactory(name="甲机械有限公司", owner=people.rep, department=people.domestic)
    year = timezone.localdate().year
    violations = watch_csp(page)

    # Commerce drafts the contract with a payment plan that adds up to the cent, and submits it.
    login(page, "commerce")
    page.goto("/sales/contracts/new/")
    page.select_option("#customer", str(customer.pk))
    page.fill("#title", "数控机床采购合同")
    page.fill("#amount", "100000.00")
    for i, (kind, due, amount) in enumerate(
        [("prepayment", f"{year}-01-10", "30000.00"), ("progress", f"{year}-03-15", "50000.00"),
         ("final", f"{year}-12-20", "20000.00")],
        start=1,
    ):  # fmt: skip
        page.select_option(f"select[name=kind_{i}]", kind)
        page.fill(f"input[name=due_{i}]", due)
        page.fill(f"input[name=amount_{i}]", amount)
    page.get_by_test_id("save-contract").click()
    page.get_by_test_id("submit-contract").click()
    contract = Contract.objects.get()
    assert contract.status == Contract.Status.PENDING_REVIEW
    _logout(page)

    # The marketing director approves it from the inbox.
    login(page, "director")
    page.goto("/approvals/")
    page.get_by_test_id("approval-list").get_by_role("link", name=contract.number).click()
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Contract.objects.get().status == Contract.Status.APPROVED
    _logout(page)

    # Commerce signs it; a rep cannot confirm money (no form), finance can.
    login(page, "commerce")
    page.goto(f"/sales/contracts/{contract.pk}/")
    page.get_by_test_id("sign-contract").click()
    page.get_by_test_id("contract-status").wait_for()
    assert Contract.objects.get().status == Contract.Status.SIGNED
    _logout(page)
    login(page, "rep")
    page.goto(f"/sales/contracts/{contract.pk}/")
    assert page.get_by_test_id("receipt-form").count() == 0
    _logout(page)

    login(page, "finance")
    page.goto(f"/sales/contracts/{contract.pk}/")
    page.fill("#r-amount", "30000.00")
    page.get_by_test_id("confirm-receipt").click()
    page.get_by_test_id("receipts").wait_for()
    assert Receipt.objects.get().amount == 30000
    _logout(page)

    # The rep's receivables page shows the new collection rate, drilling down to the contract.
    login(page, "rep")
    page.goto(f"/sales/receivables/?period={year}")
    assert page.get_by_test_id("collection-rate").inner_text().strip() == "30.00%"
    page.get_by_test_id("collection-rate").click()
    assert contract.number in page.get_by_test_id("drilldown-rows").inner_text()
    assert violations == []
