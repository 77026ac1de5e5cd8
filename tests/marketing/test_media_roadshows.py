"""Media plans (MKT-2), roadshows and their monthly shortfall (MKT-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from yingxiao.core.errors import BusinessError
from yingxiao.marketing import services
from yingxiao.marketing.models import MediaPlan, Roadshow
from yingxiao.performance.models import Violation
from yingxiao.policy.registry import run_sweep

from .conftest import photo

pytestmark = pytest.mark.django_db


def _plan(actor, **kw):
    data = {"year": 2026, "kind": "advertising", "title": "年度广告计划", "budget": "10000"}
    return services.media_plan_create(actor=actor, **{**data, **kw})


def test_mkt_2_completion_and_spend_against_budget(mk):
    plan = _plan(mk.mkt)
    first = services.media_item_add(
        actor=mk.mkt, plan=plan, name="行业杂志", planned_on=dt.date(2026, 3, 1), planned_cost="6000"
    )
    services.media_item_add(actor=mk.mkt, plan=plan, name="展会", planned_on=dt.date(2026, 6, 1), planned_cost="4000")
    services.media_item_complete(actor=mk.mkt, item=first, actual_cost="6500", completed_on=dt.date(2026, 3, 2))
    progress = services.plan_progress(plan)
    assert (progress.items, progress.done, progress.completion) == (2, 1, Decimal("50.0"))
    assert progress.target == Decimal("100") and not progress.on_target
    assert progress.spend == Decimal("6500.00") and not progress.overspent


def test_mkt_2_overspend_is_flagged(mk):
    plan = _plan(mk.mkt, budget="5000")
    item = services.media_item_add(
        actor=mk.mkt, plan=plan, name="网络推广", planned_on=dt.date(2026, 5, 1), planned_cost="4000"
    )
    services.media_item_complete(actor=mk.mkt, item=item, actual_cost="5200.30")
    progress = services.plan_progress(plan)
    assert progress.overspent and progress.overspend == Decimal("200.30")
    assert progress.completion == Decimal("100.0") and progress.on_target
    listed = services.with_progress(MediaPlan.objects.restrict(mk.mkt, "view")).get()
    assert services.plan_progress(listed).overspent


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"budget": "-100"}, "marketing.bad_amount"),
        ({"year": "明年"}, "marketing.bad_year"),
        ({"kind": "tv"}, "marketing.bad_kind"),
    ],
)
def test_mkt_2_bad_plan_input_is_refused(mk, override, code):
    with pytest.raises(BusinessError) as error:
        _plan(mk.mkt, **override)
    assert error.value.code == code
    assert not MediaPlan.objects.exists()


def test_mkt_2_one_plan_per_kind_and_year_items_within_the_year(mk):
    plan = _plan(mk.mkt)
    with pytest.raises(BusinessError) as error:
        _plan(mk.head)  # same department 国内部
    assert error.value.code == "marketing.plan_exists"
    with pytest.raises(BusinessError) as error:
        services.media_item_add(actor=mk.mkt, plan=plan, name="x", planned_on=dt.date(2027, 1, 1), planned_cost=1)
    assert error.value.code == "marketing.item_outside_year"
    item = services.media_item_add(actor=mk.mkt, plan=plan, name="x", planned_on=dt.date(2026, 1, 1), planned_cost=1)
    services.media_item_complete(actor=mk.mkt, item=item, actual_cost=1)
    with pytest.raises(BusinessError) as error:
        services.media_item_complete(actor=mk.mkt, item=item, actual_cost=1)
    assert error.value.code == "marketing.item_done"


def _roadshows(actor, days, with_photo=True):
    for day in days:
        services.roadshow_record(
            actor=actor, held_on=day, place=f"商场{day.day}", photos=[photo()] if with_photo else None
        )


def _first_of_december():
    return timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))


def test_mkt_3_roadshow_shortfall_at_month_end_is_a_violation_once(mk, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, 0, tzinfo=timezone.get_current_timezone()))
    _roadshows(mk.mkt, [dt.date(2026, 11, 3), dt.date(2026, 11, 10)])
    _roadshows(mk.mkt, [dt.date(2026, 11, 17)], with_photo=False)  # without photos it does not count
    _roadshows(mk.other_mkt, [dt.date(2026, 11, d) for d in (2, 9, 16, 23)])  # 国际部 met the quota
    result = run_sweep("MKT-3", as_of=_first_of_december())
    violations = Violation.objects.filter(rule_id="MKT-3", origin__isnull=True)
    assert violations.count() == 1
    violation = violations.get()
    assert violation.person == mk.mkt  # 国内部's only marketing specialist
    assert violation.amount == Decimal("100.00")  # 2 missing × roadshow_fine 50
    assert result.applied >= 1
    again = run_sweep("MKT-3", as_of=_first_of_december() + dt.timedelta(hours=2))
    assert again.applied == 0
    assert Violation.objects.filter(rule_id="MKT-3", origin__isnull=True).count() == 1  # idempotent


def test_mkt_3_photos_added_before_the_sweep_lift_the_shortfall(mk, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, 0, tzinfo=timezone.get_current_timezone()))
    _roadshows(mk.mkt, [dt.date(2026, 11, d) for d in (3, 10, 17)])
    _roadshows(mk.mkt, [dt.date(2026, 11, 24)], with_photo=False)
    late = Roadshow.objects.get(held_on=dt.date(2026, 11, 24))
    services.roadshow_add_photo(actor=mk.mkt, roadshow=late, photo=photo())
    _roadshows(mk.other_mkt, [dt.date(2026, 11, d) for d in (2, 9, 16, 23)])
    run_sweep("MKT-3", as_of=_first_of_december())
    assert not Violation.objects.filter(rule_id="MKT-3").exists()


def test_mkt_3_voided_roadshows_do_not_count_and_future_ones_are_refused(mk, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, 0, tzinfo=timezone.get_current_timezone()))
    _roadshows(mk.mkt, [dt.date(2026, 11, d) for d in (3, 10, 17, 24)])
    services.roadshow_void(actor=mk.mkt, roadshow=Roadshow.objects.get(held_on=dt.date(2026, 11, 24)), reason="重复")
    with pytest.raises(BusinessError) as error:
        services.roadshow_record(actor=mk.mkt, held_on=dt.date(2026, 12, 5), place="x")
    assert error.value.code == "marketing.future_date"
    with pytest.raises(BusinessError) as error:
        services.roadshow_record(actor=mk.mkt, held_on=dt.date(2026, 11, 5), place="x", photos=[photo("a.pdf")])
    assert error.value.code == "marketing.bad_media"
    _roadshows(mk.other_mkt, [dt.date(2026, 11, d) for d in (2, 9, 16, 23)])
    run_sweep("MKT-3", as_of=_first_of_december())
    violation = Violation.objects.get(rule_id="MKT-3", origin__isnull=True)
    assert violation.amount == Decimal("50.00")


def test_mkt_3_department_with_several_specialists_charges_the_head(mk, time_machine):
    from .conftest import specialist

    specialist(mk, "mkt2", "第二专员", mk.domestic)
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, 0, tzinfo=timezone.get_current_timezone()))
    _roadshows(mk.other_mkt, [dt.date(2026, 11, d) for d in (2, 9, 16, 23)])
    run_sweep("MKT-3", as_of=_first_of_december())
    violation = Violation.objects.get(rule_id="MKT-3", origin__isnull=True)
    assert violation.person == mk.head and violation.amount == Decimal("200.00")
