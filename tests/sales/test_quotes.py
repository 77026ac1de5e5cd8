"""Quotes: prices from the list in force, discount approval by tier (QUO-2), international review (QUO-3),
revisions and the archived PDF, and the blacklist (CUS-3)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import CustomerFactory
from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_cancel, approval_decide
from yingxiao.core.errors import BusinessError
from yingxiao.policy import values
from yingxiao.policy.models import PolicyParameter, PolicyValue
from yingxiao.sales import services
from yingxiao.sales.models import Quote, QuoteLine, QuoteRevision

pytestmark = pytest.mark.django_db


def _quote(world, customer, *lines, actor=None, **kwargs):
    rows = [{"product": world.product.pk, "quantity": qty, "discount_pct": pct} for qty, pct in lines]
    return services.quote_create(actor=actor or world.p.rep, customer=customer, lines=rows, **kwargs)


def _current(quote):
    return QuoteRevision.objects.get(quote=quote, version=Quote.objects.get(pk=quote.pk).version)


def _approve(instance, user):
    return approval_decide(actor=user, instance=instance, decision="approve")


def _pending(request_type):
    return Instance.objects.get(request_type=request_type, status=Instance.Status.PENDING)


# --- QUO-2: prices ------------------------------------------------------------------------------
def test_quo_2_line_price_comes_from_the_list_in_force_and_rounds_to_the_cent(world, rep_customer):
    quote = _quote(world, rep_customer, ("3", "3.33"))
    line = QuoteLine.objects.get(revision__quote=quote)
    assert line.list_price == Decimal("10000.00")
    assert line.unit_price == Decimal("9667.00")  # 10000 × 0.9667
    assert line.amount == Decimal("29001.00")
    assert quote.total == Decimal("29001.00") and quote.number.startswith("BJ")


def test_quo_2_money_reconciles_to_the_cent_over_many_lines(world, rep_customer):
    world.item.list_price = Decimal("333.33")
    world.item.save()
    quote = _quote(world, rep_customer, ("1", "0.01"), ("7", "1.5"), ("2.5", "2"))
    revision = _current(quote)
    lines = list(revision.lines.all())
    assert revision.total == sum(line.amount for line in lines)
    assert [line.unit_price for line in lines] == [Decimal("333.30"), Decimal("328.33"), Decimal("326.66")]


def test_quo_2_a_newer_price_list_takes_over_from_its_date(world, rep_customer):
    import datetime as dt

    from django.utils import timezone

    from yingxiao.sales.models import PriceList, PriceListItem

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    newer = PriceList.objects.create(name="新价", effective_from=tomorrow, currency="CNY")
    PriceListItem.objects.create(price_list=newer, product=world.product, list_price=Decimal("12000.00"))
    assert QuoteLine.objects.get(revision__quote=_quote(world, rep_customer, ("1", "0"))).list_price == Decimal(
        "10000.00"
    )


@pytest.mark.parametrize(
    "bad",
    [{"quantity": "0"}, {"quantity": "-1"}, {"quantity": "abc"}, {"discount_pct": "100"}, {"discount_pct": "-1"},
     {"discount_pct": "5.555"}, {"quantity": "1e400"}],
)  # fmt: skip
def test_quo_2_bad_numbers_are_refused_and_nothing_is_written(world, rep_customer, bad):
    line = {"product": world.product.pk, "quantity": "1", "discount_pct": "0", **bad}
    with pytest.raises(BusinessError):
        services.quote_create(actor=world.p.rep, customer=rep_customer, lines=[line])
    assert not Quote.objects.exists()


def test_quo_2_quote_in_a_currency_without_a_price_list_is_refused(world, rep_customer):
    with pytest.raises(BusinessError) as caught:
        _quote(world, rep_customer, ("1", "0"), currency="USD")
    assert caught.value.code == "sales.currency_mismatch"
    assert not Quote.objects.exists()


# --- QUO-2: approval tiers ----------------------------------------------------------------------
def test_quo_2_discount_within_the_float_needs_no_approval(world, rep_customer):
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "5")))
    assert quote.status == Quote.Status.READY
    assert not Instance.objects.exists()


def test_quo_2_discount_over_the_float_cannot_be_sent_before_approval(world, rep_customer):
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "5.01")))
    assert quote.status == Quote.Status.PENDING_PRICE
    with pytest.raises(BusinessError) as caught:
        services.quote_send(actor=world.p.rep, quote=quote)
    assert caught.value.code == "sales.not_ready"
    instance = _pending("price_deviation")
    assert instance.current_approver == world.p.head and instance.pct == Decimal("5.01")
    _approve(instance, world.p.head)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.READY
    assert _current(quote).approved_discount_pct == Decimal("5.01")


@pytest.mark.parametrize(
    ("pct", "approvers"),
    [
        ("9.99", ["head"]),
        ("10", ["head", "director"]),
        ("14.99", ["head", "director"]),
        ("15", ["head", "director", "gm"]),
        ("30", ["head", "director", "gm"]),
    ],
)
def test_quo_2_tiers_at_the_boundaries(world, rep_customer, pct, approvers):
    people = {"head": world.p.head, "director": world.p.director, "gm": world.gm}
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", pct)))
    seen = []
    while Quote.objects.get(pk=quote.pk).status == Quote.Status.PENDING_PRICE:
        instance = _pending("price_deviation")
        who = next(name for name, user in people.items() if user == instance.current_approver)
        seen.append(who)
        _approve(instance, people[who])
    assert seen == approvers
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.READY


def test_quo_2_tier_thresholds_follow_the_policy_in_force(world, rep_customer):
    from django.utils import timezone

    PolicyValue.objects.create(
        parameter=PolicyParameter.objects.get(name="price_director_pct"),
        value="20",
        effective_from=timezone.now(),
    )
    values.invalidate()
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "12")))
    _approve(_pending("price_deviation"), world.p.head)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.READY  # 12% < 20%: the head alone


def test_quo_2_rejected_discount_returns_the_quote_to_draft(world, rep_customer):
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "8")))
    approval_decide(actor=world.p.head, instance=_pending("price_deviation"), decision="reject", note="太低")
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.DRAFT
    line = QuoteLine.objects.get(revision__quote=quote)
    services.quote_line_update(actor=world.p.rep, quote=quote, line_id=line.pk, discount_pct="5")
    assert services.quote_submit(actor=world.p.rep, quote=quote).status == Quote.Status.READY


def test_quo_2_withdrawn_request_returns_the_quote_to_draft(world, rep_customer):
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "8")))
    with pytest.raises(BusinessError) as caught:
        services.quote_line_add(actor=world.p.rep, quote=quote, product=world.product.pk, quantity="1")
    assert caught.value.code == "sales.pending_approval"
    approval_cancel(actor=world.p.rep, instance=_pending("price_deviation"))
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.DRAFT


# --- QUO-3: international review, archive -------------------------------------------------------
def test_quo_3_international_quote_is_reviewed_by_the_market_department_before_sending(world, intl_customer):
    quote = _quote(world, intl_customer, ("2", "0"), actor=world.p.other_rep)
    assert quote.is_international  # a customer of 国际部
    quote = services.quote_submit(actor=world.p.other_rep, quote=quote)
    assert quote.status == Quote.Status.PENDING_REVIEW
    with pytest.raises(BusinessError):
        services.quote_send(actor=world.p.other_rep, quote=quote)
    review = _pending("quote_review")
    assert review.current_approver == world.market_head
    _approve(review, world.market_head)
    revision = _current(quote)
    assert revision.reviewed and revision.status == Quote.Status.READY


def test_quo_3_discounted_international_quote_is_approved_then_reviewed(world, rep_customer):
    quote = _quote(world, rep_customer, ("1", "7"), is_international=True)
    services.quote_submit(actor=world.p.rep, quote=quote)
    _approve(_pending("price_deviation"), world.p.head)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.PENDING_REVIEW
    _approve(_pending("quote_review"), world.market_head)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.READY


def test_quo_3_sent_quote_is_archived_as_a_pdf_with_its_number_and_version(world, rep_customer):
    from pypdf import PdfReader

    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("2", "3")))
    services.quote_send(actor=world.p.rep, quote=quote)
    revision = _current(quote)
    assert revision.status == Quote.Status.SENT and revision.sent_by == world.p.rep
    data = revision.pdf.open("rb").read()
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert quote.number in text and "v1" in text
    assert "数控机床" in text  # Chinese glyphs embedded (fonts-noto-cjk)


def test_quo_3_a_sent_quote_is_immutable_and_a_revision_keeps_it(world, rep_customer):
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "2")))
    services.quote_send(actor=world.p.rep, quote=quote)
    line = QuoteLine.objects.get(revision__quote=quote)
    with pytest.raises(BusinessError) as caught:
        services.quote_line_update(actor=world.p.rep, quote=quote, line_id=line.pk, discount_pct="1")
    assert caught.value.code == "sales.not_editable"
    with pytest.raises(BusinessError):
        services.quote_send(actor=world.p.rep, quote=quote)
    revision = services.quote_revise(actor=world.p.rep, quote=quote)
    assert revision.version == 2 and revision.is_editable
    new_line = revision.lines.get()
    services.quote_line_update(actor=world.p.rep, quote=quote, line_id=new_line.pk, discount_pct="4")
    first = QuoteRevision.objects.get(quote=quote, version=1)
    assert first.status == Quote.Status.SENT and first.lines.get().discount_pct == Decimal("2.00")
    assert Quote.objects.get(pk=quote.pk).version == 2


def test_quo_3_revising_a_draft_is_refused(world, rep_customer):
    with pytest.raises(BusinessError) as caught:
        services.quote_revise(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "0")))
    assert caught.value.code == "sales.nothing_to_revise"


# --- CUS-3 and scope ------------------------------------------------------------------------------
def test_cus_3_blacklisted_customer_gets_no_quote(world):
    customer = CustomerFactory(owner=world.p.rep, department=world.p.domestic, is_blacklisted=True)
    with pytest.raises(BusinessError) as caught:
        _quote(world, customer, ("1", "0"))
    assert caught.value.code == "sales.customer_blacklisted"
    assert customer.name in caught.value.message
    assert not Quote.objects.exists()
    with pytest.raises(BusinessError) as caught:
        services.quote_request_create(
            actor=world.p.rep, customer=customer, product=world.product.pk, quantity="1", configuration="加长导轨"
        )
    assert caught.value.code == "sales.customer_blacklisted"


def test_cus_3_a_quote_drafted_before_the_blacklist_cannot_be_sent(world, rep_customer):
    quote = services.quote_submit(actor=world.p.rep, quote=_quote(world, rep_customer, ("1", "0")))
    rep_customer.is_blacklisted = True
    rep_customer.save()
    with pytest.raises(BusinessError) as caught:
        services.quote_send(actor=world.p.rep, quote=quote)
    assert caught.value.code == "sales.customer_blacklisted"
    assert _current(quote).status == Quote.Status.READY


def test_org_5_quotes_are_scoped_like_their_customers(world, rep_customer, intl_customer):
    with pytest.raises(BusinessError) as caught:
        _quote(world, intl_customer, ("1", "0"))  # not the rep's customer
    assert caught.value.code == "core.not_found"
    mine = _quote(world, rep_customer, ("1", "0"), actor=world.p.head)  # drafted by the head
    assert mine.owner == world.p.rep  # so the rep sees their customer's quote
    with pytest.raises(BusinessError):
        services.quote_submit(actor=world.p.other_rep, quote=mine)
    with pytest.raises(PermissionDenied):
        services.quote_create(actor=world.p.admin, customer=rep_customer)
