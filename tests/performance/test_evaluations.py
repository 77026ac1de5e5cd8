"""PRF-1 monthly evaluation and grade, PRF-2 consecutive failing months, PRF-4 rankings → retraining."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from yingxiao.core.errors import BusinessError
from yingxiao.core.notifications import Notification
from yingxiao.performance import evaluations
from yingxiao.performance.indicators import IndicatorResult, SourceRef, register_source, source_for, unregister_source
from yingxiao.performance.models import Evaluation, EvaluationItem, Grade
from yingxiao.performance.rankings import Period, last_completed_period, period_containing, ranking
from yingxiao.policy.registry import run_sweep
from yingxiao.training.models import TrainingNeed

pytestmark = pytest.mark.django_db


def travel(year, month, day=5):
    return time_machine.travel(dt.datetime(year, month, day, 10, 0, tzinfo=dt.UTC), tick=False)


def evaluate(personas, person, month, score, finalise=True):
    """The head prepares ``person``'s evaluation and gives every superior-scored indicator ``score``."""
    evaluation = evaluations.evaluation_prepare(actor=personas.head, person=person, month=month)
    manual = {i.code: score for i in evaluation.items.all() if i.source == EvaluationItem.Source.SUPERIOR}
    evaluations.evaluation_score(actor=personas.head, evaluation=evaluation, scores=manual)
    if finalise:
        evaluation = evaluations.evaluation_finalise(actor=personas.head, evaluation=evaluation)
    return evaluation


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80", Grade.GOOD),
        ("79.99", Grade.PASS),
        ("60", Grade.PASS),
        ("59.99", Grade.FAIL),
        ("0", Grade.FAIL),
    ],
)
def test_prf_1_grade_at_the_threshold_boundaries(score, grade):
    assert evaluations.grade_for(Decimal(score)) == grade


def test_prf_1_thresholds_are_policy(personas):
    from yingxiao.policy.services import policy_change

    policy_change(actor=personas.admin, name="grade_excellent_score", value=95, reason="收紧")
    assert evaluations.grade_for(Decimal("94.99")) == Grade.GOOD
    assert evaluations.grade_for(Decimal("95")) == Grade.EXCELLENT


def test_prf_1_indicators_follow_the_role_and_weigh_100(personas):
    with travel(2025, 6):
        evaluation = evaluations.evaluation_prepare(actor=personas.head, person=personas.rep, month=dt.date(2025, 5, 1))
    items = {i.code: i for i in evaluation.items.all()}
    assert evaluation.role_code == "sales_rep"
    assert sum(i.weight for i in items.values()) == 100
    assert {"task_completion", "quality", "satisfaction", "return_visits", "training"} <= set(items)
    assert "data_accuracy" not in items  # telesales only


def test_prf_1_computed_indicator_comes_from_its_registered_source(personas):
    def satisfied(person, month):
        return IndicatorResult(Decimal("84.5"), "2 surveys", (SourceRef("service.Survey", (7, 9)),))

    original = source_for("satisfaction")
    register_source("satisfaction", satisfied)
    try:
        with travel(2025, 6):
            evaluation = evaluate(personas, personas.rep, dt.date(2025, 5, 1), "90")
    finally:
        register_source("satisfaction", original) if original else unregister_source("satisfaction")
    item = evaluation.items.get(code="satisfaction")
    assert (item.source, item.score, item.sources) == (
        EvaluationItem.Source.COMPUTED,
        Decimal("84.50"),
        [{"model": "service.Survey", "ids": [7, 9]}],
    )
    # The computed score cannot be overwritten by hand.
    with pytest.raises(BusinessError) as error:
        evaluations.evaluation_score(actor=personas.head, evaluation=evaluation, scores={"satisfaction": "100"})
    assert error.value.code in {"performance.evaluation_final", "performance.computed_indicator"}
    # (90 × 90 + 84.5 × 10) / 100 = 89.45 → 良好
    assert (evaluation.score, evaluation.grade) == (Decimal("89.45"), Grade.GOOD)


def test_prf_1_weighted_score_and_grade_on_finalise(personas):
    with travel(2025, 6):
        evaluation = evaluate(personas, personas.rep, dt.date(2025, 5, 1), "90")
    assert evaluation.status == Evaluation.Status.FINAL
    assert (evaluation.score, evaluation.grade) == (Decimal("90.00"), Grade.EXCELLENT)


def test_prf_1_unscored_indicators_block_finalising_and_final_is_final(personas):
    with travel(2025, 6):
        evaluation = evaluations.evaluation_prepare(actor=personas.head, person=personas.rep, month=dt.date(2025, 5, 1))
        with pytest.raises(BusinessError) as error:
            evaluations.evaluation_finalise(actor=personas.head, evaluation=evaluation)
        assert error.value.code == "performance.unscored"
        evaluation.refresh_from_db()
        assert evaluation.status == Evaluation.Status.DRAFT
        with pytest.raises(BusinessError) as error:
            evaluations.evaluation_score(actor=personas.head, evaluation=evaluation, scores={"quality": "101"})
        assert error.value.code == "performance.bad_score"
        assert evaluation.items.get(code="quality").score is None


def test_prf_1_only_the_superior_in_scope_evaluates(personas):
    month = dt.date(2025, 5, 1)
    with travel(2025, 6):
        for actor, person in [
            (personas.rep, personas.teammate),
            (personas.head, personas.other_rep),
            (personas.head, personas.head),
        ]:
            with pytest.raises(BusinessError) as error:
                evaluations.evaluation_prepare(actor=actor, person=person, month=month)
            assert error.value.code == "performance.not_evaluator"
        assert evaluations.evaluation_prepare(actor=personas.director, person=personas.other_rep, month=month)
    assert Evaluation.objects.count() == 1


def test_prf_2_consecutive_failing_months_flag_the_person_for_review(personas, hr, django_capture_on_commit_callbacks):
    with travel(2025, 5), django_capture_on_commit_callbacks(execute=True):
        for month in (1, 2):
            assert not evaluate(personas, personas.rep, dt.date(2025, month, 1), "50").review_flagged
        third = evaluate(personas, personas.rep, dt.date(2025, 3, 1), "50")
    assert third.grade == Grade.FAIL
    assert (third.fail_streak, third.review_flagged) == (3, True)  # fail_months = 3
    assert Notification.objects.filter(recipient=hr, message__contains="PRF-2").exists()


def test_prf_2_a_passing_month_breaks_the_run(personas, hr):
    with travel(2025, 6):
        evaluate(personas, personas.rep, dt.date(2025, 1, 1), "50")
        evaluate(personas, personas.rep, dt.date(2025, 2, 1), "50")
        evaluate(personas, personas.rep, dt.date(2025, 3, 1), "70")  # 合格
        evaluate(personas, personas.rep, dt.date(2025, 4, 1), "50")
        fifth = evaluate(personas, personas.rep, dt.date(2025, 5, 1), "50")
    assert (fifth.fail_streak, fifth.review_flagged) == (2, False)
    assert not Notification.objects.filter(recipient=hr).exists()


# --- PRF-4 rankings ---------------------------------------------------------------------------
def _calls(agent, department, outcomes, when):
    from yingxiao.telesales.models import CallEntry, CallList, CallLog

    call_list = CallList.objects.create(name="名单", owner=agent, department=department, created_by=agent)
    for number, outcome in enumerate(outcomes):
        entry = CallEntry.objects.create(
            call_list=call_list,
            row_number=number + 1,
            name=f"客户{number}",
            phone=f"1380000{agent.pk:02d}{number:02d}",
            phone_normalized=f"1380000{agent.pk:02d}{number:02d}",
            agent=agent,
            department=department,
        )
        CallLog.objects.create(entry=entry, agent=agent, department=department, started_at=when, outcome=outcome)


def test_prf_4_periods_are_blocks_of_ranking_months():
    assert period_containing(dt.date(2025, 4, 20), 2) == Period(dt.date(2025, 3, 1), dt.date(2025, 5, 1))
    assert last_completed_period(dt.date(2025, 5, 3), 2).key == "2025-03..2025-04"
    assert last_completed_period(dt.date(2025, 1, 3), 2).key == "2024-11..2024-12"


def test_prf_4_bottom_of_the_ranking_is_flagged_for_retraining(personas):
    when = dt.datetime(2025, 3, 10, 3, 0, tzinfo=dt.UTC)
    _calls(personas.rep, personas.domestic, ["deal", "intent_a", "intent_b", "not_interested"], when)  # 25 % / 75 %
    _calls(personas.teammate, personas.domestic, ["deal", "deal", "intent_a", "no_answer"], when)  # 67 % / 100 %
    _calls(personas.other_rep, personas.international, ["not_interested", "not_interested", "busy"], when)  # 0 / 0
    result = ranking(Period(dt.date(2025, 3, 1), dt.date(2025, 5, 1)))
    rows = {row.person_id: row for row in result.rows}
    assert rows[personas.teammate.pk].conversion == Decimal("66.7")
    assert [r.person_id for r in result.flagged] == [personas.other_rep.pk]  # 10 % of 3 → at least one

    as_of = dt.datetime(2025, 5, 2, 2, 0, tzinfo=dt.UTC)
    run_sweep("PRF-4", as_of=as_of)
    run_sweep("PRF-4", as_of=as_of)  # idempotent
    need = TrainingNeed.objects.get()
    assert (need.person, need.rule_id, need.status) == (personas.other_rep, "PRF-4", TrainingNeed.Status.OPEN)
    assert "2025-03..2025-04" in need.source_key
