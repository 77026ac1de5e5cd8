"""DIS-1 in bulk: ``violation_record_many`` records exactly what ``violation_record`` records one by
one — the violation, the frontline person's supervisor's double share, one approval request with its
signed submission (HR-8), the approver's notification — in a number of queries that does not grow
with the number of breaches."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory
from yingxiao.approvals.models import Decision
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.performance.models import Violation
from yingxiao.performance.services import (
    Breach,
    LedgerRow,
    violation_record,
    violation_record_many,
    violation_record_rows,
)

from .conftest import approve

pytestmark = pytest.mark.django_db


def _breaches(personas, prefix: str, subjects: list[Any]) -> list[Breach]:
    people = [personas.rep, personas.teammate, personas.head, personas.other_rep, personas.rep]
    return [
        Breach(
            person=person,
            evidence=f"第{i}次迟交报告",
            amount="50" if i % 2 else "20.005",
            subject=subjects[i],
            breach_key=f"{prefix}:{i}" if i != 4 else "",
        )
        for i, person in enumerate(people)
    ]


def _record(violation: Violation) -> dict[str, Any]:
    """Everything about a violation and its approval except ids, times and the breach-key prefix."""
    instance = violation.approval
    return {
        "person": violation.person_id,
        "department": violation.department_id,
        "rule": violation.rule_id,
        "kind": violation.kind,
        "origin_person": violation.origin.person_id if violation.origin else None,
        "evidence": violation.evidence,
        "amount": violation.amount,
        "key": violation.breach_key.partition(":")[2],
        "status": violation.status,
        "subject": (violation.content_type_id, violation.object_id),
        "recorded_by": violation.recorded_by_id,
        "approval": (
            instance.request_type,
            instance.flow_id,
            instance.title,
            instance.department_id,
            instance.amount,
            instance.note,
            instance.status,
            instance.current_step_id,
            instance.current_approver_id,
            instance.requester_id,
            instance.object_id == (violation.origin_id or violation.pk),
        ),
        "history": list(violation.history.values_list("history_type", "status", "approval_id")),
        "trail": [
            (d.decision, d.actor_id, d.note, d.step_order, d.verify())
            for d in Decision.objects.filter(instance=instance).order_by("pk")
        ],
    }


def _records(violations: list[Violation]) -> list[dict[str, Any]]:
    rows = []
    for own in violations:
        own.refresh_from_db()
        rows.append(_record(own))
        rows.extend(_record(share) for share in Violation.objects.filter(origin=own).order_by("pk"))
    return rows


def test_dis_1_bulk_and_single_paths_record_identical_violations(personas, django_capture_on_commit_callbacks):
    subjects = [CustomerFactory(owner=personas.rep) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        single = [
            violation_record(
                actor_or_system=None,
                person=b.person,
                rule_id="HR-7",
                evidence=b.evidence,
                amount=b.amount,
                subject=b.subject,
                breach_key=b.breach_key,
            )
            for b in _breaches(personas, "single", subjects)
        ]
    single_notes = list(Notification.objects.order_by("pk").values_list("recipient", "message"))
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        bulk = violation_record_many(
            actor_or_system=None, rule_id="HR-7", breaches=_breaches(personas, "bulk", subjects)
        )
    bulk_notes = list(Notification.objects.order_by("pk").values_list("recipient", "message"))
    assert _records(bulk) == _records(single)
    # rep, teammate and other_rep are frontline: their superiors pay double; the head does not.
    assert Violation.objects.filter(kind=Violation.Kind.SUPERVISOR).count() == 2 * 4
    share = Violation.objects.get(origin=bulk[0])
    assert (share.person, share.amount) == (personas.head, 2 * bulk[0].amount)
    assert str(bulk[0].amount) == "20.01"  # rounded to the cent, as one by one
    assert bulk_notes == single_notes and len(bulk_notes) == 5
    assert all(recipient == personas.director.pk for recipient, _message in bulk_notes)


def test_dis_1_bulk_breach_key_records_each_breach_once(personas):
    first = violation_record(actor_or_system=None, person=personas.rep, rule_id="HR-7", evidence="x", amount=50,
                             breach_key="k:1")  # fmt: skip
    again = violation_record_many(
        actor_or_system=None,
        rule_id="HR-7",
        breaches=[
            Breach(person=personas.rep, evidence="x", amount=50, breach_key="k:1"),  # recorded before
            Breach(person=personas.teammate, evidence="y", amount=50, breach_key="k:2"),
            Breach(person=personas.teammate, evidence="y", amount=50, breach_key="k:2"),  # twice in the batch
        ],
    )
    assert again[0] == first and again[1] == again[2] and again[1].pk != first.pk
    assert Violation.objects.filter(kind=Violation.Kind.OWN).count() == 2
    before = Violation.objects.count()
    repeat = Breach(person=personas.teammate, evidence="y", amount=50, breach_key="k:2")
    assert violation_record_many(actor_or_system=None, rule_id="HR-7", breaches=[repeat]) == [again[1]]
    assert Violation.objects.count() == before


def test_dis_1_bulk_violations_approve_and_flag_repeat_offences_like_single(personas, hr):
    owns = violation_record_many(
        actor_or_system=None,
        rule_id="HR-7",
        breaches=[Breach(person=personas.rep, evidence=f"第{i}次", amount=50, breach_key=f"r:{i}") for i in range(3)],
    )
    for own in owns:
        approve(personas, own)
    flagged = [Violation.objects.get(pk=own.pk).repeat_flagged for own in owns]
    assert flagged == [False, False, True]  # repeat_offence_count = 3 within repeat_offence_days
    share = Violation.objects.get(origin=owns[0])
    assert share.status == Violation.Status.APPROVED and share.approval_id == owns[0].approval_id


def test_dis_1_bulk_query_count_does_not_grow_with_the_breaches(personas):
    def run(n: int, prefix: str) -> int:
        breaches = [
            Breach(
                person=[personas.rep, personas.other_rep][i % 2], evidence="x", amount=50, breach_key=f"{prefix}:{i}"
            )
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            violation_record_many(actor_or_system=None, rule_id="HR-7", breaches=breaches)
        return len(queries)

    run(2, "warm")  # the flow is created on first use
    assert run(4, "small") == run(40, "large")


def test_dis_1_bulk_bad_input_or_out_of_scope_records_nothing(personas):
    good = Breach(person=personas.rep, evidence="x", amount=50, breach_key="b:1")
    for breaches, rule, code in (
        ([good, Breach(person=personas.teammate, evidence=" ", amount=50)], "HR-7", "performance.no_evidence"),
        ([good, Breach(person=personas.teammate, evidence="x", amount=-1)], "HR-7", "performance.bad_amount"),
        ([good], "no rule", "performance.bad_rule"),
    ):
        with pytest.raises(BusinessError) as refused:
            violation_record_many(actor_or_system=None, rule_id=rule, breaches=breaches)
        assert refused.value.code == code
    with pytest.raises(BusinessError) as refused:  # a head records for their own department only
        violation_record_many(
            actor_or_system=personas.head,
            rule_id="HR-7",
            breaches=[good, Breach(person=personas.other_rep, evidence="x", amount=50)],
        )
    assert refused.value.code == "performance.not_your_staff"
    assert not Violation.objects.exists()
    [own] = violation_record_many(actor_or_system=personas.head, rule_id="HR-7", breaches=[good])
    assert own.recorded_by == personas.head and own.approval.requester == personas.head


def test_dis_1_bulk_supervisors_walk_up_vacant_and_left_posts_like_supervisor_of(personas):
    from yingxiao.org.models import Assignment, User
    from yingxiao.performance.services import _Answerable, supervisor_of

    people = [personas.rep, personas.teammate, personas.head, personas.other_rep, personas.director]

    def both() -> tuple[list[Any], list[Any]]:
        batch = _Answerable()
        batch.load({p.pk for p in people})
        found = batch.supervisors(people)
        return [found[p.pk] for p in people], [supervisor_of(p) for p in people]

    bulk, single = both()
    assert bulk == single == [personas.head, personas.head, personas.director, personas.director, None]
    User.objects.filter(pk=personas.head.pk).update(status=User.Status.LEFT)  # left: passed over
    bulk, single = both()
    assert bulk == single and bulk[0] == personas.director
    Assignment.objects.filter(user=personas.head).delete()  # the head's post vacant: up one more
    bulk, single = both()
    assert bulk == single and bulk[:2] == [personas.director, personas.director]


def test_dis_1_bulk_tells_an_absent_approvers_delegate_like_single(personas, django_capture_on_commit_callbacks):
    from yingxiao.org.models import User

    User.objects.filter(pk=personas.director.pk).update(status=User.Status.ABSENT, delegate=personas.head)
    subjects = [CustomerFactory(owner=personas.rep) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        for b in _breaches(personas, "single", subjects):
            violation_record(actor_or_system=None, person=b.person, rule_id="HR-7", evidence=b.evidence,
                             amount=b.amount, subject=b.subject, breach_key=b.breach_key)  # fmt: skip
    single = list(Notification.objects.order_by("pk").values_list("recipient", "actor", "message"))
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        violation_record_many(actor_or_system=None, rule_id="HR-7", breaches=_breaches(personas, "bulk", subjects))
    bulk = list(Notification.objects.order_by("pk").values_list("recipient", "actor", "message"))
    assert bulk == single
    assert {recipient for recipient, _actor, _message in bulk} == {personas.director.pk, personas.head.pk}


# --- breaches given by ids (``violation_record_rows``: the engine's set-based apply) -----------------
def _rows(breaches: list[Breach]) -> list[LedgerRow]:
    from django.contrib.contenttypes.models import ContentType

    return [
        LedgerRow(
            person_id=b.person.pk,
            evidence=b.evidence,
            amount=b.amount,
            breach_key=b.breach_key,
            subject_type_id=ContentType.objects.get_for_model(b.subject).pk if b.subject is not None else None,
            object_id=b.subject.pk if b.subject is not None else None,
        )
        for b in breaches
    ]


def test_dis_1_rows_and_bulk_paths_record_identical_violations(personas, django_capture_on_commit_callbacks):
    subjects = [CustomerFactory(owner=personas.rep) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        bulk = violation_record_many(
            actor_or_system=None, rule_id="HR-7", breaches=_breaches(personas, "bulk", subjects)
        )
    bulk_notes = list(Notification.objects.order_by("pk").values_list("recipient", "actor", "message"))
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        ids = violation_record_rows(
            actor_or_system=None, rule_id="HR-7", rows=_rows(_breaches(personas, "rows", subjects))
        )
    rows_notes = list(Notification.objects.order_by("pk").values_list("recipient", "actor", "message"))
    assert _records(list(Violation.objects.filter(pk__in=ids).order_by("pk"))) == _records(bulk)
    assert rows_notes == bulk_notes and len(rows_notes) == 5
    link = Notification.objects.order_by("pk").first().link
    assert link.endswith(f"/{Violation.objects.get(pk=ids[0]).approval_id}/")  # the request's own page


def test_dis_1_rows_record_each_breach_key_once_and_return_the_existing(personas):
    first = violation_record(actor_or_system=None, person=personas.rep, rule_id="HR-7", evidence="x", amount=50,
                             breach_key="k:1")  # fmt: skip
    rows = [
        LedgerRow(personas.rep.pk, "x", 50, "k:1"),  # recorded before
        LedgerRow(personas.teammate.pk, "y", "20.005", "k:2"),
        LedgerRow(personas.teammate.pk, "y", "20.005", "k:2"),  # twice in the rows
        LedgerRow(personas.head.pk, " z ", 50),  # no key: always new
    ]
    ids = violation_record_rows(actor_or_system=None, rule_id="HR-7", rows=rows)
    assert ids[0] == first.pk and ids[1] == ids[2] != first.pk and ids[3] not in ids[:3]
    assert Violation.objects.get(pk=ids[1]).amount == Decimal("20.01")
    assert Violation.objects.get(pk=ids[3]).evidence == "z"
    before = Violation.objects.count()
    again = violation_record_rows(actor_or_system=None, rule_id="HR-7", rows=rows[:3])
    assert again == ids[:3] and Violation.objects.count() == before


def test_dis_1_rows_bad_input_or_out_of_scope_records_nothing(personas):
    good = LedgerRow(personas.rep.pk, "x", 50, "b:1")
    for rows, actor, code in (
        ([good, LedgerRow(personas.teammate.pk, " ", 50)], None, "performance.no_evidence"),
        ([good, LedgerRow(personas.teammate.pk, "x", 0)], None, "performance.bad_amount"),
        ([good, LedgerRow(personas.other_rep.pk, "x", 50)], personas.head, "performance.not_your_staff"),
    ):
        with pytest.raises(BusinessError) as refused:
            violation_record_rows(actor_or_system=actor, rule_id="HR-7", rows=rows)
        assert refused.value.code == code
    assert not Violation.objects.exists()


def test_dis_1_rows_query_count_does_not_grow_with_the_breaches(personas):
    def run(n: int, prefix: str) -> int:
        rows = [
            LedgerRow([personas.rep, personas.other_rep][i % 2].pk, f"第{i}次", 50, f"{prefix}:{i}") for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            violation_record_rows(actor_or_system=None, rule_id="HR-7", rows=rows)
        return len(queries)

    run(2, "warm")  # the flow is created on first use
    assert run(4, "small") == run(40, "large")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL array literals")
def test_dis_1_array_literal_reads_back_every_value_unchanged():
    from yingxiao.core.sql import array_literal

    texts = ['引号"与\\反斜杠', "逗号,与{花括号}", " 空格 ", "NULL", "", None, "多行\n文本", "'单引号'"]
    numbers = [1, None, -7, 2**62]
    amounts = [Decimal("20.01"), Decimal("1E+2"), None]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::bigint[], %s::numeric[]",
            [array_literal(texts, "text"), array_literal(numbers, "bigint"), array_literal(amounts, "numeric")],
        )
        assert cursor.fetchone() == (texts, numbers, amounts)
