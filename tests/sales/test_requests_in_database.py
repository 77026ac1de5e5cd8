"""QUO-1 inside PostgreSQL: the check as one SELECT (``check_sql``) finds what the Python check finds, and
the set-based apply (``violation_sql``: the engine's batch, the ledger by ``violation_record_rows``)
records exactly the ledger the Python path records — the engineer's violation, the supervisor's double
share (DIS-1), one approval request with its signed submission (HR-8), the approver's notification,
history — with the same compare-and-set and once per breach."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import CustomerFactory
from yingxiao.approvals.models import Decision
from yingxiao.core.models import Notification
from yingxiao.performance.models import Violation
from yingxiao.policy import engine, values
from yingxiao.policy.models import RuleResult, RuleRun
from yingxiao.policy.registry import get_rule, run_sweep
from yingxiao.sales import services
from yingxiao.sales.models import QuoteRequest
from yingxiao.sales.rules import NonstandardQuoteLate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the in-database sweep is PostgreSQL's"),
]

SH = ZoneInfo("Asia/Shanghai")
FRIDAY_5PM = dt.datetime(2025, 3, 7, 17, 0, tzinfo=SH)  # each request is due Monday 17:30
TUESDAY_10AM = dt.datetime(2025, 3, 11, 10, 0, tzinfo=SH)
AS_OF = dt.datetime(2025, 3, 12, 9, 0, tzinfo=SH)


def _request(world, customer) -> QuoteRequest:
    with time_machine.travel(FRIDAY_5PM, tick=False):
        return services.quote_request_create(
            actor=world.p.rep, customer=customer, product=world.product.pk, quantity="1", configuration="加长导轨"
        )


def _answer(world, request: QuoteRequest, when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        services.quote_request_answer(actor=world.quoter, request=request, unit_price="15800")


@pytest.fixture
def requests(world, rep_customer) -> dict[str, QuoteRequest]:
    odd = CustomerFactory(name="百分比%公司 \"引号\" 'x'", owner=world.p.rep, department=world.p.domestic)
    made = {
        "open": _request(world, rep_customer),  # the engineer is frontline: the market head pays double
        "late_answer": _request(world, rep_customer),
        "in_time": _request(world, rep_customer),
        "head": _request(world, rep_customer),  # assigned to the head: no supervisor's share
        "odd_name": _request(world, odd),
        "reassigned": _request(world, rep_customer),  # reassigned after the check: skipped
        "extended": _request(world, rep_customer),  # deadline moved after the check: skipped
    }
    _answer(world, made["late_answer"], TUESDAY_10AM)
    _answer(world, made["in_time"], dt.datetime(2025, 3, 10, 16, 0, tzinfo=SH))
    QuoteRequest.objects.filter(pk=made["head"].pk).update(assignee=world.market_head)
    return made


def _after_the_check(world, requests: dict[str, QuoteRequest]) -> None:
    QuoteRequest.objects.filter(pk=requests["reassigned"].pk).update(assignee=world.market_head)
    QuoteRequest.objects.filter(pk=requests["extended"].pk).update(due_at=AS_OF + dt.timedelta(days=1))


def _sweep(world, requests, monkeypatch, *, in_database: bool) -> engine.RunSummary:
    """Record, change two requests, apply — through the SQL path or the Python one."""
    rule = get_rule("QUO-1")
    if not in_database:
        monkeypatch.setattr(NonstandardQuoteLate, "check_sql", lambda self, as_of: None)
        monkeypatch.setattr(NonstandardQuoteLate, "violation_sql", lambda self, as_of: None)
    params = values.stored_values(rule.params, at=AS_OF)
    run = RuleRun.objects.create(rule_id=rule.id, as_of=AS_OF, mode=RuleRun.Mode.APPLY, params=params)
    summary = engine.RunSummary(rule_id=rule.id, run_id=run.pk, mode=run.mode)
    with translation.override(settings.LANGUAGE_CODE):
        in_db = engine._in_database(rule, AS_OF, params)
        assert (in_db is not None) == in_database
        if in_db is not None:
            engine._record_sql(rule, run, summary, params, in_db)
        else:
            engine._record(rule, run, summary, params, None)
        _after_the_check(world, requests)
        with CaptureQueriesContext(connection) as queries:
            engine._apply_pending(rule, summary, None)
    batches = [q for q in queries if q["sql"].startswith("WITH batch AS")]
    assert len(batches) == (1 if in_database else 0)  # the whole pending set is one batch of ``violation_sql``
    monkeypatch.undo()
    return summary


def _state() -> dict[str, Any]:
    """The ledger, the rule results and the notifications, without ids and times."""
    key_of = {v.approval_id: v.breach_key for v in Violation.objects.filter(kind=Violation.Kind.OWN)}
    violations = []
    for v in Violation.objects.select_related("approval", "origin").order_by("breach_key"):
        request = v.approval
        violations.append(
            (
                v.person_id,
                v.department_id,
                v.rule_id,
                v.kind,
                v.origin.breach_key if v.origin else None,
                v.evidence,
                v.amount,
                v.breach_key,
                v.status,
                (v.content_type_id, v.object_id),
                v.recorded_by_id,
                (
                    request.request_type,
                    request.flow_id,
                    request.title,
                    request.department_id,
                    request.amount,
                    request.note,
                    request.status,
                    request.current_step_id,
                    request.current_approver_id,
                    request.requester_id,
                    request.object_id == (v.origin_id or v.pk),
                ),
                list(v.history.values_list("history_type", "status", "approval_id", "evidence", "amount")),
                [
                    (d.decision, d.actor_id, d.note, d.step_order, d.verify())
                    for d in Decision.objects.filter(instance=request).order_by("pk")
                ],
            )
        )
    results = list(
        RuleResult.objects.order_by("breach_key").values_list(
            "breach_key", "subject_id", "person_id", "outcome", "outcome_note", "explanation", "inputs"
        )
    )
    notes = sorted(
        (n.recipient_id, n.actor_id, n.message, key_of.get(int(n.link.strip("/").rsplit("/", 1)[-1])))
        for n in Notification.objects.filter(link__contains="approvals")
    )
    return {"violations": violations, "results": results, "notifications": notes}


def test_quo_1_check_sql_finds_what_the_python_check_finds(requests):
    rule = get_rule("QUO-1")
    sql, params = rule.check_sql(AS_OF)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = sorted((pk, key, person, json.loads(facts)) for pk, key, person, facts in cursor.fetchall())
    expected = sorted((f.subject_id, f.key, f.person_id, engine._jsonable(dict(f.facts))) for f in rule.check(AS_OF))
    assert found == expected
    assert len(found) == 6  # all but the request answered in time
    late_answer = next(facts for pk, _k, _p, facts in found if pk == requests["late_answer"].pk)
    assert late_answer["answered"] == "2025-03-11 10:00" and late_answer["due"] == "2025-03-10 17:30"
    assert next(facts for pk, _k, _p, facts in found if pk == requests["open"].pk)["answered"] == "—"


def test_quo_1_sweep_in_the_database_records_the_ledger_of_the_python_path(
    world, requests, monkeypatch, django_capture_on_commit_callbacks
):
    from yingxiao.approvals.registry import get_request_type
    from yingxiao.approvals.services import flow_for
    from yingxiao.performance.services import VIOLATION_REQUEST

    flow_for(get_request_type(VIOLATION_REQUEST))  # created on first use: once, outside the savepoint
    point = transaction.savepoint_create()
    with django_capture_on_commit_callbacks(execute=True):
        in_python = _sweep(world, requests, monkeypatch, in_database=False)
    python_state = _state()
    transaction.savepoint_rollback(point)
    assert not Violation.objects.exists() and not RuleResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        in_sql = _sweep(world, requests, monkeypatch, in_database=True)
    sql_state = _state()
    counts = ("found", "recorded", "applied", "skipped", "failed")
    assert [getattr(in_sql, c) for c in counts] == [getattr(in_python, c) for c in counts] == [6, 6, 4, 2, 0]
    assert sql_state == python_state
    # The engineer's three violations, the market head's three doubled shares and own one request.
    engineer = Violation.objects.filter(person=world.quoter, kind=Violation.Kind.OWN)
    assert engineer.count() == 3 and {str(v.amount) for v in engineer} == {"50.00"}
    shares = Violation.objects.filter(kind=Violation.Kind.SUPERVISOR)
    assert shares.count() == 3 and {(s.person, str(s.amount)) for s in shares} == {(world.market_head, "100.00")}
    assert Violation.objects.get(person=world.market_head, kind=Violation.Kind.OWN).object_id == requests["head"].pk
    assert len(sql_state["notifications"]) == 4
    skipped = RuleResult.objects.filter(outcome=RuleResult.Outcome.SKIPPED).values_list("subject_id", flat=True)
    assert set(skipped) == {requests["reassigned"].pk, requests["extended"].pk}


def test_quo_1_sweep_in_one_pass_records_the_ledger_of_the_python_path(
    world, requests, monkeypatch, django_capture_on_commit_callbacks
):
    """``run_sweep``: with ``check_sql`` and ``violation_sql`` each result is written once, decided."""
    from yingxiao.approvals.registry import get_request_type
    from yingxiao.approvals.services import flow_for
    from yingxiao.performance.services import VIOLATION_REQUEST

    flow_for(get_request_type(VIOLATION_REQUEST))
    point = transaction.savepoint_create()
    monkeypatch.setattr(NonstandardQuoteLate, "check_sql", lambda self, as_of: None)
    monkeypatch.setattr(NonstandardQuoteLate, "violation_sql", lambda self, as_of: None)
    with django_capture_on_commit_callbacks(execute=True):
        in_python = run_sweep("QUO-1", as_of=AS_OF).runs[0]
    python_state = _state()
    monkeypatch.undo()
    transaction.savepoint_rollback(point)
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        in_sql = run_sweep("QUO-1", as_of=AS_OF).runs[0]
    assert not [q for q in queries if "UPDATE" in q["sql"] and "policy_ruleresult" in q["sql"]]  # written once
    counts = ("found", "recorded", "applied", "skipped", "failed")
    assert [getattr(in_sql, c) for c in counts] == [getattr(in_python, c) for c in counts] == [6, 6, 6, 0, 0]
    assert _state() == python_state
    assert RuleResult.objects.filter(outcome=RuleResult.Outcome.APPLIED, decided_at__isnull=False).count() == 6


def test_quo_1_sweep_in_the_database_twice_records_each_breach_once(world, requests):
    first = run_sweep("QUO-1", as_of=AS_OF)
    assert (first.found, first.recorded, first.applied) == (6, 6, 6)
    count = Violation.objects.count()
    again = run_sweep("QUO-1", as_of=AS_OF + dt.timedelta(hours=1))
    assert (again.found, again.recorded, again.applied) == (6, 0, 0)
    assert Violation.objects.count() == count == 6 + 5  # the head's own has no supervisor's share
    # A result left pending (a worker lost before applying it) is applied once, not recorded twice.
    result = RuleResult.objects.get(subject_id=requests["open"].pk)
    Violation.objects.filter(breach_key=f"QUO-1:request:{requests['open'].pk}#supervisor").delete()
    Violation.objects.filter(breach_key=f"QUO-1:request:{requests['open'].pk}").delete()
    RuleResult.objects.filter(pk=result.pk).update(outcome=RuleResult.Outcome.PENDING)
    resumed = run_sweep("QUO-1", as_of=AS_OF + dt.timedelta(hours=2))
    assert (resumed.recorded, resumed.applied) == (0, 1)
    assert Violation.objects.count() == count
