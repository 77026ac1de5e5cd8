"""Scheduled work of the reports: the weekly summary e-mail (Mondays, 07:30)."""

from __future__ import annotations

from crontask import cron
from django.tasks import task


@cron("30 7 * * Mon")
@task
def send_weekly_summary_emails() -> int:
    """Monday morning: last week's KPI summary to every department head and the director (idempotent)."""
    from .summary import send_weekly_summaries

    return send_weekly_summaries()
