"""Policy configuration: every catalog parameter, its default, versions and refusals."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission

from yingxiao.core.errors import BusinessError
from yingxiao.policy import kinds
from yingxiao.policy.catalog import BY_NAME, CATALOG
from yingxiao.policy.models import PolicyParameter, PolicyValue
from yingxiao.policy.services import policy_change, sync_catalog
from yingxiao.policy.values import UnknownPolicyParameter, policy_value

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES_MD = Path("/work/shared/spec/rules.md")


def grant_policy_change(user) -> None:
    user.user_permissions.add(Permission.objects.get(codename="add_policyvalue"))
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


@pytest.fixture
def admin(personas):
    grant_policy_change(personas.admin)
    return personas.admin


def test_catalog_lists_every_param_of_rules_md() -> None:
    if not RULES_MD.exists():
        pytest.skip("spec not available")
    names = set(re.findall(r"\{([a-z_0-9]+)(?:=[^}]*)?\}", RULES_MD.read_text())) - {"param"}
    # Every number in the catalog is configurable; a few operational ones (reminder lead times,
    # quotas) go beyond it, each citing the rule it serves.
    assert names <= set(BY_NAME)
    assert len(names) == 56
    assert len(CATALOG) == len(BY_NAME)


@pytest.mark.django_db
def test_every_param_loads_with_its_default_on_migrate() -> None:
    assert PolicyParameter.objects.count() == len(CATALOG)
    for spec in CATALOG:
        row = PolicyParameter.objects.get(name=spec.name)
        assert (row.rule_id, row.kind, row.default) == (spec.rule_id, spec.kind, spec.default)
        assert row.description_en and row.description_zh
        assert policy_value(spec.name) == kinds.from_json(spec, spec.default)


@pytest.mark.django_db
def test_catalog_sync_is_idempotent() -> None:
    assert sync_catalog() == 0
    PolicyParameter.objects.filter(name="service_window_days").update(default=7)
    assert sync_catalog() == 1
    assert PolicyParameter.objects.get(name="service_window_days").default == 90


@pytest.mark.django_db
def test_typed_defaults() -> None:
    assert policy_value("service_window_days") == 90
    assert policy_value("invite_cutoff") == dt.time(18, 0)
    assert policy_value("bad_debt_max") == Decimal("0.2")
    assert policy_value("complaint_fine") == (Decimal("200"), Decimal("1500"))
    assert policy_value("reconcile_weekday") == calendar.Day.FRIDAY == dt.date(2026, 1, 2).weekday()
    assert policy_value("ledger_reconcile_day") == 25
    assert policy_value("supervisor_multiple") == Decimal("2")
    assert policy_value("qualifying_activity_types") == ["visit", "home_visit", "call:result"]
    with pytest.raises(UnknownPolicyParameter):
        policy_value("no_such_param")


@pytest.mark.django_db
def test_cus_7_window_change_takes_effect_from_the_chosen_time(admin) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        start = dt.datetime(2026, 4, 1, 0, 0, tzinfo=SHANGHAI)
        version = policy_change(
            actor=admin, name="service_window_days", value="60", effective_from=start, reason="董事会决议"
        )
        assert (version.previous_value, version.value, version.changed_by) == (90, 60, admin)
        assert policy_value("service_window_days") == 90
        assert policy_value("service_window_days", at=start - dt.timedelta(minutes=1)) == 90
        assert policy_value("service_window_days", at=start) == 60
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert policy_value("service_window_days") == 60
        second = policy_change(actor=admin, name="service_window_days", value=45, reason="再次调整")
        assert second.previous_value == 60
        assert policy_value("service_window_days") == 45
        # history is kept: nothing was updated in place
        assert list(
            PolicyValue.objects.filter(parameter__name="service_window_days")
            .order_by("effective_from")
            .values_list("value", flat=True)
        ) == [60, 45]
        assert policy_value("service_window_days", at=start) == 60


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("service_window_days", "-5", "policy.negative"),
        ("service_window_days", "0", "policy.out_of_range"),
        ("service_window_days", "abc", "policy.not_a_whole_number"),
        ("service_window_days", "9.5", "policy.not_a_whole_number"),
        ("invite_cutoff", "25:00", "policy.bad_time"),
        ("invite_cutoff", "18:60", "policy.bad_time"),
        ("invite_cutoff", "six", "policy.bad_time"),
        ("bad_debt_max", "101", "policy.percent_over_100"),
        ("bad_debt_max", "-1", "policy.negative"),
        ("complaint_fine", "1500..200", "policy.range_reversed"),
        ("complaint_fine", "200", "policy.bad_range"),
        ("complaint_fine", [200], "policy.bad_range"),
        ("reconcile_weekday", "Funday", "policy.bad_weekday"),
        ("ledger_reconcile_day", "32", "policy.out_of_range"),
        ("qualifying_activity_types", "visit,sms", "policy.bad_choice"),
        ("qualifying_activity_types", "", "policy.required"),
        ("referral_reward", "NaN", "policy.not_a_number"),
        ("no_such_param", "1", "policy.unknown_parameter"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_saved(admin, name, value, code) -> None:
    with pytest.raises(BusinessError) as caught:
        policy_change(actor=admin, name=name, value=value, reason="试一下")
    assert caught.value.code == code
    assert caught.value.message  # a sentence, not a code
    assert PolicyValue.objects.count() == 0


@pytest.mark.django_db
def test_refusal_message_is_in_the_users_language(admin) -> None:
    from django.utils import translation

    with pytest.raises(BusinessError) as caught:
        policy_change(actor=admin, name="invite_cutoff", value="25:00", reason="x")
    with translation.override("en"):
        assert "HH:MM" in caught.value.message
    with translation.override("zh-hans"):
        assert "时间" in caught.value.message


@pytest.mark.django_db
def test_change_needs_permission_reason_and_a_future_time(personas, admin) -> None:
    with pytest.raises(BusinessError) as caught:
        policy_change(actor=personas.rep, name="service_window_days", value=60, reason="x")
    assert caught.value.code == "core.permission_denied"
    with pytest.raises(BusinessError) as caught:
        policy_change(actor=admin, name="service_window_days", value=60, reason="  ")
    assert caught.value.code == "policy.reason_required"
    with pytest.raises(BusinessError) as caught:
        policy_change(
            actor=admin,
            name="service_window_days",
            value=60,
            reason="x",
            effective_from=dt.datetime(2000, 1, 1, tzinfo=SHANGHAI),
        )
    assert caught.value.code == "policy.backdated"
    with pytest.raises(BusinessError) as caught:
        policy_change(actor=admin, name="service_window_days", value=90, reason="x")
    assert caught.value.code == "policy.unchanged"
    assert PolicyValue.objects.count() == 0


@pytest.mark.django_db
def test_accepted_spellings_are_normalised(admin) -> None:
    policy_change(actor=admin, name="complaint_fine", value="300..2000", reason="x")
    policy_change(actor=admin, name="reconcile_weekday", value="周四", reason="x")
    policy_change(actor=admin, name="bad_debt_max", value="1%", reason="x")
    policy_change(actor=admin, name="invite_cutoff", value="17:30", reason="x")
    policy_change(actor=admin, name="qualifying_activity_types", value="visit, call", reason="x")
    assert policy_value("complaint_fine") == (Decimal("300"), Decimal("2000"))
    assert policy_value("reconcile_weekday") == calendar.Day.THURSDAY
    assert policy_value("bad_debt_max") == Decimal("1")
    assert policy_value("invite_cutoff") == dt.time(17, 30)
    assert policy_value("qualifying_activity_types") == ["visit", "call"]
