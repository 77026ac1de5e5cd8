"""The stale-task reaper (core/tasks.py): tasks of dead db workers go back to READY or fail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yingxiao.core.tasks import reap_stale_db_tasks, reap_stale_tasks
from yingxiao.policy.tasks import run_rule_sweep


def _running(minutes_ago: int, attempts: int) -> DBTaskResult:
    result = run_rule_sweep.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = "RUNNING"
    row.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    row.worker_ids = [f"w{i}" for i in range(attempts)]
    row.save()
    return row


@pytest.mark.django_db
def test_reaper_returns_stale_tasks_and_fails_them_after_max_attempts(settings) -> None:
    settings.TASKS_STALE_AFTER_MINUTES = 60
    settings.TASKS_MAX_ATTEMPTS = 3
    fresh = _running(5, 1)
    stale = _running(90, 1)
    hopeless = _running(90, 3)
    assert reap_stale_db_tasks() == {"retried": 1, "failed": 1}
    fresh.refresh_from_db()
    stale.refresh_from_db()
    hopeless.refresh_from_db()
    assert fresh.status == "RUNNING"
    assert stale.status == "READY" and stale.worker_ids == ["w0"]
    assert hopeless.status == "FAILED" and hopeless.finished_at is not None
    assert hopeless.exception_class_path == "yingxiao.core.tasks.WorkerLost"
    assert "worker lost" in hopeless.traceback
    assert hopeless.task_result.errors  # the library reads it back as a failed task
    assert reap_stale_db_tasks() == {"retried": 0, "failed": 0}  # idempotent


@pytest.mark.django_db
def test_reaper_task_is_a_cron_task_and_runs_through_django_tasks() -> None:
    from crontask import scheduler

    names = {job.name for job in scheduler.get_jobs()}
    assert {"reap_stale_tasks", "run_rule_sweep"} <= names
    result = reap_stale_tasks.using(backend="immediate").enqueue()
    assert result.return_value == {"retried": 0, "failed": 0}
