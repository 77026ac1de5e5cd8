"""SLA clocks of complaints on the business calendar (CMP-2, CMP-5) and who answers for them.

A deadline of *n* days is the end of the n-th working day after the day of intake (Asia/Shanghai,
business calendar with holidays and 调休 make-up days): a complaint received on Friday with
``complaint_assign_days = 1`` is due on Monday at the end of the working day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.org.models import Assignment, Department, User
from yingxiao.org.selectors import superior_of
from yingxiao.policy.values import policy_value

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from yingxiao.policy.registry import ApplySQL

    from .models import Complaint


def end_of_workday_after(calendar: BusinessCalendar, start: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th working day after the local day of ``start``."""
    day = calendar.add_workdays(timezone.localtime(start, calendar.tz).date(), days)
    closing = calendar.periods[-1][1]
    return dt.datetime.combine(day, closing, tzinfo=calendar.tz)


def deadlines(received_at: dt.datetime, calendar: BusinessCalendar | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(responsibility due, closing due) for a complaint received at ``received_at``.

    rule: CMP-2 — ``complaint_assign_days`` working days; rule: CMP-5 — ``complaint_close_days``.
    The policy in force at the time of the complaint applies.
    """
    calendar = calendar or BusinessCalendar.load()
    assign_days = int(policy_value("complaint_assign_days", at=received_at))
    close_days = int(policy_value("complaint_close_days", at=received_at))
    return (
        end_of_workday_after(calendar, received_at, assign_days),
        end_of_workday_after(calendar, received_at, close_days),
    )


def reminder_horizon(as_of: dt.datetime, calendar: BusinessCalendar | None = None) -> dt.datetime:
    """Deadlines up to this moment get a reminder: ``complaint_sla_lead_hours`` working hours ahead."""
    calendar = calendar or BusinessCalendar.load()
    return calendar.add_working_hours(as_of, float(policy_value("complaint_sla_lead_hours", at=as_of)))


def head_post_holders_many(department_ids: Iterable[int]) -> dict[int, list[User]]:
    """``head_post_holders`` of many departments at once: two queries whatever their number."""
    wanted = set(department_ids)
    parent_of = dict(Department.objects.values_list("pk", "parent_id"))
    chains: dict[int, list[int]] = {}
    for pk in wanted:
        chain: list[int] = []
        department: int | None = pk if pk in parent_of else None
        while department is not None and department not in chain:
            chain.append(department)
            department = parent_of.get(department)
        chains[pk] = chain
    posts = (
        Assignment.objects.filter(
            ended_on__isnull=True,
            position__is_head=True,
            position__is_active=True,
            position__department_id__in={d for chain in chains.values() for d in chain},
        )
        .select_related("user", "position")
        # posts in their order, each post's holders primary first (``holders``)
        .order_by("position__sort_order", "position_id", "-is_primary", "started_on", "pk")
    )
    present: dict[int, list[User]] = {}
    for assignment in posts:
        user = assignment.user
        if user.is_active and user.status != User.Status.LEFT:
            present.setdefault(assignment.position.department_id, []).append(user)
    return {pk: next((present[d] for d in chain if d in present), []) for pk, chain in chains.items()}


def head_post_holders(department: Department | None) -> list[User]:
    """Holders of the department's head post (present or not), walking up to a parent when it is vacant.

    The head stays answerable while away (violations are theirs); reminders go to whoever can act.
    """
    if department is None:
        return []
    return head_post_holders_many([department.pk])[department.pk]


def responsible_head(department: Department | None) -> User | None:
    """The head who answers for the responsible department (CMP-2/CMP-5 violations go to them)."""
    people = head_post_holders(department)
    return people[0] if people else None


def responsible_heads(department_ids: Iterable[int]) -> dict[int, User | None]:
    """``responsible_head`` of many departments (by id) at once."""
    return {pk: people[0] if people else None for pk, people in head_post_holders_many(department_ids).items()}


def _acting(people: list[User]) -> User | None:
    for person in people:
        if person.is_available():
            return person
    for person in people:
        delegate = person.delegate
        if delegate is not None and delegate.is_available():
            return delegate
    return superior_of(people[0]) if people else None


def acting_head(department: Department | None) -> User | None:
    """Who receives a reminder for the department: its head at work, else (ORG-4) their delegate or superior."""
    return _acting(head_post_holders(department))


def acting_heads(department_ids: Iterable[int]) -> dict[int, User | None]:
    """``acting_head`` of many departments (by id) at once."""
    return {pk: _acting(people) for pk, people in head_post_holders_many(department_ids).items()}


def escalation_target(department: Department | None) -> User | None:
    """rule: ORG-4 — a breach goes to the head's direct superior (skipping absent or vacant posts)."""
    head = responsible_head(department)
    return superior_of(head) if head is not None else None


# --- the SLA checks as SQL (PostgreSQL: the engine records their findings in the database) --------
def _iso(column: str) -> str:
    """SQL for Python's ``isoformat()`` of the UTC datetime in ``column`` (as Django reads it)."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END || '+00:00'"
    )


# A clock rule's findings (``rules._ComplaintClock.check``) as one SELECT over the complaints the rule
# selects (``inner``): the key ``stage:deadline`` with the deadline as Python's ``isoformat`` of the
# UTC value (microseconds only when there are some), the facts with the deadline in local time, and
# who answers for each department (computed in Python, once per department, passed as JSON: ``m``).
# A complaint whose department is not in ``m`` (moved there since it was read) is found next time.
_CLOCK_SQL = f"""
SELECT c.id,
       %s || {_iso("c.due")},
       m.person_id,
       jsonb_build_object('complaint', c.id, 'customer', c.customer,
                          'due', to_char(c.due AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI'), 'stage', %s::text) || m.facts
FROM ({{inner}}) AS c(id, department_id, customer, due)
JOIN jsonb_to_recordset(%s::jsonb) AS m(department_id bigint, person_id bigint, facts jsonb)
  ON m.department_id = c.department_id
"""  # noqa: S608 (only this module's SQL is interpolated)


def clock_check_sql(
    complaints: QuerySet[Complaint],
    *,
    due_field: str,
    stage: str,
    stage_label: str,
    answers: dict[int, tuple[User | None, dict[str, str]]],
) -> tuple[str, list[Any]]:
    """rule: CMP-2, CMP-5 — an SLA clock rule's findings over ``complaints`` as one SELECT
    (columns subject_id, key, person_id, facts: see ``policy.registry.Rule.check_sql``)."""
    departments = [
        {"department_id": pk, "person_id": person.pk if person else None, "facts": facts}
        for pk, (person, facts) in answers.items()
    ]
    inner, inner_params = (
        complaints.order_by()
        .values_list("pk", "responsible_department_id", "customer__name", due_field)
        .query.sql_with_params()
    )
    zone = timezone.get_current_timezone_name()
    sql = _CLOCK_SQL.format(inner=inner)
    return sql, [f"{stage}:", zone, stage_label, *inner_params, json.dumps(departments, ensure_ascii=False)]


def violation_apply_sql(*, rule_id: str, due_field: str, statuses: tuple[str, ...], stage: str, fine: Any) -> ApplySQL:
    """rule: CMP-2, CMP-5 — ``rules._Violation.apply_batch`` as SQL (``Rule.violation_sql``): a result
    is still in breach when its complaint is still in a watched status with the deadline its breach
    key names and somebody answers for it; the violation is the head's at ``fine``, about the
    complaint, keyed ``<rule>:complaint:<breach key>``; each complaint gets its violation event."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from yingxiao.policy.registry import ApplySQL

    from .models import Complaint, ComplaintEvent

    quote = connection.ops.quote_name
    complaint, event = Complaint._meta, ComplaintEvent._meta
    due = f"c.{quote(complaint.get_field(due_field).column)}"
    event_columns = ", ".join(
        quote(event.get_field(name).column)
        for name in ("complaint", "kind", "from_status", "to_status", "message", "channel", "actor", "at")
    )
    # Only the models' own table and column names are interpolated; every value is a parameter.
    # Per result one lookup of its complaint by primary key (``LATERAL … OFFSET 0``:
    # a freshly recorded batch is estimated at a row or so, and a join planned for that would scan
    # the complaints once per result).
    ctes = f"""breached AS (
            SELECT b.result_id, b.person_id, %(fine)s::numeric AS amount, %(key)s || c.breach_key AS breach_key,
                   %(subject_type)s::integer AS subject_type_id, c.id AS object_id, b.explanation AS evidence
            FROM batch AS b
            CROSS JOIN LATERAL (
                SELECT c.id, b.breach_key
                FROM {quote(complaint.db_table)} AS c
                WHERE c.id = b.subject_id AND c.status = ANY(%(statuses)s::text[])
                  AND b.breach_key = c.id::text || ':' || %(stage)s || ':' || {_iso(due)}
                OFFSET 0
            ) AS c
            WHERE b.person_id IS NOT NULL
        ), complaint_events AS (
            INSERT INTO {quote(event.db_table)} ({event_columns})
            SELECT object_id, %(event)s, '', '', evidence, '', NULL, %(now)s FROM breached
        )"""  # noqa: S608
    return ApplySQL(
        ctes=ctes,
        params={
            "fine": fine,
            "key": f"{rule_id}:complaint:",
            "subject_type": ContentType.objects.get_for_model(Complaint).pk,
            "statuses": list(statuses),
            "stage": stage,
            "event": ComplaintEvent.Kind.VIOLATION.value,
            "now": timezone.now(),
        },
    )
