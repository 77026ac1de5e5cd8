"""Daily upkeep of leave (HR-5, ORG-4): people whose approved leave starts today become absent."""

from __future__ import annotations

from crontask import cron
from django.tasks import task


@cron("5 0 * * *")
@task
def sync_leave_absences() -> int:
    """Just after midnight: mark absent everyone whose approved leave covers today (idempotent)."""
    from .leave import leave_sync_absences

    return leave_sync_absences()
