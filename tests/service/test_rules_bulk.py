"""CMP-2 in bulk: the complaint SLA violation sweep records each overdue complaint's violation through
``violation_record_many`` — the same violations as one finding at a time, one event per complaint, a
number of queries that does not grow with the complaints."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yingxiao.performance.models import Violation
from yingxiao.policy import engine, values
from yingxiao.policy.registry import Finding, get_rule, run_sweep
from yingxiao.service.models import ComplaintEvent

from .conftest import make_complaint

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2025, 1, 3, 10, 0, tzinfo=TZ)
LATE = dt.datetime(2025, 1, 6, 18, 1, tzinfo=TZ)  # one minute after the Monday deadline


def _complaints(cmp, customer, n: int) -> list[Any]:
    with time_machine.travel(FRIDAY, tick=False):
        return [make_complaint(cmp.cs, customer, matter=f"第{i}次送货迟到") for i in range(n)]


def _findings(as_of: dt.datetime) -> list[Finding]:
    rule = get_rule("CMP-2")
    render = engine.explainer(rule, values.stored_values(rule.params, at=as_of), as_of)
    return [replace(f, as_of=as_of, explanation=render(dict(f.facts))) for f in rule.check(as_of)]


def _ledger() -> list[tuple[Any, ...]]:
    return sorted(
        (
            v.person_id, v.department_id, v.kind, v.breach_key, v.evidence, v.amount, v.object_id,
            v.approval.title, v.approval.current_approver_id, v.approval.decisions.count(),
        )
        for v in Violation.objects.select_related("approval")
    )  # fmt: skip


def test_cmp_2_bulk_apply_equals_one_by_one(cmp, customer) -> None:
    _complaints(cmp, customer, 4)
    rule = get_rule("CMP-2")
    with time_machine.travel(LATE, tick=False):
        findings = _findings(LATE)
        point = transaction.savepoint_create()
        single = [rule.apply(f) for f in findings]
        one_by_one = (_ledger(), ComplaintEvent.objects.filter(kind="violation").count())
        transaction.savepoint_rollback(point)
        assert not Violation.objects.exists()
        bulk = rule.apply_batch(findings)
        in_bulk = (_ledger(), ComplaintEvent.objects.filter(kind="violation").count())
    assert bulk == single == [True] * 4 and in_bulk == one_by_one
    assert {v[0] for v in in_bulk[0]} == {cmp.head.pk} and in_bulk[1] == 4


def test_cmp_2_sweep_records_each_overdue_complaint_once(cmp, customer) -> None:
    complaints = _complaints(cmp, customer, 3)
    with time_machine.travel(LATE, tick=False):
        assert run_sweep("CMP-2", as_of=LATE).applied == 3
        assert run_sweep("CMP-2", as_of=LATE + dt.timedelta(hours=1)).recorded == 0
    assert Violation.objects.filter(rule_id="CMP-2", kind="own").count() == 3
    assert sorted(Violation.objects.values_list("object_id", flat=True)) == sorted(c.pk for c in complaints)
    for complaint in complaints:
        assert complaint.events.filter(kind=ComplaintEvent.Kind.VIOLATION).count() == 1


def test_cmp_2_bulk_apply_query_count_does_not_grow_with_the_complaints(cmp, customer) -> None:
    _complaints(cmp, customer, 12)
    rule = get_rule("CMP-2")
    with time_machine.travel(LATE, tick=False):
        findings = _findings(LATE)
        rule.apply_batch(findings[:1])  # warm: the approval flow is created on first use
        with CaptureQueriesContext(connection) as few:
            rule.apply_batch(findings[1:3])
        with CaptureQueriesContext(connection) as many:
            rule.apply_batch(findings[3:])
    assert len(many) == len(few)
