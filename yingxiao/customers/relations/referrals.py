"""Referrals (转介绍, CUS-13): an existing customer who brings a new customer that closes earns a
reward — cash ``referral_reward`` (老客户介绍客户成交给予200元油费) or points ``points_per_1000`` per full
1,000 of the sale (每1000元销售奖励老顾客100分积分).

The reward is earned when the referred customer's stage becomes 成交 (``hooks.customer_changing``)
or, for points, once the deal value is known (entered by hand until the sales app records it).
Exactly one reward per referred customer: ``ReferralReward.referral`` is unique and
``Referral.referred`` is unique, so a repeated or concurrent grant returns the existing one.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.policy.values import policy_value

from ..models import Customer, Referral, ReferralReward, RewardKind
from .common import customer_for, customer_link, lazy_format, require, text, versioned
from .errors import BAD_DEAL_VALUE, DEAL_VALUE_REQUIRED, REFERRAL_EXISTS, REFERRAL_NOT_CLOSED, REFERRAL_SELF

_THOUSAND = Decimal(1000)


def _deal_value(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError(BAD_DEAL_VALUE, field="deal_value") from exc
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise BusinessError(BAD_DEAL_VALUE, field="deal_value")
    return amount.quantize(Decimal("0.01"))


def referral_points(deal_value: Decimal, at: Any = None) -> int:
    """rule: CUS-13 — ``points_per_1000`` for every full 1,000 of the sale."""
    return int(deal_value // _THOUSAND) * int(policy_value("points_per_1000", at=at))


def referral_record(
    *,
    actor: User,
    referrer: Customer,
    referred: Customer,
    reward_kind: str = RewardKind.CASH,
    deal_value: Any = None,
    note: str = "",
) -> Referral:
    """Record that ``referrer`` brought in ``referred``; if it has already closed, the reward is earned now."""
    require(actor, "customers.add_referral")
    if referrer.pk == referred.pk:
        raise BusinessError(REFERRAL_SELF, field="referrer")
    if reward_kind not in RewardKind.values:
        raise BusinessError(BAD_DEAL_VALUE, field="reward_kind")
    value = _deal_value(deal_value)
    note = text(note, field="note", max_length=500, required=False)
    with transaction.atomic():
        source = customer_for(actor, referrer, "view")
        locked = customer_for(actor, referred, "change", lock=True)
        existing = Referral.objects.filter(referred=locked).select_related("referrer").first()
        if existing is not None:
            raise BusinessError(REFERRAL_EXISTS, customer=locked.name, referrer=existing.referrer.name)
        referral = Referral(
            referrer=source, referred=locked, reward_kind=reward_kind, deal_value=value, recorded_by=actor, note=note
        )
        versioned(referral, actor, _("Referral recorded"))
        referral.save()
        if locked.stage == Customer.Stage.DEAL:
            _grant_quietly(actor, referral)
    return referral


def referral_set_deal_value(*, actor: User, referral: Referral, deal_value: Any) -> Referral:
    """Enter the referred customer's deal value (until the sales app records sales); earns pending points."""
    require(actor, "customers.change_referral")
    value = _deal_value(deal_value)
    if value is None:
        raise BusinessError(BAD_DEAL_VALUE, field="deal_value")
    with transaction.atomic():
        found = Referral.objects.restrict(actor, "change").select_for_update().filter(pk=referral.pk).first()
        if found is None:
            raise BusinessError(NOT_FOUND)
        if found.deal_value != value and not ReferralReward.objects.filter(referral=found).exists():
            found.deal_value = value
            versioned(found, actor, _("Deal value entered"))
            found.save(update_fields=["deal_value"])
        if Customer.objects.filter(pk=found.referred_id, stage=Customer.Stage.DEAL).exists():
            referral_reward_grant(actor=actor, referral=found)
    return found


def referral_reward_grant(*, actor: User | None, referral: Referral, closing: bool = False) -> ReferralReward:
    """The reward for a referral whose customer closed; idempotent (the existing reward is returned).

    ``closing``: called while the stage is being changed to 成交, before it is saved.
    """
    existing = ReferralReward.objects.filter(referral_id=referral.pk).first()
    if existing is not None:
        return existing
    if not closing and not Customer.objects.filter(pk=referral.referred_id, stage=Customer.Stage.DEAL).exists():
        raise BusinessError(REFERRAL_NOT_CLOSED)
    now = timezone.now()
    reward = ReferralReward(
        referral=referral,
        referrer_id=referral.referrer_id,
        kind=referral.reward_kind,
        deal_value=referral.deal_value,
        earned_at=now,
        granted_by=actor,
    )
    if referral.reward_kind == RewardKind.POINTS:
        if referral.deal_value is None:
            raise BusinessError(DEAL_VALUE_REQUIRED, field="deal_value")
        reward.points = referral_points(referral.deal_value, at=now)
    else:
        reward.amount = Decimal(str(policy_value("referral_reward", at=now)))
    try:
        with transaction.atomic():
            reward.save()
    except IntegrityError:  # a concurrent grant won: one reward per referral
        return ReferralReward.objects.get(referral_id=referral.pk)
    transaction.on_commit(lambda: _notify_reward(actor, reward))
    return reward


def _grant_quietly(actor: User | None, referral: Referral) -> ReferralReward | None:
    """Grant if possible; points without a deal value wait (the CUS-13 rule reminds the owner)."""
    try:
        return referral_reward_grant(actor=actor, referral=referral, closing=True)
    except BusinessError:
        return None


def grant_on_close(actor: User | None, customer: Customer) -> ReferralReward | None:
    """rule: CUS-13 — the referred customer is closing: its referrer earns the reward."""
    referral = Referral.objects.filter(referred_id=customer.pk).first()
    return _grant_quietly(actor, referral) if referral is not None else None


def referrals_of(actor: User, customer: Customer) -> dict[str, Any]:
    """Who referred the customer and whom it referred, with rewards (scoped to what the actor may see)."""
    visible = Referral.objects.restrict(actor, "view").select_related("referrer", "referred", "reward")
    return {
        "referred_by": visible.filter(referred=customer).first(),
        "referred": list(visible.filter(referrer=customer)),
    }


def _notify_reward(actor: User | None, reward: ReferralReward) -> None:
    referrer = Customer.objects.select_related("owner").filter(pk=reward.referrer_id).first()
    if referrer is None or referrer.owner is None:
        return
    earned = f"{reward.amount} {_('yuan')}" if reward.amount is not None else f"{reward.points} {_('points')}"
    message = _("Your customer %(customer)s earned a referral reward: %(reward)s (CUS-13).")
    notify(
        referrer.owner,
        message=lazy_format(message, customer=referrer.name, reward=earned),
        link=customer_link(referrer.pk),
        actor=actor,
    )
