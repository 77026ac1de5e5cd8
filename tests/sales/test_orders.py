"""Orders (ORD-3, ORD-4, CUS-3): sign-off by the manager or group leader, dated versions, no direct edits,
scope, Decimal money, production plan the same working day, progress and the daily summary."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.api.base import assert_error_format
from tests.factories import CustomerFactory
from yingxiao.core.errors import BusinessError
from yingxiao.core.notifications import notifications_for
from yingxiao.policy.registry import run_sweep
from yingxiao.sales.models import Order, OrderVersion, ProductionPlan, StockItem
from yingxiao.sales.services import deposits as deposit_services
from yingxiao.sales.services import orders as services

from .deal_fixtures import deal  # noqa: F401

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


# --- ORD-3: sign-off ---------------------------------------------------------------------------
def test_ord_3_order_takes_effect_only_after_the_managers_sign_off(
    deal,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    order = deal.order(lines=[deal.line("3", unit_price="3333.33")])
    assert order.status == Order.Status.DRAFT and order.effective_version is None
    assert order.total == Decimal("9999.99")  # Decimal to the cent
    with django_capture_on_commit_callbacks(execute=True):
        services.order_submit(actor=deal.p.rep, order=order)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and not order.is_effective
    assert notifications_for(deal.p.head).filter(message__contains=order.number).exists()
    services.order_signoff(actor=deal.p.head, order=order, approve=True, note="同意")
    order.refresh_from_db()
    assert order.status == Order.Status.EFFECTIVE and order.effective_version == 1
    version = order.versions.get(version=1)
    assert version.signed_off_by == deal.p.head and version.signed_off_at is not None
    assert order.plan_due_at is not None and order.plan_due_at >= order.effective_at


@pytest.mark.parametrize("persona", ["rep", "teammate", "other_rep", "finance"])
def test_ord_3_only_the_manager_or_group_leader_signs_off(deal, persona) -> None:  # noqa: F811
    order = deal.order()
    services.order_submit(actor=deal.p.rep, order=order)
    with pytest.raises(BusinessError) as caught:
        services.order_signoff(actor=getattr(deal.p, persona), order=order, approve=True)
    assert caught.value.code in ("sales.not_signer", "core.not_found")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and order.effective_version is None


def test_ord_3_the_other_departments_head_cannot_sign_off(deal) -> None:  # noqa: F811
    from tests.factories import AssignmentFactory, UserFactory
    from yingxiao.org.models import Position

    intl_head = UserFactory(username="intl_head")
    AssignmentFactory(user=intl_head, position=Position.objects.get(department=deal.p.international, is_head=True))
    order = deal.order()
    services.order_submit(actor=deal.p.rep, order=order)
    with pytest.raises(BusinessError) as caught:
        services.order_signoff(actor=intl_head, order=order, approve=True)
    assert caught.value.status == 404  # not even in their scope
    with pytest.raises(BusinessError) as caught:  # the director is not the rep's manager or group leader
        services.order_signoff(actor=deal.p.director, order=order, approve=False)
    assert caught.value.code == "sales.not_signer"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_ord_3_a_refused_first_version_goes_back_to_a_draft_and_is_kept(deal) -> None:  # noqa: F811
    order = deal.order()
    services.order_submit(actor=deal.p.rep, order=order)
    services.order_signoff(actor=deal.p.head, order=order, approve=False, note="价格不对")
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT and order.version == 2
    statuses = dict(order.versions.values_list("version", "status"))
    assert statuses == {1: OrderVersion.Status.REJECTED, 2: OrderVersion.Status.DRAFT}
    services.order_update_lines(actor=deal.p.rep, order=order, lines=[deal.line("1")])
    order.refresh_from_db()
    assert order.total == Decimal("10000.00")


def test_ord_3_editing_a_signed_off_order_directly_is_refused(deal, api_as) -> None:  # noqa: F811
    order = deal.order(effective=True)
    before = order.total
    with pytest.raises(BusinessError) as caught:
        services.order_update_lines(actor=deal.p.rep, order=order, lines=[deal.line("9")])
    assert caught.value.code == "sales.order_signed_off"
    body = assert_error_format(
        api_as("rep").post(f"/api/v1/sales/orders/{order.pk}/lines/", {"lines": [deal.line("9")]}, format="json"),
        409,
    )
    assert body["code"] == "sales.order_signed_off"
    order.refresh_from_db()
    assert order.total == before and order.versions.get(version=1).lines.get().quantity == Decimal("2")


def test_ord_3_a_change_is_a_new_dated_version_pending_the_same_sign_off(deal) -> None:  # noqa: F811
    order = deal.order(effective=True)
    with pytest.raises(BusinessError) as caught:  # a change says what changed
        services.order_change(actor=deal.p.rep, order=order, lines=[deal.line("5")], note="")
    assert caught.value.code == "sales.reason_required"
    services.order_change(actor=deal.p.rep, order=order, lines=[deal.line("5")], note="客户加订三台")
    order.refresh_from_db()
    assert order.status == Order.Status.CHANGE_PENDING
    assert order.effective_version == 1 and order.total == Decimal("20000.00")  # v1 stays in force
    v2 = order.versions.get(version=2)
    assert v2.status == OrderVersion.Status.PENDING and v2.created_at is not None and v2.change_note == "客户加订三台"
    with pytest.raises(BusinessError):
        services.order_signoff(actor=deal.p.rep, order=order, approve=True)
    services.order_signoff(actor=deal.p.head, order=order, approve=True)
    order.refresh_from_db()
    assert order.effective_version == 2 and order.total == Decimal("50000.00")
    v1 = order.versions.get(version=1)
    assert v1.status == OrderVersion.Status.SUPERSEDED and v1.lines.get().quantity == Decimal("2")  # kept


def test_ord_3_bad_lines_are_refused_and_nothing_is_written(deal) -> None:  # noqa: F811
    cases = {
        "sales.bad_quantity": [deal.line("0")],
        "sales.bad_price": [deal.line("1", unit_price="-3")],
        "sales.unknown_product": [{"product": 10**9, "quantity": "1"}],
        "sales.no_lines": [],
    }
    for code, lines in cases.items():
        with pytest.raises(BusinessError) as caught:
            services.order_create(actor=deal.p.rep, customer=deal.customer, lines=lines)
        assert caught.value.code == code
    with pytest.raises(BusinessError) as caught:
        services.order_create(actor=deal.p.rep, customer=deal.customer, lines=[deal.line("abc")])
    assert caught.value.code == "sales.bad_quantity"
    with pytest.raises(BusinessError) as caught:  # no USD price list
        services.order_create(actor=deal.p.rep, customer=deal.customer, lines=[deal.line()], currency="USD")
    assert caught.value.code == "sales.currency_mismatch"
    assert not Order.objects.exists()


def test_ord_3_deposit_in_another_currency_is_refused(deal) -> None:  # noqa: F811
    deposit = deposit_services.deposit_register(
        actor=deal.p.rep, customer=deal.customer, item=deal.item, kind="full", amount="100", currency="USD"
    )
    with pytest.raises(BusinessError) as caught:
        services.order_create(actor=deal.p.rep, customer=deal.customer, lines=[deal.line()], deposit=deposit.pk)
    assert caught.value.code == "sales.currency_mismatch"
    assert not Order.objects.exists()


def test_ord_3_order_on_a_deposit_sells_the_unit_when_it_takes_effect(deal) -> None:  # noqa: F811
    deposit = deposit_services.deposit_register(
        actor=deal.p.rep, customer=deal.customer, item=deal.item, kind="full", amount="5000"
    )
    order = deal.order(deposit=deposit.pk)
    deal.item.refresh_from_db()
    assert deal.item.status == StockItem.Status.RESERVED
    services.order_submit(actor=deal.p.rep, order=order)
    services.order_signoff(actor=deal.p.head, order=order, approve=True)
    deal.item.refresh_from_db()
    assert deal.item.status == StockItem.Status.SOLD


def test_cus_3_blacklisted_customer_gets_no_new_order(deal, api_as) -> None:  # noqa: F811
    deal.customer.is_blacklisted = True
    deal.customer.save(update_fields=["is_blacklisted"])
    with pytest.raises(BusinessError) as caught:
        deal.order()
    assert caught.value.code == "sales.customer_blacklisted"
    body = assert_error_format(
        api_as("rep").post(
            "/api/v1/sales/orders/", {"customer": deal.customer.pk, "lines": [deal.line()]}, format="json"
        ),
        409,
    )
    assert body["code"] == "sales.customer_blacklisted"
    assert not Order.objects.exists()


def test_ord_3_reps_cannot_browse_others_orders(deal, client, api_as) -> None:  # noqa: F811
    mine = deal.order()
    foreign = CustomerFactory(owner=deal.p.other_rep, department=deal.p.international)
    theirs = services.order_create(actor=deal.p.other_rep, customer=foreign, lines=[deal.line()])
    client.force_login(deal.p.teammate)  # same department, own scope
    assert client.get(reverse("sales:order_detail", args=[mine.pk])).status_code == 404
    assert mine.number not in client.get(reverse("sales:orders")).content.decode()
    assert api_as("teammate").get(f"/api/v1/sales/orders/{mine.pk}/").status_code == 404
    client.force_login(deal.p.rep)
    page = client.get(reverse("sales:orders")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(reverse("sales:order_detail", args=[theirs.pk])).status_code == 404
    rows = api_as("rep").get("/api/v1/sales/orders/").json()
    ids = {row["id"] for row in (rows["results"] if isinstance(rows, dict) else rows)}
    assert ids == {mine.pk}
    client.force_login(deal.p.head)
    assert client.get(reverse("sales:order_detail", args=[mine.pk])).status_code == 200


def test_ord_3_order_register_export_escapes_formulas(deal, client) -> None:  # noqa: F811
    deal.customer.name = "+SUM(1,2)"
    deal.customer.save(update_fields=["name"])
    order = deal.order()
    client.force_login(deal.p.rep)
    response = client.get(reverse("sales:order_export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == order.number and rows[1][2] == "'+SUM(1,2)"
    assert Decimal(str(rows[1][8])) == Decimal("20000")


def test_ord_3_sign_off_in_the_ui(deal, client) -> None:  # noqa: F811
    client.force_login(deal.p.rep)
    data = {"customer": deal.customer.pk, "currency": "CNY", "product_1": deal.world.product.pk, "quantity_1": "1"}
    assert client.post(reverse("sales:order_create"), data).status_code == 302
    order = Order.objects.get()
    client.post(reverse("sales:order_action", args=[order.pk, "submit"]))
    response = client.post(reverse("sales:order_action", args=[order.pk, "approve"]), follow=True)
    assert any("sign" in str(m).lower() or "签" in str(m) for m in response.context["messages"])
    order.refresh_from_db()
    assert order.effective_version is None  # the rep's own click changes nothing
    client.force_login(deal.p.head)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="approve-order"' in page
    client.post(reverse("sales:order_action", args=[order.pk, "approve"]))
    order.refresh_from_db()
    assert order.effective_version == 1


# --- ORD-4: the sales office, production plan, progress, daily summary ---------------------------
def test_ord_4_plan_needs_the_review_an_effective_order_and_the_office(deal) -> None:  # noqa: F811
    draft = deal.order()
    today = timezone.localdate()
    args = {"planned_start": today, "planned_finish": today + dt.timedelta(days=20)}
    checks = {"price_checked": True, "spec_checked": True, "model_checked": True}
    with pytest.raises(BusinessError) as caught:
        services.production_plan_enter(actor=deal.office, order=draft, **checks, **args)
    assert caught.value.code == "sales.plan_not_effective"
    order = deal.order(effective=True)
    with pytest.raises(BusinessError) as caught:
        services.production_plan_enter(actor=deal.office, order=order, **{**checks, "spec_checked": False}, **args)
    assert caught.value.code == "sales.plan_not_reviewed"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.production_plan_enter(actor=deal.p.rep, order=order, **checks, **args)
    with pytest.raises(BusinessError) as caught:
        services.production_plan_enter(
            actor=deal.office, order=order, **checks, planned_start=today, planned_finish=today - dt.timedelta(days=1)
        )
    assert caught.value.code == "sales.bad_date"
    plan = services.production_plan_enter(actor=deal.office, order=order, **checks, **args)
    assert plan.entered_by == deal.office
    with pytest.raises(BusinessError) as caught:
        services.production_plan_enter(actor=deal.office, order=order, **checks, **args)
    assert caught.value.code == "sales.plan_exists"


def test_ord_4_plan_due_at_the_end_of_the_working_day(deal) -> None:  # noqa: F811
    friday_morning = dt.datetime(2025, 3, 7, 10, 0, tzinfo=SH)
    friday_night = dt.datetime(2025, 3, 7, 21, 0, tzinfo=SH)
    due = services.plan_due(friday_morning)
    assert due.date() == dt.date(2025, 3, 7) and due > friday_morning
    assert services.plan_due(friday_night).date() == dt.date(2025, 3, 10)  # the next working day (Monday)


def test_ord_4_no_plan_by_the_end_of_the_day_reminds_the_sales_office(deal) -> None:  # noqa: F811
    order = deal.order(effective=True)
    before = order.plan_due_at - dt.timedelta(minutes=1)
    run_sweep("ORD-4", as_of=before)
    assert not notifications_for(deal.office).filter(message__contains=order.number).exists()
    after = order.plan_due_at + dt.timedelta(minutes=1)
    run_sweep("ORD-4", as_of=after)
    run_sweep("ORD-4", as_of=after + dt.timedelta(hours=1))  # once
    assert notifications_for(deal.office).filter(message__contains=order.number).count() == 1
    planned = deal.order(effective=True)
    ProductionPlan.objects.create(
        order=planned,
        price_checked=True,
        spec_checked=True,
        model_checked=True,
        planned_start=timezone.localdate(),
        planned_finish=timezone.localdate(),
        entered_by=deal.office,
        entered_at=timezone.now(),
    )
    run_sweep("ORD-4", as_of=planned.plan_due_at + dt.timedelta(minutes=5))
    assert not notifications_for(deal.office).filter(message__contains=planned.number).exists()


def test_ord_4_progress_and_the_daily_summary(deal, client) -> None:  # noqa: F811
    order = deal.order(effective=True)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.progress_add(
        actor=deal.office, order=order, kind="production", note="机身加工完成", percent="60", day=yesterday
    )
    services.progress_add(actor=deal.office, order=order, kind="purchasing", note="电机到货", day=yesterday)
    for bad, code in (("101", "sales.bad_percent"), ("x", "sales.bad_percent")):
        with pytest.raises(BusinessError) as caught:
            services.progress_add(actor=deal.office, order=order, kind="production", note="x", percent=bad)
        assert caught.value.code == code
    with pytest.raises(BusinessError) as caught:
        services.progress_add(actor=deal.office, order=order, kind="production", note=" ")
    assert caught.value.code == "sales.text_required"
    summary = services.progress_summary(yesterday)
    assert len(summary) == 1 and len(summary[0]["entries"]) == 2
    run_sweep("ORD-4d", as_of=timezone.now())
    run_sweep("ORD-4d", as_of=timezone.now())
    for person in (deal.office, deal.p.director):
        assert notifications_for(person).filter(link__contains="production").count() == 1
    assert not notifications_for(deal.p.rep).filter(link__contains="production").exists()
    client.force_login(deal.p.director)
    page = client.get(reverse("sales:production_summary") + f"?day={yesterday:%Y-%m-%d}").content.decode()
    assert "机身加工完成" in page and "电机到货" in page and order.number in page
    client.force_login(deal.p.other_rep)  # out of scope: not in their summary
    page = client.get(reverse("sales:production_summary") + f"?day={yesterday:%Y-%m-%d}").content.decode()
    assert "机身加工完成" not in page


def test_ord_3_order_detail_shows_versions_and_progress(deal, client) -> None:  # noqa: F811
    order = deal.order(effective=True)
    services.order_change(actor=deal.p.rep, order=order, lines=[deal.line("4")], note="加订两台")
    services.progress_add(actor=deal.office, order=order, kind="outsourcing", note="外协喷涂")
    client.force_login(deal.p.rep)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert page.count('data-testid="order-version"') == 2
    assert "加订两台" in page and "外协喷涂" in page
