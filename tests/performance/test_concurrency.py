"""DIS-1 on PostgreSQL: two sweeps recording the same breach at once → one violation, one approval."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from yingxiao.approvals.models import Instance
from yingxiao.performance.models import Violation
from yingxiao.performance.services import violation_record


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_dis_1_concurrent_sweeps_record_a_breach_once(personas):
    barrier = threading.Barrier(4)
    ids: list[int] = []
    lock = threading.Lock()

    def sweep() -> None:
        try:
            barrier.wait()
            violation = violation_record(
                actor_or_system=None,
                person=personas.rep,
                rule_id="HR-7",
                evidence="周报迟交",
                amount=50,
                breach_key="HR-7:rep:2025-W23",
            )
            with lock:
                ids.append(violation.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 4 and len(set(ids)) == 1
    assert Violation.objects.count() == 2  # the rep's and the supervisor's share
    assert Instance.objects.count() == 1
