"""Generic task upkeep: the reaper of tasks left RUNNING by a dead worker.

django-tasks-db marks a task RUNNING when a worker claims it (``DBTaskResult.claim``) and only
the same worker moves it on. A worker killed with SIGKILL, OOM or a lost machine leaves it
RUNNING forever. The reaper finds tasks RUNNING longer than ``TASKS_STALE_AFTER_MINUTES`` and
returns them to READY (the worker list keeps the attempt), or, after ``TASKS_MAX_ATTEMPTS``
attempts, marks them FAILED with the reason — the same fields ``DBTaskResult.set_failed``
writes. Both are compare-and-set updates, so a worker that does finish wins. Re-running is
safe because every sweep is idempotent. In Redis mode RQ's own registries track dead workers.
"""

from __future__ import annotations

import datetime as dt
from traceback import format_exception
from typing import Any

from crontask import cron
from django.conf import settings
from django.db.models import Func, IntegerField
from django.tasks import task
from django.utils import timezone, translation


class WorkerLost(Exception):
    """The worker running the task disappeared (killed, crashed, machine lost)."""


def _attempts_expression() -> Func:
    # worker_ids is a JSON list with one entry per claim: its length is the number of attempts.
    from django.db import connection

    function = "jsonb_array_length" if connection.vendor == "postgresql" else "json_array_length"
    return Func("worker_ids", function=function, output_field=IntegerField())


def reap_stale_db_tasks(*, stale_after: dt.timedelta | None = None, max_attempts: int | None = None) -> dict[str, int]:
    """Return tasks stuck RUNNING to READY, or fail them after ``max_attempts``; returns the counts."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if stale_after is None:
        stale_after = dt.timedelta(minutes=getattr(settings, "TASKS_STALE_AFTER_MINUTES", 60))
    if max_attempts is None:
        max_attempts = getattr(settings, "TASKS_MAX_ATTEMPTS", 3)
    now = timezone.now()
    stale = DBTaskResult.objects.running().filter(started_at__lt=now - stale_after)
    stale = stale.annotate(attempts=_attempts_expression())
    # Set-based, compare-and-set: only rows still RUNNING and still stale change.
    retried = stale.filter(attempts__lt=max_attempts).update(status=TaskResultStatus.READY)
    error = WorkerLost(f"worker lost: RUNNING for more than {stale_after}, gave up after {max_attempts} attempts")
    failed = stale.filter(attempts__gte=max_attempts).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        return_value=None,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback="".join(format_exception(error)),
    )
    return {"retried": retried, "failed": failed}


@cron("*/5 * * * *")
@task
def reap_stale_tasks() -> dict[str, Any]:
    """Every five minutes: give tasks of dead workers back to the queue (database backend)."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend != "django_tasks_db.DatabaseBackend":
        return {"skipped": backend}
    return reap_stale_db_tasks()


@task
def send_notification_email(notification_id: int) -> bool:
    """E-mail a copy of an in-app notification through Django's mail backend (console by default)."""
    from django.core.mail import send_mail
    from django.utils.translation import gettext

    from .models import Notification

    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or not notification.recipient.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Yingxiao notification")
    body = notification.message
    if notification.link:
        body += "\n\n" + notification.link
    send_mail(subject, body, None, [notification.recipient.email])
    return True
