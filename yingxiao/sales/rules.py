"""Policy rules of sales, run by the policy engine (house style 3).

- QUO-1 (violation): a non-standard quote request not answered by its due time
  (``{nonstandard_quote_hours}`` working hours after the request) — or answered after it — is a
  violation of the assigned quoting engineer, fined ``{nonstandard_quote_fine}``; once per request
  (breach key ``QUO-1:request:<id>``).
- QUO-1r (reminder): ``{nonstandard_quote_lead_hours}`` working hours before the due time, the
  engineer is reminded; once per request and due time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.policy.registry import Action, ApplySQL, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .models import QuoteRequest

# A reminder lead is a few working hours: the due time is at most this far ahead in clock time
# (a long holiday between), so the candidates are one indexed range scan.
_REMINDER_HORIZON = dt.timedelta(days=12)


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _facts(row: dict) -> dict[str, object]:
    return {
        "customer": row["customer__name"],
        "product": row["product__name"],
        "requested": _when(row["requested_at"]),
        "due": _when(row["due_at"]),
        "answered": _when(row["answered_at"]),
    }


_FIELDS = ("pk", "assignee_id", "customer__name", "product__name", "requested_at", "due_at", "answered_at")


def _late_requests(as_of: dt.datetime) -> QuerySet[QuoteRequest]:
    """rule: QUO-1 — requests past their due time and still open, or answered after it."""
    return QuoteRequest.objects.filter(due_at__lt=as_of).filter(
        Q(status=QuoteRequest.Status.OPEN) | Q(answered_at__gt=F("due_at"))
    )


# ``NonstandardQuoteLate.check`` as SQL: the same rows, key and facts (``_facts``: local times to the
# minute, "—" for none).
_LATE_SQL = """
SELECT q.id, 'late', q.assignee_id,
       jsonb_build_object(
           'customer', q.customer,
           'product', q.product,
           'requested', COALESCE(to_char(q.requested_at AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI'), '—'),
           'due', COALESCE(to_char(q.due_at AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI'), '—'),
           'answered', COALESCE(to_char(q.answered_at AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI'), '—'))
FROM ({inner}) AS q(id, assignee_id, customer, product, requested_at, due_at, answered_at)
"""


@register
class NonstandardQuoteLate(Rule):
    """rule: QUO-1 — a non-standard quote prepared late (or not yet) is the quoting engineer's violation."""

    id = "QUO-1"
    title = _("Non-standard quotes prepared within the working-hour deadline")
    params = ("nonstandard_quote_hours", "nonstandard_quote_fine")
    action = Action.VIOLATE
    subject_model = "sales.QuoteRequest"
    batch_size = 5000  # set-based apply (``violation_sql``): a few statements per batch whatever its size
    explanation = _(
        "Non-standard quote for %(customer)s (%(product)s): requested %(requested)s, due %(due)s, "
        "answered %(answered)s."
    )

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        for row in _late_requests(as_of).values(*_FIELDS).order_by("pk").iterator(chunk_size=2000):
            yield Finding(subject_id=row["pk"], key="late", person_id=row["assignee_id"], facts=_facts(row))

    def check_sql(self, as_of: dt.datetime) -> tuple[str, list[Any]]:
        """``check`` as one SELECT (the sweep records its findings inside the database)."""
        inner, inner_params = _late_requests(as_of).order_by().values_list(*_FIELDS).query.sql_with_params()
        zone = timezone.get_current_timezone_name()
        return _LATE_SQL.format(inner=inner), [zone, zone, zone, *inner_params]

    def violation_sql(self, as_of: dt.datetime) -> ApplySQL:
        """``apply_batch`` as SQL (the engine records the breaches set-based): the request still
        assigned to the engineer and still late, the fine in force at ``as_of``."""
        from django.contrib.contenttypes.models import ContentType

        requests = connection.ops.quote_name(QuoteRequest._meta.db_table)
        # Only the model's own table name is interpolated; every value is a parameter.
        ctes = f"""breached AS (
            SELECT b.result_id, q.assignee_id AS person_id, %(fine)s::numeric AS amount,
                   %(key)s || q.id AS breach_key, %(subject_type)s::integer AS subject_type_id,
                   q.id AS object_id, b.explanation AS evidence
            FROM batch AS b JOIN {requests} AS q ON q.id = b.subject_id
            WHERE q.assignee_id = b.person_id AND q.due_at < %(as_of)s
              AND (q.status = %(open)s OR q.answered_at > q.due_at))"""  # noqa: S608
        return ApplySQL(
            ctes=ctes,
            params={
                "fine": Decimal(str(policy_value("nonstandard_quote_fine", at=as_of))),
                "key": "QUO-1:request:",
                "subject_type": ContentType.objects.get_for_model(QuoteRequest).pk,
                "as_of": as_of,
                "open": QuoteRequest.Status.OPEN.value,
            },
        )

    def apply(self, finding: Finding) -> bool:
        return self.apply_batch([finding])[0]

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        """One violation per request (breach key), against the engineer still assigned; compare: still
        late. Per chunk, set-based: one read of the requests, the violations through the ledger in
        bulk (``violation_record_many``: the supervisor's share and the approvals with them)."""
        from yingxiao.performance.services import Breach, violation_record_many

        requests = QuoteRequest.objects.select_related("assignee").in_bulk([f.subject_id for f in findings])
        fines: dict[object, Decimal] = {}
        breaches: list[Breach] = []
        done: list[bool] = []
        for finding in findings:
            request = requests.get(finding.subject_id)
            as_of = finding.as_of or timezone.now()
            still_late = (
                request is not None
                and request.assignee_id == finding.person_id
                and request.due_at < as_of
                and (request.is_open or (request.answered_at is not None and request.answered_at > request.due_at))
            )
            done.append(still_late)
            if not still_late or request is None:
                continue
            if finding.as_of not in fines:
                fines[finding.as_of] = Decimal(str(policy_value("nonstandard_quote_fine", at=finding.as_of)))
            breaches.append(
                Breach(
                    person=request.assignee,
                    evidence=finding.explanation,
                    amount=fines[finding.as_of],
                    subject=request,
                    breach_key=f"QUO-1:request:{request.pk}",
                )
            )
        if breaches:
            violation_record_many(actor_or_system=None, rule_id=self.id, breaches=breaches)
        return done


@register
class NonstandardQuoteDueSoon(Rule):
    """rule: QUO-1 — remind the quoting engineer a few working hours before a non-standard quote is due."""

    id = "QUO-1r"
    title = _("Non-standard quote due soon")
    params = ("nonstandard_quote_lead_hours",)
    action = Action.REMIND
    subject_model = "sales.QuoteRequest"
    explanation = _("The non-standard quote for %(customer)s (%(product)s) is due at %(due)s.")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        lead = int(policy_value("nonstandard_quote_lead_hours", at=as_of))
        if lead <= 0:
            return
        calendar = BusinessCalendar.load()
        rows = QuoteRequest.objects.filter(
            status=QuoteRequest.Status.OPEN, due_at__gt=as_of, due_at__lte=as_of + _REMINDER_HORIZON
        )
        for row in rows.values(*_FIELDS).order_by("due_at", "pk").iterator(chunk_size=2000):
            if calendar.working_hours_between(as_of, row["due_at"]) > lead:
                continue
            yield Finding(
                subject_id=row["pk"],
                key=row["due_at"].isoformat(),
                person_id=row["assignee_id"],
                facts=_facts(row),
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.core.notifications import notify
        from yingxiao.org.models import User

        open_request = QuoteRequest.objects.filter(
            pk=finding.subject_id, status=QuoteRequest.Status.OPEN, assignee_id=finding.person_id
        ).exists()
        person = User.objects.filter(pk=finding.person_id).first() if open_request else None
        return notify(person, message=finding.explanation, link=reverse("sales:request_queue")) is not None


# --- stock, orders (ORD-4, ORD-6) ----------------------------------------------------------------
# - ORD-6r (reminder): a unit at a secondary outlet for ``{outlet_stock_days}`` days must be recalled;
#   its responsible person is reminded once per placement (key: the day placed).
# - ORD-6 (violation): each further day it stays is a violation of ``{outlet_stock_fine_per_day}``;
#   one per unit and day (breach key ``ORD-6:item:<id>:<placed>:<day>``), missed days caught up.
# - ORD-4 (reminder): an effective order without a production plan at the end of the working day
#   it took effect — the sales office of its department (else its heads) is reminded, once.
# - ORD-4d (reminder): the daily summary of yesterday's production / outsourcing / purchasing
#   progress, sent to the sales office and the sales director (one per person and day).

# The most overdue days one sweep records per unit (a sweep that did not run for a long time).
_MAX_CATCH_UP_DAYS = 366


def _outlet_rows(as_of: dt.datetime, days: int):  # type: ignore[no-untyped-def]
    from .models import StockItem

    today = timezone.localtime(as_of).date()
    return today, (
        StockItem.objects.filter(
            location_kind=StockItem.Location.OUTLET,
            placed_on__lte=today - dt.timedelta(days=days),
            keeper__isnull=False,
        )
        .exclude(status=StockItem.Status.SOLD)
        .values("pk", "keeper_id", "serial_no", "location", "placed_on", "product__name")
        .order_by("pk")
    )


def _outlet_facts(row: dict, today: dt.date) -> dict[str, object]:
    return {
        "item": f"{row['product__name']} #{row['serial_no']}",
        "outlet": row["location"],
        "placed": row["placed_on"].isoformat(),
        "days": (today - row["placed_on"]).days,
    }


def _still_at_outlet(item_id: int, keeper_id: int | None, placed: str) -> bool:
    from .models import StockItem

    return (
        StockItem.objects.filter(
            pk=item_id, keeper_id=keeper_id, location_kind=StockItem.Location.OUTLET, placed_on=placed
        )
        .exclude(status=StockItem.Status.SOLD)
        .exists()
    )


@register
class OutletStockRecall(Rule):
    """rule: ORD-6 — remind the responsible person to recall stock held at a secondary outlet too long."""

    id = "ORD-6r"
    title = _("Recall stock held at secondary outlets")
    params = ("outlet_stock_days",)
    action = Action.REMIND
    subject_model = "sales.StockItem"
    explanation = _("%(item)s has been at the secondary outlet %(outlet)s since %(placed)s (%(days)s days): recall it.")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        days = int(policy_value("outlet_stock_days", at=as_of))
        today, rows = _outlet_rows(as_of, days)
        for row in rows.iterator(chunk_size=2000):
            yield Finding(
                subject_id=row["pk"],
                key=row["placed_on"].isoformat(),
                person_id=row["keeper_id"],
                facts=_outlet_facts(row, today),
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.core.notifications import notify
        from yingxiao.org.models import User

        if not _still_at_outlet(finding.subject_id, finding.person_id, finding.key):
            return False
        person = User.objects.filter(pk=finding.person_id).first()
        return notify(person, message=finding.explanation, link=reverse("sales:stock")) is not None


@register
class OutletStockOverdue(Rule):
    """rule: ORD-6 — each day beyond ``outlet_stock_days`` at a secondary outlet is a violation."""

    id = "ORD-6"
    title = _("Stock held at secondary outlets beyond the limit")
    params = ("outlet_stock_days", "outlet_stock_fine_per_day")
    action = Action.VIOLATE
    subject_model = "sales.StockItem"
    explanation = _("%(item)s at the secondary outlet %(outlet)s since %(placed)s: day %(days)s, overdue on %(day)s.")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        days = int(policy_value("outlet_stock_days", at=as_of))
        today, rows = _outlet_rows(as_of, days + 1)
        for row in rows.iterator(chunk_size=2000):
            first = row["placed_on"] + dt.timedelta(days=days + 1)
            first = max(first, today - dt.timedelta(days=_MAX_CATCH_UP_DAYS - 1))
            day = first
            while day <= today:
                facts = _outlet_facts(row, day)
                facts["day"] = day.isoformat()
                yield Finding(
                    subject_id=row["pk"],
                    key=f"{row['placed_on'].isoformat()}:{day.isoformat()}",
                    person_id=row["keeper_id"],
                    facts=facts,
                )
                day += dt.timedelta(days=1)

    def apply(self, finding: Finding) -> bool:
        from yingxiao.org.models import User
        from yingxiao.performance.services import violation_record

        from .models import StockItem

        placed, _day = finding.key.split(":", 1)
        if not _still_at_outlet(finding.subject_id, finding.person_id, placed):
            return False
        person = User.objects.filter(pk=finding.person_id).first()
        if person is None:
            return False
        violation_record(
            actor_or_system=None,
            person=person,
            rule_id="ORD-6",
            evidence=finding.explanation,
            amount=Decimal(str(policy_value("outlet_stock_fine_per_day", at=finding.as_of))),
            subject=StockItem.objects.get(pk=finding.subject_id),
            breach_key=f"ORD-6:item:{finding.subject_id}:{finding.key}",
        )
        return True


def _sales_office(department_id: int | None) -> list:  # type: ignore[type-arg]
    """The sales office (销售内勤) of a department, else its heads: who enters production plans."""
    from yingxiao.org.models import Department, User
    from yingxiao.org.selectors import heads_of

    people = list(
        User.objects.filter(
            is_active=True,
            assignments__position__role__code="sales_assistant",
            assignments__position__department_id=department_id,
        ).distinct()
    )
    if not people and department_id is not None:
        department = Department.objects.filter(pk=department_id).first()
        people = heads_of(department) if department else []
    return people


@register
class ProductionPlanLate(Rule):
    """rule: ORD-4 — an effective order has its production plan by the end of that working day."""

    id = "ORD-4"
    title = _("Production plan entered the day the order takes effect")
    params = ()
    action = Action.REMIND
    subject_model = "sales.Order"
    explanation = _("Order %(order)s (%(customer)s) took effect %(effective)s; its production plan was due %(due)s.")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        from .models import Order

        late = Order.objects.filter(
            plan_due_at__lt=as_of, production_plan__isnull=True, effective_version__isnull=False
        ).exclude(status=Order.Status.CANCELLED)
        fields = ("pk", "number", "customer__name", "effective_at", "plan_due_at", "department_id")
        for row in late.values(*fields).order_by("pk").iterator(chunk_size=2000):
            yield Finding(
                subject_id=row["pk"],
                key="plan",
                person_id=None,
                facts={
                    "order": row["number"],
                    "customer": row["customer__name"],
                    "effective": _when(row["effective_at"]),
                    "due": _when(row["plan_due_at"]),
                    "department": row["department_id"],
                },
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.core.notifications import notify

        from .models import Order, ProductionPlan

        if ProductionPlan.objects.filter(order_id=finding.subject_id).exists():
            return False
        order = Order.objects.filter(pk=finding.subject_id).first()
        if order is None:
            return False
        link = reverse("sales:order_detail", args=[order.pk])
        sent = [notify(person, message=finding.explanation, link=link) for person in _sales_office(order.department_id)]
        return any(item is not None for item in sent)


@register
class DailyProgressSummary(Rule):
    """rule: ORD-4 — production, outsourcing and purchasing progress summarised daily."""

    id = "ORD-4d"
    title = _("Daily summary of production progress")
    params = ()
    action = Action.REMIND
    subject_model = "org.User"
    explanation = _("Production progress of %(day)s: %(entries)s entries on %(orders)s orders.")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        from django.db.models import Count

        from yingxiao.org.models import User

        from .models import ProgressEntry

        day = timezone.localtime(as_of).date() - dt.timedelta(days=1)
        totals = ProgressEntry.objects.filter(day=day).aggregate(
            entries=Count("pk"), orders=Count("order", distinct=True)
        )
        if not totals["entries"]:
            return
        people = User.objects.filter(
            is_active=True, assignments__position__role__code__in=("sales_assistant", "sales_director")
        ).distinct()
        for person_id in people.values_list("pk", flat=True).order_by("pk"):
            yield Finding(
                subject_id=person_id,
                key=day.isoformat(),
                person_id=person_id,
                facts={"day": day.isoformat(), "entries": totals["entries"], "orders": totals["orders"]},
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.core.notifications import notify
        from yingxiao.org.models import User

        person = User.objects.filter(pk=finding.person_id, is_active=True).first()
        link = reverse("sales:production_summary") + f"?day={finding.key}"
        return notify(person, message=finding.explanation, link=link) is not None


# Contracts and receivables (CON-2, CON-4, CON-5, CON-8) register their rules on import.
from . import money_rules  # noqa: E402, F401
