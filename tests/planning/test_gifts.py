"""Gifts (PLN-5): requested and approved, signed for by the customer, undelivered → a violation, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.personas import Personas
from yingxiao.core.errors import BusinessError
from yingxiao.performance.models import Violation
from yingxiao.planning import expenses
from yingxiao.planning.approval_types import GIFT_REQUEST
from yingxiao.planning.models import GiftRequest
from yingxiao.policy.registry import run_sweep

from .conftest import at, customer_of, decide, fresh


def _approved_gift(p: Personas, value: str = "200") -> GiftRequest:
    customer = customer_of(p.rep, p.domestic)
    gift = expenses.gift_request(
        actor=fresh(p.rep), customer=customer, gift="茶叶礼盒", quantity=2, value=value, reason="中秋拜访"
    )
    assert gift.status == GiftRequest.Status.PENDING
    decide(p.head, gift, GIFT_REQUEST)
    gift.refresh_from_db()
    return gift


def test_pln_5_gift_is_approved_then_signed_for_by_the_customer(personas: Personas) -> None:
    gift = _approved_gift(personas)
    assert gift.status == GiftRequest.Status.APPROVED
    assert gift.deliver_by == timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(BusinessError) as excinfo:
        expenses.gift_confirm_delivery(actor=fresh(personas.rep), gift=gift, signed_by=" ")
    assert excinfo.value.code == "planning.signature_required"
    receipt = SimpleUploadedFile("签收单.jpg", b"\xff\xd8\xff signed", content_type="image/jpeg")
    done = expenses.gift_confirm_delivery(actor=fresh(personas.rep), gift=gift, signed_by="刘经理", signature=receipt)
    assert (done.status, done.signed_by) == (GiftRequest.Status.DELIVERED, "刘经理")
    assert done.signature.name
    with pytest.raises(BusinessError) as excinfo:
        expenses.gift_confirm_delivery(actor=fresh(personas.rep), gift=gift, signed_by="刘经理")
    assert excinfo.value.code == "planning.gift_not_approved"


def test_pln_5_a_pending_gift_cannot_be_signed_for(personas: Personas) -> None:
    customer = customer_of(personas.rep, personas.domestic)
    gift = expenses.gift_request(actor=fresh(personas.rep), customer=customer, gift="U盘", value="50", reason="展会")
    with pytest.raises(BusinessError) as excinfo:
        expenses.gift_confirm_delivery(actor=fresh(personas.rep), gift=gift, signed_by="刘经理")
    assert excinfo.value.code == "planning.gift_not_approved"


def test_pln_5_undelivered_gift_is_a_violation_recorded_once(personas: Personas) -> None:
    gift = _approved_gift(personas, value="200")
    assert gift.deliver_by is not None
    assert run_sweep("PLN-5", as_of=at(gift.deliver_by)).found == 0  # still in time today
    late = at(gift.deliver_by + dt.timedelta(days=1))
    assert run_sweep("PLN-5", as_of=late).applied == 1
    assert run_sweep("PLN-5", as_of=late).applied == 0
    assert run_sweep("PLN-5", as_of=late + dt.timedelta(days=3)).found == 0
    own = Violation.objects.get(rule_id="PLN-5", person=personas.rep, kind=Violation.Kind.OWN)
    assert own.amount == Decimal("2000.00")  # 10 × the gift's value
    gift.refresh_from_db()
    assert gift.violation_recorded


def test_pln_5_delivered_gift_is_no_violation(personas: Personas) -> None:
    gift = _approved_gift(personas)
    expenses.gift_confirm_delivery(actor=fresh(personas.rep), gift=gift, signed_by="刘经理")
    assert run_sweep("PLN-5", as_of=at(gift.deliver_by + dt.timedelta(days=30))).found == 0  # type: ignore[operator]
    assert not Violation.objects.filter(rule_id="PLN-5").exists()


def test_pln_5_gift_for_a_customer_outside_the_scope_is_refused(personas: Personas) -> None:
    theirs = customer_of(personas.other_rep, personas.international)
    with pytest.raises(BusinessError) as excinfo:
        expenses.gift_request(actor=fresh(personas.rep), customer=theirs, gift="茶叶", value="100", reason="拜访")
    assert excinfo.value.code == "core.not_found"
    assert not GiftRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("value", "-1", "planning.bad_amount"),
        ("value", "0", "planning.not_positive"),
        ("quantity", 0, "planning.bad_value"),
        ("gift", "", "planning.required"),
        ("reason", "", "planning.required"),
    ],
)
def test_pln_5_bad_gift_input_changes_nothing(personas: Personas, field: str, value: object, code: str) -> None:
    data: dict[str, object] = {"gift": "茶叶", "value": "100", "reason": "拜访", "quantity": 1}
    data[field] = value
    customer = customer_of(personas.rep, personas.domestic)
    with pytest.raises(BusinessError) as excinfo:
        expenses.gift_request(actor=fresh(personas.rep), customer=customer, **data)  # type: ignore[arg-type]
    assert excinfo.value.code == code
    assert not GiftRequest.objects.exists()
