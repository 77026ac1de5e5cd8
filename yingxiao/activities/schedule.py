"""回访及时率 (ACT-2) from the return-visit schedule tables kept by PostgreSQL.

``statistics.return_visit_punctuality_counts`` counts a period's due return visits in one statement
over the transacted customers, their first deal date (a lookup in the customer history per
customer) and every counted return visit they ever had (a window function over all of them). At a
million customers that is seconds. Here the same figure reads:

* ``DealStart`` — each customer's first deal date, kept by triggers on the customer history;
* ``ReturnVisitLink`` — each counted return visit with the one before and after it, kept by
  triggers on the activities: the gaps that can put a due date into the period are the visits
  from ``return_visit_days`` before the period's start to its bound, and each customer's last
  visit before the bound is the one row whose next visit is past it (or has none).

Same customers (the viewer's scope, ORG-5, and the department subtree), same schedule, same
arithmetic as the reference statement; the tests compare the two and the walked schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from yingxiao.policy.values import policy_value

from .models import DealStart, ReturnVisitAnchor, ReturnVisitAnchorDay, ReturnVisitLink
from .return_visits import day_start, subtree_ids

if TYPE_CHECKING:
    from yingxiao.org.models import User


def use_schedule_tables() -> bool:
    """rule: ACT-2 — whether the schedule tables answer 回访及时率 (PostgreSQL keeps them by triggers)."""
    return connection.vendor == "postgresql"


def _fixed_offset_seconds() -> int | None:
    """The business time zone's UTC offset in seconds when it keeps one all year (Asia/Shanghai: +8 h
    since 1991), else None."""
    zone = timezone.get_current_timezone()
    year = timezone.now().year
    offsets = {dt.datetime(year, month, 1, 12, tzinfo=zone).utcoffset() for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return None
    offset = offsets.pop()
    return None if offset is None else int(offset.total_seconds())


def _day(column: str) -> str:
    """The local (business time zone) calendar day of a timestamp column, as days since 1970-01-01.

    With a fixed offset this is arithmetic on the epoch (a time-zone conversion per row costs more than
    the rest of the statement at a hundred thousand customers); otherwise PostgreSQL converts."""
    offset = _fixed_offset_seconds()
    if offset is None:
        name = timezone.get_current_timezone_name()
        return f"(({column} AT TIME ZONE '{name}')::date - DATE '1970-01-01')"
    return f"floor((date_part('epoch', {column}) + {offset}) / 86400)::int"


# The customers in scope, when they became a deal (their first deal-stage history row, else registering).
_CUSTOMERS = """
c AS NOT MATERIALIZED (
    SELECT cu.pk, COALESCE(ds.became_deal_at, cu.registered_at) AS deal_since
    FROM ({customers}) AS cu (pk, registered_at)
    LEFT JOIN {deal_start} ds ON ds.customer_id = cu.pk
)"""
# The gaps between return visits (and becoming a deal) that can put a due date into the period.
_SEGMENTS = """
seg AS MATERIALIZED (
    SELECT p, g, CASE WHEN g <= {step} THEN 1 ELSE (g + {step} - 1) / {step} - 1 END AS k
    FROM (SELECT {anchor_day} AS p, {visit_day} - {anchor_day} AS g
          FROM {links} l JOIN c ON c.pk = l.customer_id
          WHERE l.occurred_at >= %s AND l.occurred_at < %s AND l.occurred_at > c.deal_since) AS gaps
)"""
_SEGMENT_COUNTS = """
    (SELECT COUNT(*) FROM seg WHERE g <= {step} AND p + k * {step} BETWEEN {low} AND {high}),
    (SELECT COUNT(*) FROM seg WHERE p + k * {step} BETWEEN {low} AND {high}),
    (SELECT COALESCE(SUM(CASE WHEN hi >= lo THEN hi - lo + 1 ELSE 0 END), 0) FROM (
        SELECT CASE WHEN {low} - p <= {step} THEN 1 ELSE ({low} - p + {step} - 1) / {step} END AS lo,
               LEAST(({high} - p) / {step}, k - 1) AS hi
        FROM seg) AS missed)"""
# The customers' last anchors before the bound: each one's last return visit there, else becoming a deal.
_LAST_VISIT = """
    LEFT JOIN {links} l
      ON l.customer_id = {who}.pk AND l.occurred_at > {who}.deal_since AND l.occurred_at < %s
     AND (l.next_at IS NULL OR l.next_at >= %s)"""

# Every customer in scope: its last anchor before the bound, one row each. (Table names and integers are
# formatted in; values are parameters.)
_SQL = (
    "WITH"  # noqa: S608
    + _CUSTOMERS
    + ","
    + _SEGMENTS
    + """,
tail AS MATERIALIZED (
    SELECT COALESCE({visit_day}, {deal_day}) AS p
    FROM c"""
    + _LAST_VISIT.replace("{who}", "c")
    + """
)
SELECT"""
    + _SEGMENT_COUNTS
    + """,
    (SELECT COALESCE(SUM({open_p}), 0) FROM tail)
"""
)
# The whole centre: the anchors' day counts (``ReturnVisitAnchorDay``: their current anchor), corrected for
# the few customers with a return visit at or after the bound (their anchor before the bound differs).
_COMPANY_SQL = (
    "WITH"  # noqa: S608
    + _CUSTOMERS
    + ","
    + _SEGMENTS
    + """,
later AS MATERIALIZED (
    SELECT c.pk, c.deal_since FROM c
    WHERE c.pk IN (SELECT customer_id FROM {links} WHERE occurred_at >= %s)
),
moved AS MATERIALIZED (
    SELECT COALESCE({visit_day}, {later_deal_day}) AS p, a.anchor_day AS q
    FROM later"""
    + _LAST_VISIT.replace("{who}", "later")
    + """
    LEFT JOIN {anchors} a ON a.customer_id = later.pk
)
SELECT"""
    + _SEGMENT_COUNTS
    + """,
    (SELECT COALESCE(SUM(customers * {open_d}), 0) FROM {anchor_days})
    + (SELECT COALESCE(SUM({open_p}), 0) - COALESCE(SUM({open_q}), 0) FROM moved)
"""
)


def _open(x: str, *, step: int, low: int, high: int, now: int) -> str:
    """SQL: how many due dates ``x + j·step`` (j ≥ 1) from the anchor day ``x`` fall in the period and have
    passed (before today): missed or overdue — the schedule after a customer's last visit."""
    lo = f"CASE WHEN {low} - {x} <= {step} THEN 1 ELSE ({low} - {x} + {step} - 1) / {step} END"
    hi = f"LEAST(({high} - {x}) / {step}, ({now} - 1 - {x}) / {step})"
    return f"CASE WHEN {now} - 1 - {x} >= 0 THEN GREATEST({hi} - ({lo}) + 1, 0) ELSE 0 END"


def _whole_centre(actor: User, department_id: int | None) -> bool:
    """Whether the viewer's customers are all customers (ORG-5 scope all, no department picked) and the
    anchor days are kept in the business time zone of this configuration."""
    from yingxiao.org.scope import scope_for

    if department_id or not actor.has_perm("customers.view_customer") or not scope_for(actor).is_all:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT act_rvanchor_zone()")
        zone = cursor.fetchone()[0]
    return zone == timezone.get_current_timezone_name() and _fixed_offset_seconds() is not None


def punctuality_counts(
    actor: User,
    first: dt.date,
    last: dt.date,
    *,
    department_id: int | None = None,
    today: dt.date | None = None,
    whole_centre: bool | None = None,
) -> tuple[int, int]:
    """(on time, due) of the return visits due from ``first`` to ``last`` over the actor's customers.

    Equal to ``statistics.return_visit_punctuality_counts`` (and to the walked schedule of
    ``return_visits.return_visit_punctuality``); PostgreSQL only (``use_schedule_tables``). For a
    viewer who sees every customer the anchor-day counts stand for the customers (``whole_centre``:
    None decides by the scope; False forces the per-customer statement, as the tests compare).
    """
    # rule: ACT-2 — punctuality (回访及时率) from the schedule tables.
    from yingxiao.customers.models import Customer

    today = today or timezone.localdate()
    at = min(day_start(last + dt.timedelta(days=1)), timezone.now())
    step = int(policy_value("return_visit_days", at=at))
    # rule: ORG-5 — only the viewer's customers (and the department subtree when one is picked).
    customers = Customer.objects.restrict(actor, "view").filter(stage=Customer.Stage.DEAL, is_archived=False)
    if department_id:
        customers = customers.filter(department_id__in=subtree_ids(department_id))
    inner_sql, inner_params = customers.order_by().values_list("pk", "registered_at").query.sql_with_params()
    epoch = dt.date(1970, 1, 1)
    numbers = {
        "step": int(step),
        "low": (first - epoch).days,
        "high": (last - epoch).days,
        "now": (today - epoch).days,
    }
    if whole_centre is None:
        whole_centre = _whole_centre(actor, department_id)
    template = _COMPANY_SQL if whole_centre else _SQL
    sql = template.format(
        customers=inner_sql,
        deal_start=DealStart._meta.db_table,
        links=ReturnVisitLink._meta.db_table,
        anchors=ReturnVisitAnchor._meta.db_table,
        anchor_days=ReturnVisitAnchorDay._meta.db_table,
        deal_day=_day("c.deal_since"),
        later_deal_day=_day("later.deal_since"),
        anchor_day=_day("GREATEST(l.previous_at, c.deal_since)"),  # the visit before, or becoming a deal
        visit_day=_day("l.occurred_at"),
        open_p=_open("p", **numbers),
        open_q=_open("q", **numbers),
        open_d=_open("anchor_day", **numbers),
        **numbers,
    )
    # The gaps that can put a due date into [first, last] end from ``step`` days before ``first`` on;
    # a visit at or after the bound (a late visit closes a due too) is not part of the period's schedule.
    window = day_start(first - dt.timedelta(days=step))
    bound = day_start(last + dt.timedelta(days=step + 1))
    params = [*inner_params, window, bound]
    params += [bound, bound, bound] if whole_centre else [bound, bound]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        on_time, settled, missed, open_ = cursor.fetchone()
    return int(on_time or 0), int(settled or 0) + int(missed or 0) + int(open_ or 0)
