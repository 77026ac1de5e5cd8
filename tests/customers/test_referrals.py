"""CUS-13 referrals: the referrer earns referral_reward or points_per_1000 when the referred customer closes."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest

import yingxiao.customers.rules_relations  # noqa: F401 — registers CUS-4/10/13 until customers.rules imports it
from tests.customers import relations_support
from tests.customers.relations_support import at, customer_of, set_policy
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.customers import services
from yingxiao.customers.models import Customer, Referral, ReferralReward, RewardKind
from yingxiao.customers.relations import referrals
from yingxiao.customers.relations.hooks import customer_changing
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import run_sweep

pytestmark = pytest.mark.django_db
people = relations_support.people  # shared fixture
HOOKED = "customer_changing" in inspect.getsource(services.customer_update)


@pytest.fixture
def pair(people):
    """An existing customer (the teammate's) and the new customer it referred (the rep's)."""
    old = customer_of(people.rep, name="老客户王先生", stage=Customer.Stage.DEAL)
    new = customer_of(people.rep, name="新客户李女士", stage=Customer.Stage.INTENT)
    return old, new


def close(actor, customer):
    customer_changing(actor=actor, customer=customer, changes={"stage": Customer.Stage.DEAL})
    Customer.objects.filter(pk=customer.pk).update(stage=Customer.Stage.DEAL)


def test_cus_13_cash_reward_when_the_referred_customer_closes(people, pair, django_capture_on_commit_callbacks):
    old, new = pair
    referral = referrals.referral_record(actor=people.rep, referrer=old, referred=new)
    assert not ReferralReward.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        close(people.rep, new)
    reward = ReferralReward.objects.get()
    assert reward.referral == referral and reward.referrer == old
    assert reward.kind == RewardKind.CASH and reward.amount == Decimal("200.00") and reward.points is None
    assert Notification.objects.filter(recipient=people.rep, message__contains="CUS-13").exists()


def test_cus_13_points_per_1000_of_the_deal_value(people, pair):
    old, new = pair
    referrals.referral_record(
        actor=people.rep, referrer=old, referred=new, reward_kind=RewardKind.POINTS, deal_value="2999.99"
    )
    close(people.rep, new)
    assert ReferralReward.objects.get().points == 200  # two full thousands × 100


def test_cus_13_points_wait_for_the_deal_value(people, pair):
    old, new = pair
    referral = referrals.referral_record(actor=people.rep, referrer=old, referred=new, reward_kind=RewardKind.POINTS)
    close(people.rep, new)  # closing is not blocked by the missing value
    assert not ReferralReward.objects.exists()
    referrals.referral_set_deal_value(actor=people.rep, referral=referral, deal_value="5000")
    assert ReferralReward.objects.get().points == 500


def test_cus_13_one_reward_per_referred_customer(people, pair):
    old, new = pair
    referral = referrals.referral_record(actor=people.rep, referrer=old, referred=new)
    close(people.rep, new)
    again = referrals.referral_reward_grant(actor=people.rep, referral=referral)
    close(people.rep, new)
    assert ReferralReward.objects.count() == 1 and again == ReferralReward.objects.get()
    with pytest.raises(BusinessError) as refused:
        referrals.referral_record(actor=people.rep, referrer=customer_of(people.rep), referred=new)
    assert refused.value.code == "customers.referral_exists"


def test_cus_13_reward_uses_the_policy_in_force(people, pair):
    old, new = pair
    set_policy("referral_reward", "300", since=at(2020, 1, 1, 0, 0))
    referrals.referral_record(actor=people.rep, referrer=old, referred=new)
    close(people.rep, new)
    assert ReferralReward.objects.get().amount == Decimal("300.00")


def test_cus_13_referral_recorded_after_closing_earns_at_once(people, pair):
    old, _new = pair
    closed = customer_of(people.rep, stage=Customer.Stage.DEAL)
    referrals.referral_record(actor=people.rep, referrer=old, referred=closed)
    assert ReferralReward.objects.get().referrer == old


def test_cus_13_no_reward_before_closing(people, pair):
    old, new = pair
    referral = referrals.referral_record(actor=people.rep, referrer=old, referred=new)
    with pytest.raises(BusinessError) as refused:
        referrals.referral_reward_grant(actor=people.rep, referral=referral)
    assert refused.value.code == "customers.referral_not_closed"


def test_cus_13_bad_referrals_are_refused(people, pair):
    old, new = pair
    with pytest.raises(BusinessError) as self_ref:
        referrals.referral_record(actor=people.rep, referrer=new, referred=new)
    assert self_ref.value.code == "customers.referral_self"
    with pytest.raises(BusinessError) as bad_value:
        referrals.referral_record(actor=people.rep, referrer=old, referred=new, deal_value="-5")
    assert bad_value.value.code == "customers.bad_deal_value"
    with pytest.raises(BusinessError) as out_of_scope:
        referrals.referral_record(actor=people.other_rep, referrer=old, referred=customer_of(people.other_rep))
    assert out_of_scope.value.code == "core.not_found"
    assert not Referral.objects.exists()


def test_cus_13_rule_grants_a_reward_the_edit_path_missed(people, pair):
    old, new = pair
    referrals.referral_record(actor=people.rep, referrer=old, referred=new)
    Customer.objects.filter(pk=new.pk).update(stage=Customer.Stage.DEAL)  # e.g. an import, bypassing the hook
    preview = run_sweep("CUS-13", dry_run=True)
    assert preview.found == 1 and not ReferralReward.objects.exists() and not RuleResult.objects.exists()
    run_sweep("CUS-13")
    run_sweep("CUS-13")
    assert ReferralReward.objects.count() == 1
    assert RuleResult.objects.filter(rule_id="CUS-13").count() == 1


def test_cus_13_rule_reminds_to_enter_the_deal_value_for_points(people, pair):
    old, new = pair
    referrals.referral_record(actor=people.rep, referrer=old, referred=new, reward_kind=RewardKind.POINTS)
    Customer.objects.filter(pk=new.pk).update(stage=Customer.Stage.DEAL)
    run_sweep("CUS-13")
    assert not ReferralReward.objects.exists()
    assert Notification.objects.filter(recipient=people.rep, message__contains="CUS-13").exists()


@pytest.mark.skipif(not HOOKED, reason="needs the hook line in customers.services.customer_update")
def test_cus_13_archive_edit_to_deal_earns_the_reward(people, pair):
    old, new = pair
    referrals.referral_record(actor=people.rep, referrer=old, referred=new)
    services.customer_update(actor=people.rep, customer=new, data={"stage": Customer.Stage.DEAL})
    assert ReferralReward.objects.get().amount == Decimal("200.00")


def test_cus_13_api_records_sets_value_and_lists_rewards(people, pair, api_as):
    old, new = pair
    api = api_as("rep")
    created = api.post(
        "/api/v1/referrals/", {"referrer": old.pk, "referred": new.pk, "reward_kind": "points"}, format="json"
    )
    assert created.status_code == 201, created.content
    close(people.rep, new)
    valued = api.post(f"/api/v1/referrals/{created.json()['id']}/deal_value/", {"deal_value": "1000"}, format="json")
    assert valued.status_code == 200 and valued.json()["reward"]["points"] == 100
    assert api.get("/api/v1/referral-rewards/").json()["count"] == 1
    assert api_as("other_rep").get("/api/v1/referral-rewards/").json()["count"] == 0
    twice = api.post("/api/v1/referrals/", {"referrer": old.pk, "referred": new.pk}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "customers.referral_exists"


def test_cus_13_panel_form_records_a_referral(people, pair, client):
    old, new = pair
    client.force_login(people.rep)
    client.post(f"/customers/{new.pk}/referrals/add/", {"referrer": old.pk, "reward_kind": "cash"})
    assert Referral.objects.filter(referrer=old, referred=new).exists()
    panel = client.get(f"/customers/{new.pk}/relations/")
    assert old.name.encode() in panel.content
