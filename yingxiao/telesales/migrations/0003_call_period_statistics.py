"""PostgreSQL: extended statistics on the period buckets of the agent statistics (TEL-4).

Without them the planner takes ``date_trunc(…, started_at AT TIME ZONE …)`` to be as distinct as
``started_at`` itself (a million groups for a month of calls) and sorts the whole month, spilling to
disk, instead of hashing a few hundred (agent, period) groups. The expressions must match the ones
Django writes for TruncDay/TruncWeek/TruncMonth in the project's time zone.
"""

from django.conf import settings
from django.db import migrations

NAME = "telesales_call_period_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tz = str(settings.TIME_ZONE).replace("'", "''")
    buckets = ", ".join(f"(date_trunc('{unit}', started_at AT TIME ZONE '{tz}'))" for unit in ("day", "week", "month"))
    schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {NAME} ON {buckets}, agent_id FROM telesales_calllog")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("telesales", "0002_call_stats_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
