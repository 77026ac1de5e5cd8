"""APR-1 race safety on PostgreSQL: two approvers deciding at once → exactly one transition."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from yingxiao.approvals.models import Decision, Instance
from yingxiao.approvals.services import approval_decide, approval_submit
from yingxiao.core.errors import BusinessError

from .conftest import set_absent


def _race(instance: Instance, deciders: list[tuple[object, str]]) -> list[object]:
    barrier = threading.Barrier(len(deciders))
    results: list[object] = []
    lock = threading.Lock()

    def run(actor: object, decision: str) -> None:
        try:
            barrier.wait()
            approval_decide(actor=actor, instance=Instance.objects.get(pk=instance.pk), decision=decision, note="并发")
            outcome: object = decision
        except BusinessError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=pair) for pair in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_apr_1_two_approvers_at_once_make_exactly_one_transition(personas, expense_type):
    # The head is away with a delegate, yet both the head and the delegate press a button at once.
    set_absent(personas.head, delegate=personas.teammate)
    for round_no in range(5):
        instance = approval_submit(
            actor=personas.rep, request_type=expense_type, subject=personas.other_rep, amount=1, title=f"r{round_no}"
        )
        results = _race(instance, [(personas.head, "approve"), (personas.teammate, "reject")])
        assert sorted(map(str, results)).count("approvals.already_decided") == 1, results
        instance.refresh_from_db()
        decided = instance.decisions.exclude(decision=Decision.Kind.SUBMIT)
        assert decided.count() == 1
        assert instance.version == 1
        winner = decided.get().decision
        expected = Instance.Status.APPROVED if winner == "approve" else Instance.Status.REJECTED
        assert instance.status == expected
