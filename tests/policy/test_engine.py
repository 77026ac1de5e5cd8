"""The rule engine: findings, explanations, dry run, idempotence, concurrency (test-only rule TST-1)."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import UserFactory
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.policy.models import RuleResult, RuleRun
from yingxiao.policy.registry import run_sweep

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


def make_subjects(n: int) -> list:
    return [UserFactory(username=f"sweep-{i}") for i in range(n)]


@pytest.mark.django_db
def test_sweep_records_each_breach_with_rule_inputs_and_explanation(sample_rule) -> None:
    users = make_subjects(3)
    result = run_sweep("TST-1", as_of=AS_OF)
    assert (result.found, result.recorded, result.applied) == (3, 3, 3)
    run = RuleRun.objects.get(pk=result.runs[0].run_id)
    assert run.status == "done" and run.mode == "apply"
    assert run.params == {"service_window_days": 90}
    assert (run.found, run.recorded, run.applied) == (3, 3, 3)
    row = RuleResult.objects.get(subject_id=users[0].pk)
    assert row.rule_id == "TST-1" and row.outcome == "applied" and row.person_id == users[0].pk
    assert row.inputs == {"facts": {"username": "sweep-0"}, "params": {"service_window_days": 90}}
    assert "TST-1" in row.explanation and "sweep-0" in row.explanation and "90" in row.explanation
    assert "政策" in row.explanation or "制度" in row.explanation  # plain Chinese (default language)
    assert Notification.objects.filter(recipient=users[0]).count() == 1


@pytest.mark.django_db
def test_sweep_twice_records_and_applies_each_breach_once(sample_rule) -> None:
    make_subjects(7)
    first = run_sweep("TST-1", as_of=AS_OF)
    second = run_sweep("TST-1", as_of=AS_OF)
    assert (first.recorded, second.found, second.recorded, second.applied) == (7, 7, 0, 0)
    assert RuleResult.objects.count() == 7
    assert Notification.objects.count() == 7
    # a new occurrence (another day) is a new breach
    third = run_sweep("TST-1", as_of=AS_OF + dt.timedelta(days=1))
    assert third.recorded == 7


@pytest.mark.django_db
def test_dry_run_finds_the_same_breaches_and_writes_no_business_records(sample_rule) -> None:
    make_subjects(4)
    preview = run_sweep("TST-1", as_of=AS_OF, dry_run=True)
    assert RuleResult.objects.count() == 0 and Notification.objects.count() == 0
    assert RuleRun.objects.get().mode == "dry_run"
    applied = run_sweep("TST-1", as_of=AS_OF)
    keys = set(RuleResult.objects.values_list("breach_key", flat=True))
    assert {p.breach_key for p in preview.runs[0].previews} == keys
    assert preview.found == applied.found == 4
    assert all(not p.already_recorded for p in preview.runs[0].previews)
    again = run_sweep("TST-1", as_of=AS_OF, dry_run=True)
    assert again.recorded == 0 and again.runs[0].already_recorded == 4


@pytest.mark.django_db
def test_policy_in_force_at_as_of_is_used_and_recorded(sample_rule, personas) -> None:
    from tests.policy.test_values import grant_policy_change
    from yingxiao.policy.services import policy_change

    grant_policy_change(personas.admin)
    make_subjects(1)
    policy_change(actor=personas.admin, name="service_window_days", value=60, reason="x", effective_from=AS_OF)
    before = run_sweep("TST-1", as_of=AS_OF - dt.timedelta(hours=1), dry_run=True)
    after = run_sweep("TST-1", as_of=AS_OF)
    assert RuleRun.objects.get(pk=before.runs[0].run_id).params == {"service_window_days": 90}
    assert RuleRun.objects.get(pk=after.runs[0].run_id).params == {"service_window_days": 60}
    assert "60" in RuleResult.objects.get().explanation


@pytest.mark.django_db
def test_pending_results_left_by_a_dead_run_are_applied_by_the_next(sample_rule) -> None:
    users = make_subjects(3)
    run = RuleRun.objects.create(rule_id="TST-1", as_of=AS_OF, mode="apply")
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(users[0])
    RuleResult.objects.create(
        run=run,
        rule_id="TST-1",
        breach_key=f"{users[0].pk}:{AS_OF.date().isoformat()}",
        action="remind",
        subject_type=ct,
        subject_id=users[0].pk,
        person=users[0],
        as_of=AS_OF,
        explanation="x",
    )
    result = run_sweep("TST-1", as_of=AS_OF)
    assert (result.recorded, result.applied) == (2, 3)
    assert Notification.objects.count() == 3


@pytest.mark.django_db
def test_one_failing_apply_does_not_block_the_others(sample_rule, monkeypatch) -> None:
    users = make_subjects(3)
    original = sample_rule.apply

    def flaky(self, finding):
        if finding.subject_id == users[1].pk:
            raise RuntimeError("boom")
        return original(self, finding)

    monkeypatch.setattr(sample_rule, "apply", flaky)
    result = run_sweep("TST-1", as_of=AS_OF)
    assert result.applied == 2 and result.runs[0].failed == 1
    assert RuleResult.objects.get(subject_id=users[1].pk).outcome == "failed"


@pytest.mark.django_db
def test_unknown_rule_is_a_clear_error() -> None:
    with pytest.raises(BusinessError) as caught:
        run_sweep("XYZ-99")
    assert caught.value.code == "policy.unknown_rule"


@pytest.mark.django_db
def test_sweep_command_prints_progress_and_summary(sample_rule) -> None:
    make_subjects(2)
    out = StringIO()
    call_command("sweep", "--rule", "TST-1", "--as-of", "2026-12-01T09:00", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "TST-1" in text and "found 2" in text and "Done" in text
    assert RuleResult.objects.count() == 0
    call_command("sweep", "--rule", "TST-1", "--as-of", "2026-12-01T09:00", stdout=out)
    assert RuleResult.objects.count() == 2
    assert RuleRun.objects.filter(mode="apply").get().as_of == AS_OF


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_record_and_apply_each_breach_once(sample_rule, monkeypatch) -> None:
    monkeypatch.setenv("YX_SWEEP_SLOW", "0.01")
    make_subjects(40)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            run_sweep("TST-1", as_of=AS_OF)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert RuleResult.objects.count() == 40
    assert RuleResult.objects.filter(outcome="applied").count() == 40
    assert Notification.objects.count() == 40
    runs = RuleRun.objects.filter(mode="apply")
    assert sum(runs.values_list("recorded", flat=True)) == 40
    assert sum(runs.values_list("applied", flat=True)) == 40
