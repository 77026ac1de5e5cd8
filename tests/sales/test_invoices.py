"""Invoices (CON-6): details checked first; issued by finance only after the payment is confirmed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.sales.money import money_world, pay, signed  # noqa: F401
from yingxiao.core.errors import BusinessError
from yingxiao.sales import services
from yingxiao.sales.models import InvoiceRequest

pytestmark = pytest.mark.django_db

DETAILS = {
    "title": "甲机械有限公司",
    "tax_number": "91310000MA1FL0000X",
    "bank": "中国工商银行上海分行",
    "bank_account": "1001234509876543210",
    "address": "上海市浦东新区 021-12345678",
}


def _request(world, contract, amount="30000.00", **overrides):
    return services.invoice_request_create(
        actor=world.p.rep, contract=contract, amount=amount, **{**DETAILS, **overrides}
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("tax_number", "123", "sales.bad_tax_number"),
        ("tax_number", "91310000MA1FL0000!", "sales.bad_tax_number"),
        ("title", "", "sales.bad_text"),
        ("bank", " ", "sales.bad_text"),
        ("bank_account", "", "sales.bad_text"),
        ("address", "", "sales.bad_text"),
        ("amount", "-5", "sales.bad_amount"),
        ("amount", "三万", "sales.bad_amount"),
        ("amount", "100000.01", "sales.invoice_too_large"),
    ],
)
def test_con_6_invoice_details_are_checked_before_anything_is_recorded(money, field, value, code):
    contract = signed(money)
    kwargs = {"amount": value} if field == "amount" else {field: value}
    with pytest.raises(BusinessError) as refused:
        _request(money, contract, **kwargs)
    assert refused.value.code == code
    assert not InvoiceRequest.objects.exists()


def test_con_6_invoice_before_payment_is_refused(money):
    contract = signed(money)
    invoice = _request(money, contract)
    with pytest.raises(BusinessError) as unchecked:
        services.invoice_issue(actor=money.p.finance, invoice=invoice, invoice_number="No.0001")
    assert unchecked.value.code == "sales.invoice_not_checked"
    with pytest.raises(PermissionDenied):
        services.invoice_check(actor=money.p.rep, invoice=invoice)
    services.invoice_check(actor=money.assistant, invoice=invoice)
    with pytest.raises(BusinessError) as unpaid:
        services.invoice_issue(actor=money.p.finance, invoice=invoice, invoice_number="No.0001")
    assert unpaid.value.code == "sales.invoice_before_payment"
    pay(money, contract, "29999.99")
    with pytest.raises(BusinessError) as short:
        services.invoice_issue(actor=money.p.finance, invoice=invoice, invoice_number="No.0001")
    assert short.value.code == "sales.invoice_before_payment"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceRequest.Status.CHECKED and not invoice.invoice_number


def test_con_6_invoice_issued_after_payment_by_finance_only(money):
    contract = signed(money)
    invoice = _request(money, contract)
    services.invoice_check(actor=money.commerce, invoice=invoice)
    pay(money, contract, "30000.00")
    with pytest.raises(PermissionDenied):
        services.invoice_issue(actor=money.p.director, invoice=invoice, invoice_number="No.0001")
    issued = services.invoice_issue(actor=money.p.finance, invoice=invoice, invoice_number="No.0001")
    assert issued.status == InvoiceRequest.Status.ISSUED and issued.issued_by == money.p.finance
    second = _request(money, contract, amount="1.00")
    services.invoice_check(actor=money.assistant, invoice=second)
    with pytest.raises(BusinessError) as beyond:  # 30 000 paid, 30 000 already invoiced
        services.invoice_issue(actor=money.p.finance, invoice=second, invoice_number="No.0002")
    assert beyond.value.code == "sales.invoice_before_payment"
    # a receipt that was invoiced cannot be reversed from under the invoice
    receipt = contract.receipts.get()
    with pytest.raises(BusinessError) as reversal:
        services.receipt_reverse(actor=money.p.finance, receipt=receipt, reason="退回")
    assert reversal.value.code == "sales.receipt_invoiced"
    assert issued.history.count() == 3


def test_con_6_invoice_api_and_page(money, api_as, client):
    contract = signed(money)
    created = api_as("rep").post(
        "/api/v1/sales/invoices/", {"contract": contract.pk, "amount": "100.00", **DETAILS}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api_as("other_rep").get(f"/api/v1/sales/invoices/{pk}/").status_code == 404
    from rest_framework.test import APIClient

    assistant = APIClient()
    assistant.force_authenticate(money.assistant)
    assert assistant.post(f"/api/v1/sales/invoices/{pk}/check/").status_code == 200
    early = api_as("finance").post(f"/api/v1/sales/invoices/{pk}/issue/", {"invoice_number": "A1"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "sales.invoice_before_payment"
    pay(money, contract, "100.00")
    client.force_login(money.p.finance)
    client.post(f"/sales/invoices/{pk}/issue/", {"invoice_number": "A1"})
    assert InvoiceRequest.objects.get(pk=pk).status == InvoiceRequest.Status.ISSUED
    assert InvoiceRequest.objects.get(pk=pk).amount == Decimal("100.00")
