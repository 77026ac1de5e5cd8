"""The HR-7 checks as SQL (PostgreSQL): the policy engine records their findings with one
``INSERT … SELECT`` and no row through Python (``policy.registry.Rule.check_sql``).

The owed (kind, period, deadline) triples are computed in Python by ``reports.Deadlines`` exactly as
for the streamed check (policy values and business calendar as of the sweep) and travel as array
parameters with their texts (the kind's label in the active language, the deadline in local time);
the people are ``reports.owing_people`` as a subquery. Only the models' own table and column names
are interpolated into the SQL; every value is a parameter.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from .models import Leave, WorkReport
from .reports import DAILY, owing_people

if TYPE_CHECKING:
    from yingxiao.policy.registry import ApplySQL

# (person, kind, period) owed with no report (``on_time``: no report submitted on time), not for
# periods up to the day of joining, daily reports not on a day of approved leave. Columns as
# ``Rule.check_sql``: subject_id, key, person_id, facts. The owed periods are arrays (``unnest`` of a
# constant array is estimated at its true length); the reports are also restricted to the owed
# periods' starts as such, and the leaves to those overlapping the daily periods, so the planner
# reads only those, never the whole tables.
_LATE_SQL = """
SELECT p.id, o.kind || ':' || o.period, p.id,
       jsonb_build_object('person', p.name, 'kind', o.label, 'period', o.period, 'due', o.due)
FROM unnest(%s::text[], %s::date[], %s::text[], %s::text[], %s::text[], %s::boolean[])
     AS o(kind, start, period, label, due, daily)
CROSS JOIN ({people}) AS p(id, name, joined)
WHERE o.start > (p.joined AT TIME ZONE %s)::date
  AND NOT EXISTS (
      SELECT 1 FROM {report} AS w
      WHERE w.{r_person} = p.id AND w.{r_kind} = o.kind AND w.{r_start} = o.start
        AND w.{r_start} = ANY(%s::date[]) {on_time})
  AND NOT EXISTS (
      SELECT 1 FROM {leave} AS l
      WHERE o.daily AND l.{l_person} = p.id AND l.{l_status} = %s AND l.{l_start} <= o.start AND l.{l_end} >= o.start
        AND l.{l_start} <= %s AND l.{l_end} >= %s)
"""


def _column(model: type[Any], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def reports_missing_sql(owed: list[tuple[str, dt.date, dt.datetime]], *, late_counts: bool) -> tuple[str, list[Any]]:
    """rule: HR-7 — ``rules._report_findings`` for the ``owed`` periods as one SELECT.

    ``late_counts``: a report submitted after its deadline still breaches (the violation); for the
    reminder any submission settles it."""
    labels = dict(WorkReport.Kind.choices)
    kinds = [kind for kind, _start, _due in owed]
    starts = [start for _kind, start, _due in owed]
    owed_arrays = [
        kinds,
        starts,
        [start.isoformat() for start in starts],
        [str(labels[kind]) for kind in kinds],
        [timezone.localtime(due).strftime("%Y-%m-%d %H:%M") for _kind, _start, due in owed],
        [kind in DAILY for kind in kinds],
    ]
    people, people_params = (
        owing_people().order_by().values_list("pk", "display_name", "date_joined").query.sql_with_params()
    )
    quote = connection.ops.quote_name
    on_time = f"AND w.{_column(WorkReport, 'is_late')} = false" if late_counts else ""
    sql = _LATE_SQL.format(
        people=people,
        report=quote(WorkReport._meta.db_table),
        r_person=_column(WorkReport, "person"),
        r_kind=_column(WorkReport, "kind"),
        r_start=_column(WorkReport, "period_start"),
        on_time=on_time,
        leave=quote(Leave._meta.db_table),
        l_person=_column(Leave, "person"),
        l_status=_column(Leave, "status"),
        l_start=_column(Leave, "start_date"),
        l_end=_column(Leave, "end_date"),
    )
    zone = timezone.get_current_timezone_name()
    days = [start for kind, start, _due in owed if kind in DAILY] or [dt.date.min]
    return sql, [
        *owed_arrays, *people_params, zone, sorted(set(starts)), Leave.Status.APPROVED, max(days), min(days),
    ]  # fmt: skip


def late_report_apply_sql(*, fine: Any) -> ApplySQL:
    """rule: HR-7 — ``rules.ReportLate.apply_batch`` as SQL (``Rule.violation_sql``): a result is still
    in breach unless an on-time report of its (person, kind, period) — named by its breach key — is
    there now; the violation is the author's at ``fine``, about the late report if there is one,
    keyed ``HR-7:report:<breach key>`` (the frontline author's superior's share comes with it)."""
    from django.contrib.contenttypes.models import ContentType

    from yingxiao.policy.registry import ApplySQL

    quote = connection.ops.quote_name
    # The breach key (``batch.breach_key``) is ``person:kind:period start``. Per result one lookup of
    # its report, by index (``LATERAL … OFFSET 0``: a freshly recorded batch is estimated at a row
    # or so, and a join planned for that would scan the reports once per result). Only the models'
    # own table and column names are interpolated; every value is a parameter.
    report_id, is_late = _column(WorkReport, "id"), _column(WorkReport, "is_late")
    ctes = f"""breached AS (
            SELECT b.result_id, b.person_id, %(fine)s::numeric AS amount, %(key)s || r.breach_key AS breach_key,
                   CASE WHEN w.id IS NOT NULL THEN %(subject_type)s::integer END AS subject_type_id,
                   w.id AS object_id, b.explanation AS evidence
            FROM batch AS b
            CROSS JOIN LATERAL (SELECT b.breach_key) AS r
            LEFT JOIN LATERAL (
                SELECT w.{report_id} AS id, w.{is_late} AS is_late
                FROM {quote(WorkReport._meta.db_table)} AS w
                WHERE w.{_column(WorkReport, "person")} = b.person_id
                  AND w.{_column(WorkReport, "kind")} = split_part(r.breach_key, ':', 2)
                  AND w.{_column(WorkReport, "period_start")} = split_part(r.breach_key, ':', 3)::date
                OFFSET 0
            ) AS w ON true
            WHERE b.person_id IS NOT NULL AND (w.id IS NULL OR w.is_late)
        )"""  # noqa: S608
    return ApplySQL(
        ctes=ctes,
        params={"fine": fine, "key": "HR-7:report:", "subject_type": ContentType.objects.get_for_model(WorkReport).pk},
    )
