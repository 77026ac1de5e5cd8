"""The engine's set-based apply of violation rules (``Rule.violation_sql``, DIS-1): batch by batch in
SQL with the ledger written by ``violation_record_rows`` — pending results (two steps) or, with
``check_sql``, each result written once, decided (one pass); a batch the ledger refuses is rolled back
and applied by the rule's ``apply_batch`` (test-only rule TST-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from tests.factories import UserFactory
from yingxiao.core.models import Notification
from yingxiao.org.models import User
from yingxiao.performance.models import Violation
from yingxiao.policy.models import RuleResult
from yingxiao.policy.registry import Action, ApplySQL, Finding, Rule, get_rule, register, run_sweep, unregister

pytestmark = pytest.mark.django_db
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based apply is PostgreSQL's")
AS_OF = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class LateUsers(Rule):
    """Every active user named ``late-*`` is in breach once per day: a violation of ``fine``."""

    id = "TST-2"
    title = "Sample violation"
    params = ("service_window_days",)
    action = Action.VIOLATE
    subject_model = "org.User"
    explanation = "%(username)s is late."
    batch_size = 2
    fine = "30"
    evidence_sql = "b.explanation"
    sql_check = False  # with ``check_sql``: recorded and applied in one pass

    def check_sql(self, as_of):
        if not self.sql_check:
            return None
        return (
            "SELECT u.id, %s, u.id, jsonb_build_object('username', u.username) FROM org_user AS u "
            "WHERE starts_with(u.username, 'late-') AND u.is_active",
            [as_of.date().isoformat()],
        )

    def check(self, as_of):
        rows = User.objects.filter(username__startswith="late-", is_active=True).order_by("pk")
        for pk, username in rows.values_list("pk", "username"):
            yield Finding(subject_id=pk, key=as_of.date().isoformat(), person_id=pk, facts={"username": username})

    def violation_sql(self, as_of):
        # An event per breach written by the same statement (as CMP-2 writes its complaints' events).
        ctes = f"""breached AS (
                SELECT b.result_id, u.id AS person_id, %(fine)s::numeric AS amount,
                       'TST-2:' || b.subject_id AS breach_key, %(user_type)s::integer AS subject_type_id,
                       u.id AS object_id, {self.evidence_sql} AS evidence
                FROM batch AS b JOIN org_user AS u ON u.id = b.subject_id AND u.is_active
            ), noted AS (
                INSERT INTO core_notification (recipient_id, message, link, created_at)
                SELECT person_id, 'noted', '', now() FROM breached
            )"""
        return ApplySQL(ctes=ctes, params={"fine": self.fine, "user_type": ContentType.objects.get_for_model(User).pk})

    def apply_batch(self, findings):
        from yingxiao.performance.services import Breach, violation_record_many

        people = User.objects.in_bulk([f.subject_id for f in findings])
        breaches = [
            Breach(person=people[f.subject_id], evidence=f.explanation, amount=Decimal(self.fine),
                   subject=people[f.subject_id], breach_key=f"TST-2:{f.subject_id}")
            for f in findings
        ]  # fmt: skip
        violation_record_many(actor_or_system=None, rule_id=self.id, breaches=breaches)
        return [True] * len(findings)

    def apply(self, finding):
        return self.apply_batch([finding])[0]


@pytest.fixture(params=[False, True], ids=["two-step", "one-pass"])
def late_rule(request, personas, monkeypatch):
    """TST-2 registered for one test (found in Python, or by ``check_sql``), with an org whose
    director approves fines."""
    monkeypatch.setattr(LateUsers, "sql_check", request.param)
    register(LateUsers)
    yield LateUsers
    unregister(LateUsers.id)


def _late(n: int) -> list[User]:
    return [UserFactory(username=f"late-{i}") for i in range(n)]


@needs_postgres
def test_violation_sql_applies_batch_by_batch_with_the_rules_own_writes_once(late_rule):
    users = _late(5)
    User.objects.filter(pk=users[4].pk).update(is_active=False)  # found by no check: not recorded
    first = run_sweep("TST-2", as_of=AS_OF)
    assert (first.found, first.recorded, first.applied) == (4, 4, 4)
    owns = Violation.objects.filter(rule_id="TST-2")
    assert sorted(owns.values_list("person_id", flat=True)) == sorted(u.pk for u in users[:4])
    assert {str(v.amount) for v in owns} == {"30.00"} and all(v.approval_id for v in owns)
    assert Notification.objects.filter(message="noted").count() == 4  # the rule's own CTE, once per breach
    times = set(RuleResult.objects.values_list("recorded_at", "decided_at"))
    # One pass: each result inserted decided; two steps: recorded pending, decided later.
    assert all((recorded == decided) == late_rule.sql_check for recorded, decided in times)
    again = run_sweep("TST-2", as_of=AS_OF + dt.timedelta(hours=1))
    assert (again.found, again.recorded, again.applied) == (4, 0, 0)
    assert owns.count() == 4 and Notification.objects.filter(message="noted").count() == 4


@needs_postgres
def test_violation_sql_batch_the_ledger_refuses_is_applied_by_apply_batch(late_rule, monkeypatch):
    monkeypatch.setattr(LateUsers, "evidence_sql", "''")  # no evidence: the ledger refuses the SQL batch
    _late(3)
    result = run_sweep("TST-2", as_of=AS_OF).runs[0]
    assert (result.applied, result.skipped, result.failed) == (3, 0, 0)
    # Recorded by ``apply_batch``, with the finding's explanation; the SQL batch left nothing behind.
    assert all("is late" in v.evidence for v in Violation.objects.filter(rule_id="TST-2"))
    assert Violation.objects.filter(rule_id="TST-2").count() == 3
    assert not Notification.objects.filter(message="noted").exists()


@needs_postgres
def test_violation_sql_batch_refused_in_python_too_fails_each_result(late_rule, monkeypatch):
    monkeypatch.setattr(LateUsers, "fine", "0")  # not a fine: refused by both paths
    _late(3)
    result = run_sweep("TST-2", as_of=AS_OF).runs[0]
    assert (result.applied, result.failed) == (0, 3)
    assert set(RuleResult.objects.values_list("outcome", flat=True)) == {RuleResult.Outcome.FAILED}
    assert not Violation.objects.exists() and not Notification.objects.filter(message="noted").exists()


def test_violation_rule_elsewhere_is_applied_by_apply_batch(late_rule):
    _late(3)
    assert run_sweep("TST-2", as_of=AS_OF).applied == 3
    assert Violation.objects.filter(rule_id="TST-2").count() == 3


def test_a_rule_names_itself():
    assert repr(get_rule("QUO-1")) == "<Rule QUO-1>"
    assert repr(ApplySQL(ctes="x", params={})) == "ApplySQL(ctes='x', params={})"
