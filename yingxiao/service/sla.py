"""SLA clocks of complaints on the business calendar (CMP-2, CMP-5) and who answers for them.

A deadline of *n* days is the end of the n-th working day after the day of intake (Asia/Shanghai,
business calendar with holidays and 调休 make-up days): a complaint received on Friday with
``complaint_assign_days = 1`` is due on Monday at the end of the working day.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.org.models import Department, User
from yingxiao.org.selectors import holders, superior_of
from yingxiao.policy.values import policy_value


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


def head_post_holders(department: Department | None) -> list[User]:
    """Holders of the department's head post (present or not), walking up to a parent when it is vacant.

    The head stays answerable while away (violations are theirs); reminders go to whoever can act.
    """
    seen: set[int] = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        people: list[User] = []
        for post in department.positions.filter(is_head=True, is_active=True).order_by("sort_order", "pk"):
            people.extend(u for u in holders(post) if u.is_active and u.status != User.Status.LEFT)
        if people:
            return people
        department = department.parent
    return []


def responsible_head(department: Department | None) -> User | None:
    """The head who answers for the responsible department (CMP-2/CMP-5 violations go to them)."""
    people = head_post_holders(department)
    return people[0] if people else None


def acting_head(department: Department | None) -> User | None:
    """Who receives a reminder for the department: its head at work, else (ORG-4) their delegate or superior."""
    people = head_post_holders(department)
    for person in people:
        if person.is_available():
            return person
    for person in people:
        delegate = person.delegate
        if delegate is not None and delegate.is_available():
            return delegate
    return superior_of(people[0]) if people else None


def escalation_target(department: Department | None) -> User | None:
    """rule: ORG-4 — a breach goes to the head's direct superior (skipping absent or vacant posts)."""
    head = responsible_head(department)
    return superior_of(head) if head is not None else None
