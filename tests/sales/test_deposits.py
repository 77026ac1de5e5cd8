"""Stock and deposits (ORD-1, ORD-2, ORD-5, ORD-6, CUS-3): reservation, finance-only confirmation,
the last-unit race, the deposit register, the receipt, outlet stock."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.api.base import assert_error_format
from tests.factories import CustomerFactory
from yingxiao.core.errors import BusinessError
from yingxiao.performance.models import Violation
from yingxiao.policy.registry import run_sweep
from yingxiao.sales.models import Deposit, StockItem
from yingxiao.sales.services import deposits as services
from yingxiao.sales.services import stock as stock_services

from .deal_fixtures import deal  # noqa: F401

pytestmark = pytest.mark.django_db


def _register(deal, item=None, **extra):  # noqa: F811
    args = {"kind": "small", "amount": "5000.00", **extra}
    return services.deposit_register(actor=deal.p.rep, customer=deal.customer, item=item or deal.item, **args)


# --- ORD-1 / ORD-5: only an available unit, which becomes reserved ------------------------------
def test_ord_1_deposit_reserves_an_available_unit(deal) -> None:  # noqa: F811
    deposit = _register(deal, kind="full", amount="12345.67")
    deal.item.refresh_from_db()
    assert deal.item.status == StockItem.Status.RESERVED
    assert deposit.status == Deposit.Status.REGISTERED
    assert deposit.amount == Decimal("12345.67") and isinstance(deposit.amount, Decimal)
    assert deposit.owner == deal.p.rep and deposit.department == deal.p.domestic
    assert deposit.number.startswith("DJ")


def test_ord_1_deposit_on_a_reserved_unit_is_refused(deal) -> None:  # noqa: F811
    _register(deal)
    other_customer = CustomerFactory(owner=deal.p.rep, department=deal.p.domestic)
    with pytest.raises(BusinessError) as caught:
        services.deposit_register(actor=deal.p.rep, customer=other_customer, item=deal.item, kind="small", amount="100")
    assert caught.value.code == "sales.item_not_available"
    assert Deposit.objects.count() == 1


def test_ord_5_sold_unit_takes_no_deposit(deal) -> None:  # noqa: F811
    StockItem.objects.filter(pk=deal.item.pk).update(status=StockItem.Status.SOLD)
    with pytest.raises(BusinessError) as caught:
        _register(deal)
    assert caught.value.code == "sales.item_not_available"
    assert not Deposit.objects.exists()


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1.234", "", None, "NaN", "1e20", True])
def test_ord_1_bad_amount_is_refused_and_unit_stays_available(deal, amount) -> None:  # noqa: F811
    with pytest.raises(BusinessError) as caught:
        _register(deal, amount=amount)
    assert caught.value.code == "sales.bad_amount"
    deal.item.refresh_from_db()
    assert deal.item.status == StockItem.Status.AVAILABLE
    assert not Deposit.objects.exists()


def test_ord_1_bad_kind_and_currency_are_refused(deal) -> None:  # noqa: F811
    with pytest.raises(BusinessError) as caught:
        _register(deal, kind="medium")
    assert caught.value.code == "sales.bad_deposit_kind"
    with pytest.raises(BusinessError) as caught:
        _register(deal, currency="XYZ")
    assert caught.value.code == "sales.bad_currency"
    deal.item.refresh_from_db()
    assert deal.item.status == StockItem.Status.AVAILABLE


def test_cus_3_blacklisted_customer_gets_no_deposit(deal) -> None:  # noqa: F811
    deal.customer.is_blacklisted = True
    deal.customer.save(update_fields=["is_blacklisted"])
    with pytest.raises(BusinessError) as caught:
        _register(deal)
    assert caught.value.code == "sales.customer_blacklisted"
    assert deal.customer.name in caught.value.message
    deal.item.refresh_from_db()
    assert deal.item.status == StockItem.Status.AVAILABLE


def test_ord_1_out_of_scope_customer_is_not_found(deal) -> None:  # noqa: F811
    foreign = CustomerFactory(owner=deal.p.other_rep, department=deal.p.international)
    with pytest.raises(BusinessError) as caught:
        services.deposit_register(actor=deal.p.rep, customer=foreign, item=deal.item, kind="small", amount="1")
    assert caught.value.status == 404


# --- ORD-2: only finance confirms money received -------------------------------------------------
@pytest.mark.parametrize("persona", ["rep", "teammate", "head", "director", "admin"])
def test_ord_2_only_finance_confirms_a_deposit_by_persona(deal, persona) -> None:  # noqa: F811
    deposit = _register(deal)
    with pytest.raises(BusinessError) as caught:
        services.deposit_confirm(actor=getattr(deal.p, persona), deposit=deposit)
    assert caught.value.code == "sales.finance_only"
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.REGISTERED and deposit.confirmed_by is None


def test_ord_2_finance_confirms_a_deposit(deal) -> None:  # noqa: F811
    deposit = _register(deal)
    confirmed = services.deposit_confirm(actor=deal.p.finance, deposit=deposit)
    assert confirmed.status == Deposit.Status.CONFIRMED
    assert confirmed.confirmed_by == deal.p.finance and confirmed.confirmed_at is not None
    with pytest.raises(BusinessError) as caught:  # not twice
        services.deposit_confirm(actor=deal.p.finance, deposit=deposit)
    assert caught.value.code == "sales.deposit_state"


def test_ord_2_rep_confirming_through_the_api_gets_a_clear_403(deal, api_as) -> None:  # noqa: F811
    deposit = _register(deal)
    url = f"/api/v1/sales/deposits/{deposit.pk}/confirm/"
    body = assert_error_format(api_as("rep").post(url), 403)
    assert body["code"] == "sales.finance_only"
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.REGISTERED
    response = api_as("finance").post(url)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"


def test_ord_2_rep_confirming_in_the_ui_sees_the_refusal(deal, client) -> None:  # noqa: F811
    deposit = _register(deal)
    client.force_login(deal.p.rep)
    response = client.post(reverse("sales:deposit_action", args=[deposit.pk, "confirm"]), follow=True)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "danger" in response.content.decode()
    messages = [str(m) for m in response.context["messages"]]
    assert any(str(services.errors.FINANCE_ONLY.message) in m for m in messages), messages
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.REGISTERED
    client.force_login(deal.p.finance)
    client.post(reverse("sales:deposit_action", args=[deposit.pk, "confirm"]))
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.CONFIRMED


def test_ord_2_refund_is_finance_only_and_frees_the_unit(deal) -> None:  # noqa: F811
    deposit = _register(deal)
    services.deposit_confirm(actor=deal.p.finance, deposit=deposit)
    with pytest.raises(BusinessError) as caught:
        services.deposit_refund(actor=deal.p.rep, deposit=deposit, reason="客户取消")
    assert caught.value.code == "sales.finance_only"
    with pytest.raises(BusinessError) as caught:
        services.deposit_refund(actor=deal.p.finance, deposit=deposit, reason=" ")
    assert caught.value.code == "sales.reason_required"
    services.deposit_refund(actor=deal.p.finance, deposit=deposit, reason="客户取消")
    deposit.refresh_from_db()
    deal.item.refresh_from_db()
    assert deposit.status == Deposit.Status.REFUNDED and deposit.close_reason == "客户取消"
    assert deal.item.status == StockItem.Status.AVAILABLE


def test_ord_1_void_keeps_the_deposit_and_its_history(deal) -> None:  # noqa: F811
    deposit = _register(deal)
    services.deposit_void(actor=deal.p.rep, deposit=deposit, reason="登记错误")
    deposit.refresh_from_db()
    deal.item.refresh_from_db()
    assert deposit.status == Deposit.Status.VOID
    assert deal.item.status == StockItem.Status.AVAILABLE
    assert [h.status for h in deposit.history.order_by("history_date")][-1] == "void"
    assert deposit.history.count() >= 3  # created, numbered, voided
    again = _register(deal)  # the unit can take a new deposit
    assert again.status == Deposit.Status.REGISTERED
    with pytest.raises(BusinessError) as caught:  # a void deposit cannot be confirmed
        services.deposit_confirm(actor=deal.p.finance, deposit=deposit)
    assert caught.value.code == "sales.deposit_state"


# --- ORD-5: the last unit, two deposits at once --------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ord_5_two_deposits_on_the_last_unit_at_once_exactly_one_succeeds(deal) -> None:  # noqa: F811
    second = CustomerFactory(owner=deal.p.teammate, department=deal.p.domestic)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(actor, customer) -> None:
        try:
            barrier.wait(timeout=10)
            services.deposit_register(actor=actor, customer=customer, item=deal.item.pk, kind="full", amount="20000")
            outcomes.append("ok")
        except BusinessError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(deal.p.rep, deal.customer)),
        threading.Thread(target=attempt, args=(deal.p.teammate, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "sales.item_not_available"]
    assert Deposit.objects.filter(item=deal.item).count() == 1
    deal.item.refresh_from_db()
    assert deal.item.status == StockItem.Status.RESERVED


# --- the receipt and the register ---------------------------------------------------------------
def test_ord_1_printable_deposit_receipt(deal, client) -> None:  # noqa: F811
    deposit = _register(deal, amount="10005.50")
    client.force_login(deal.p.rep)
    page = client.get(reverse("sales:deposit_receipt", args=[deposit.pk])).content.decode()
    assert "定金收据" in page and deposit.number in page
    assert "壹万零伍元伍角整" in page
    assert 'data-testid="receipt-unconfirmed"' in page  # not a receipt of payment before finance confirms
    services.deposit_confirm(actor=deal.p.finance, deposit=deposit)
    page = client.get(reverse("sales:deposit_receipt", args=[deposit.pk])).content.decode()
    assert 'data-testid="receipt-unconfirmed"' not in page


def test_ord_1_amount_in_words() -> None:
    assert services.amount_in_words(Decimal("12345.60")) == "壹万贰仟叁佰肆拾伍元陆角整"
    assert services.amount_in_words(Decimal("100010")) == "壹拾万零壹拾元整"
    assert services.amount_in_words(Decimal("5000")) == "伍仟元整"


def test_ord_1_deposit_register_is_scoped_and_filtered(deal, client) -> None:  # noqa: F811
    mine = _register(deal)
    foreign = CustomerFactory(owner=deal.p.other_rep, department=deal.p.international)
    theirs = services.deposit_register(
        actor=deal.p.other_rep, customer=foreign, item=deal.other_item, kind="full", amount="800"
    )
    client.force_login(deal.p.rep)
    page = client.get(reverse("sales:deposits")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(reverse("sales:deposit_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("sales:deposit_receipt", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("sales:deposits") + "?kind=full").content.decode()
    assert mine.number not in page
    client.force_login(deal.p.finance)
    page = client.get(reverse("sales:deposits")).content.decode()
    assert mine.number in page and theirs.number in page


def test_ord_1_deposit_register_export_escapes_formulas(deal, client) -> None:  # noqa: F811
    deal.customer.name = '=HYPERLINK("http://x")'
    deal.customer.save(update_fields=["name"])
    deposit = _register(deal, amount="1234.50")
    client.force_login(deal.p.rep)
    response = client.get(reverse("sales:deposit_export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == deposit.number
    assert rows[1][3].startswith("'=")
    assert Decimal(str(rows[1][8])) == Decimal("1234.50")


def test_ord_1_register_a_deposit_in_the_ui(deal, client) -> None:  # noqa: F811
    client.force_login(deal.p.rep)
    url = reverse("sales:deposit_create")
    data = {"customer": deal.customer.pk, "item": deal.item.pk, "kind": "small", "amount": "3000", "currency": "CNY"}
    response = client.post(url, data)
    assert response.status_code == 302
    deposit = Deposit.objects.get()
    assert deposit.amount == Decimal("3000")
    response = client.post(url, {**data, "amount": "-1"})  # the unit is reserved now and the amount is bad
    assert response.status_code == 200
    assert Deposit.objects.count() == 1


# --- ORD-6: stock at secondary outlets ------------------------------------------------------------
def test_ord_6_outlet_stock_needs_the_outlet_and_the_day(deal) -> None:  # noqa: F811
    with pytest.raises(BusinessError) as caught:
        stock_services.stock_item_create(
            actor=deal.office, product=deal.world.product, serial_no="SN-9", location_kind="outlet"
        )
    assert caught.value.code == "sales.outlet_needs_date"
    with pytest.raises(PermissionDenied):  # reps do not register stock
        stock_services.stock_item_create(actor=deal.p.rep, product=deal.world.product, serial_no="SN-9")
    with pytest.raises(BusinessError) as caught:
        stock_services.stock_item_create(actor=deal.office, product=deal.world.product, serial_no="SN-0001")
    assert caught.value.code == "sales.serial_exists"


def test_ord_6_outlet_stock_recall_reminder_then_a_violation_per_further_day(deal) -> None:  # noqa: F811
    from yingxiao.core.notifications import notifications_for
    from yingxiao.policy.values import policy_value

    days = int(policy_value("outlet_stock_days"))
    fine = Decimal(str(policy_value("outlet_stock_fine_per_day")))
    today = timezone.localdate()
    placed = today - dt.timedelta(days=days + 3)  # three days beyond the limit
    item = stock_services.stock_item_create(
        actor=deal.office,
        product=deal.world.product,
        serial_no="OUT-1",
        location_kind="outlet",
        location="二级网点·苏州",
        placed_on=placed,
        keeper=deal.p.rep,
    )
    fresh = stock_services.stock_item_create(  # within the limit: nothing
        actor=deal.office,
        product=deal.world.product,
        serial_no="OUT-2",
        location_kind="outlet",
        location="二级网点·无锡",
        placed_on=today - dt.timedelta(days=days - 1),
        keeper=deal.p.rep,
    )
    now = timezone.now()
    run_sweep("ORD-6r", as_of=now)
    assert notifications_for(deal.p.rep).filter(message__contains="OUT-1").count() == 1
    assert not notifications_for(deal.p.rep).filter(message__contains="OUT-2").exists()
    run_sweep("ORD-6", as_of=now)
    own = Violation.objects.filter(rule_id="ORD-6", person=deal.p.rep)
    assert own.count() == 3  # one per day beyond the limit
    assert {v.amount for v in own.all()} == {fine}
    run_sweep("ORD-6", as_of=now)  # idempotent
    run_sweep("ORD-6r", as_of=now)
    assert own.count() == 3
    assert notifications_for(deal.p.rep).filter(message__contains="OUT-1").count() == 1
    run_sweep("ORD-6", as_of=now + dt.timedelta(days=1))  # one more day, one more violation
    assert own.count() == 4
    stock_services.stock_item_move(actor=deal.office, item=item, location_kind="warehouse", location="总仓")
    assert not own.filter(object_id=fresh.pk).exists()  # still within the limit
    run_sweep("ORD-6", as_of=now + dt.timedelta(days=2))  # recalled: no more for OUT-1
    assert own.filter(object_id=item.pk).count() == 4
    assert own.filter(object_id=fresh.pk).count() == 1  # OUT-2 is now one day beyond the limit
