"""Monthly pay statements (工资单, PRF-3, PRF-5, DIS-3).

Pay = base + performance + commission − approved fines + rewards. Every line comes from a
*pay-line provider*: a plain function ``(month, person_ids) → iterable of (person_id, PayLineSpec)``
registered with ``register_pay_provider``. The providers here are base pay and performance pay
(from the ``PayProfile`` and the final evaluation's grade) and the fines-and-rewards ledger (one
line per approved fine or reward booked in the month — the same rows as the DIS-3 ledger, so the
statement reconciles with it to the cent).

Commission on collected revenue (PRF-3) is a hook: the sales app registers a provider of kind
``PayLine.Kind.COMMISSION`` once contracts and receipts exist, e.g.::

    def commission_on_receipts(month, person_ids):
        rate = policy_value("commission_rate") / 100
        for row in Receipt.objects.filter(collected_on__month=…, owner_id__in=person_ids)…:
            yield row.owner_id, PayLineSpec(PayLine.Kind.COMMISSION, label, (row.amount * rate).quantize(CENT),
                                            "sales.Receipt", (row.pk,))

    register_pay_provider("commission", commission_on_receipts)   # in SalesConfig.ready()

Statements are issued only for a month HR has closed; issuing again refreshes unconfirmed
statements and leaves confirmed ones untouched. The employee confirms their own (PRF-5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from yingxiao.core.errors import BusinessError
from yingxiao.core.history_sql import CHANGED, CREATED, DELETED, copy_versions
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.core.sql import id_list
from yingxiao.org.models import Assignment, User
from yingxiao.org.selectors import primary_department_ids

from . import errors
from .evaluations import month_end_instant
from .models import Evaluation, PayLine, PayMonth, PayProfile, PayStatement, Reward, Violation
from .selectors import COUNTED_FINES, month_bounds

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ISSUE_PERM = "performance.add_paystatement"
CLOSE_PERM = "performance.close_paymonth"
PROFILE_PERM = "performance.change_payprofile"


@dataclass(frozen=True)
class PayLineSpec:
    """A line a provider contributes; ``amount`` is signed as it counts (fines negative)."""

    kind: str
    label: str
    amount: Decimal
    source_model: str = ""
    source_ids: tuple[int, ...] = ()


Provider = Callable[[dt.date, list[int]], Iterable[tuple[int, PayLineSpec]]]
_providers: dict[str, Provider] = {}


def register_pay_provider(code: str, provider: Provider) -> None:
    """Add a source of pay lines (PRF-3); ``code`` names it on every line it produces."""
    _providers[code] = provider


def unregister_pay_provider(code: str) -> None:
    _providers.pop(code, None)


def pay_providers() -> dict[str, Provider]:
    return dict(_providers)


# --- built-in providers -----------------------------------------------------------------------
def base_pay_lines(month: dt.date, person_ids: list[int]) -> Iterable[tuple[int, PayLineSpec]]:
    label = gettext("Base pay")
    for pk, person_id, base in PayProfile.objects.filter(person_id__in=id_list(person_ids)).values_list(
        "pk", "person_id", "base_pay"
    ):
        yield person_id, PayLineSpec(PayLine.Kind.BASE, label, base, "performance.PayProfile", (pk,))


def _factor_policy(grade: str) -> str:
    return f"performance_pay_{grade}"


# rule: PRF-3 — performance pay follows the month's grade (policy share of the profile's performance pay).
def performance_pay_lines(month: dt.date, person_ids: list[int]) -> Iterable[tuple[int, PayLineSpec]]:
    from yingxiao.policy.values import policy_value

    at = month_end_instant(month)
    profiles = dict(
        PayProfile.objects.filter(person_id__in=id_list(person_ids)).values_list("person_id", "performance_pay")
    )
    evaluations = Evaluation.objects.filter(
        person_id__in=id_list(person_ids), month=month, status=Evaluation.Status.FINAL
    ).values_list("pk", "person_id", "grade")
    graded: set[int] = set()
    # Per grade, once: the policy share and the label (gettext per line was a third of issuing's time).
    shares: dict[str, tuple[Decimal, str]] = {}
    names = dict(Evaluation._meta.get_field("grade").choices)  # type: ignore[arg-type]
    for pk, person_id, grade in evaluations:
        graded.add(person_id)
        if grade not in shares:
            share = Decimal(policy_value(_factor_policy(grade), at=at))
            label = gettext("Performance pay: grade %(grade)s × %(share)s%%") % {
                "grade": names.get(grade, grade),
                "share": share,
            }
            shares[grade] = (share, label)
        share, label = shares[grade]
        amount = (profiles.get(person_id, ZERO) * share / 100).quantize(CENT, ROUND_HALF_UP)
        yield person_id, PayLineSpec(PayLine.Kind.PERFORMANCE, label, amount, "performance.Evaluation", (pk,))
    ungraded = gettext("Performance pay: no final evaluation")
    for person_id in profiles:
        if person_id not in graded:
            yield person_id, PayLineSpec(PayLine.Kind.PERFORMANCE, ungraded, ZERO)


# rule: DIS-3 — the month's approved fines and rewards feed payroll, one line per ledger entry.
def ledger_lines(month: dt.date, person_ids: list[int]) -> Iterable[tuple[int, PayLineSpec]]:
    start, end = month_bounds(month)
    fines = Violation.objects.filter(
        person_id__in=id_list(person_ids), status__in=COUNTED_FINES, booked_on__gte=start, booked_on__lt=end
    ).values_list("pk", "person_id", "rule_id", "kind", "amount")
    own, share = gettext("Fine %(rule)s"), gettext("Fine %(rule)s (supervisor's share)")  # once, not per line
    for pk, person_id, rule_id, kind, amount in fines.order_by("booked_on", "pk"):
        label = (share if kind == Violation.Kind.SUPERVISOR else own) % {"rule": rule_id}
        yield person_id, PayLineSpec(PayLine.Kind.FINE, label, -amount, "performance.Violation", (pk,))
    rewards = Reward.objects.filter(
        person_id__in=id_list(person_ids), status=Reward.Status.APPROVED, booked_on__gte=start, booked_on__lt=end
    ).values_list("pk", "person_id", "kind", "amount")
    kinds = dict(Reward.Kind.choices)
    reward = gettext("Reward: %(kind)s")
    for pk, person_id, kind, amount in rewards.order_by("booked_on", "pk"):
        label = reward % {"kind": kinds.get(kind, kind)}
        yield person_id, PayLineSpec(PayLine.Kind.REWARD, label, amount, "performance.Reward", (pk,))


register_pay_provider("base", base_pay_lines)
register_pay_provider("performance", performance_pay_lines)
register_pay_provider("ledger", ledger_lines)


# --- month and statements ---------------------------------------------------------------------
def _require(actor: User, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise BusinessError(errors.NOT_PAYROLL)


def month_is_closed(month: dt.date) -> bool:
    return PayMonth.objects.filter(month=month.replace(day=1), status=PayMonth.Status.CLOSED).exists()


def pay_month_close(*, actor: User, month: dt.date) -> PayMonth:
    """HR closes an ended month whose evaluations are all final; statements may then be issued."""
    _require(actor, CLOSE_PERM)
    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise BusinessError(errors.MONTH_NOT_OVER, field="month")
    drafts = Evaluation.objects.filter(month=month, status=Evaluation.Status.DRAFT).count()
    if drafts:
        raise BusinessError(errors.MONTH_DRAFTS, count=drafts)
    with transaction.atomic():
        row, _created = PayMonth.objects.select_for_update().get_or_create(month=month)
        if row.status == PayMonth.Status.CLOSED:
            raise BusinessError(errors.MONTH_CLOSED, month=f"{month:%Y-%m}")
        row.status = PayMonth.Status.CLOSED
        row.closed_at = timezone.now()
        row.closed_by = actor
        row.save()
    return row


def payroll_people(month: dt.date) -> list[int]:
    """Everyone paid for ``month``: staff in post, pay-profile holders, anyone in the month's ledger."""
    start, end = month_bounds(month)
    ids = set(
        Assignment.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start), started_on__lt=end)
        .filter(user__is_active=True)
        .values_list("user_id", flat=True)
    )
    ids |= set(PayProfile.objects.values_list("person_id", flat=True))
    ids |= set(
        Violation.objects.filter(status__in=COUNTED_FINES, booked_on__gte=start, booked_on__lt=end).values_list(
            "person_id", flat=True
        )
    )
    ids |= set(
        Reward.objects.filter(status=Reward.Status.APPROVED, booked_on__gte=start, booked_on__lt=end).values_list(
            "person_id", flat=True
        )
    )
    return sorted(ids)


def _totals(specs: list[PayLineSpec]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for spec in specs:
        sums[spec.kind] += spec.amount
    values = {
        "base": sums[PayLine.Kind.BASE],
        "performance": sums[PayLine.Kind.PERFORMANCE],
        "commission": sums[PayLine.Kind.COMMISSION],
        "fines": -sums[PayLine.Kind.FINE],
        "rewards": sums[PayLine.Kind.REWARD],
    }
    values = {key: value.quantize(CENT, ROUND_HALF_UP) for key, value in values.items()}
    values["total"] = (
        values["base"] + values["performance"] + values["commission"] - values["fines"] + values["rewards"]
    )
    return values


_STATEMENT_FIELDS = (
    "base",
    "performance",
    "commission",
    "fines",
    "rewards",
    "total",
    "department",
    "grade",
    "issued_at",
    "issued_by",
)


# rule: PRF-3 — pay = base + performance + commission − approved fines + rewards, for a closed month.
def pay_statements_issue(*, actor: User, month: dt.date, person_ids: list[int] | None = None) -> int:
    """Issue (or refresh the unconfirmed) statements of a closed month; returns how many were issued
    or found up to date (every unconfirmed statement of the people concerned).

    Set-based for the whole company: every provider runs once for everyone; a statement whose
    figures and lines are unchanged is left as it is; new and changed statements are written by one
    upsert, a changed statement's old lines deleted in one statement and the new lines inserted in
    bulk — each with its version, as ``save()`` and ``delete()`` would record it.
    """
    _require(actor, ISSUE_PERM)
    month = month.replace(day=1)
    if not month_is_closed(month):
        raise BusinessError(errors.MONTH_OPEN, month=f"{month:%Y-%m}")
    people = person_ids if person_ids is not None else payroll_people(month)
    with transaction.atomic():
        existing = {
            s.person_id: s
            for s in PayStatement.objects.select_for_update()
            .filter(month=month, person_id__in=id_list(people))
            .order_by("pk")
            .only("pk", "person_id", "month", "status", "confirmed_at", "department_id", "grade", *_TOTALS)
        }
        confirmed = {pk for pk, s in existing.items() if s.status == PayStatement.Status.CONFIRMED}
        todo = [pk for pk in people if pk not in confirmed]
        lines: dict[int, list[tuple[str, PayLineSpec]]] = defaultdict(list)
        for code, provider in _providers.items():
            for person_id, spec in provider(month, todo):
                lines[person_id].append((code, spec))
        departments = primary_department_ids(todo)
        grades = dict(
            Evaluation.objects.filter(
                person_id__in=id_list(todo), month=month, status=Evaluation.Status.FINAL
            ).values_list("person_id", "grade")
        )
        now = timezone.now()
        statements: list[PayStatement] = []
        for person_id in todo:
            statement = PayStatement(
                person_id=person_id,
                month=month,
                department_id=departments.get(person_id),
                grade=grades.get(person_id, ""),
                issued_at=now,
                issued_by=actor,
                **_totals([spec for _code, spec in lines.get(person_id, [])]),
            )
            statements.append(statement)
        # A refresh writes what changed: a statement whose figures and lines are as issued stays as
        # it is (no new version, no lines replaced), so its history shows real changes only.
        refreshed = [s for s in statements if s.person_id in existing]
        old_lines = _line_contents([existing[s.person_id].pk for s in refreshed])
        lines_changed = [
            s for s in refreshed if old_lines.get(existing[s.person_id].pk, []) != _contents(lines.get(s.person_id, []))
        ]
        changed_ids = {s.person_id for s in lines_changed}
        changed_ids |= {s.person_id for s in refreshed if not _same_figures(s, existing[s.person_id])}
        created = [s for s in statements if s.person_id not in existing]
        written = [s for s in statements if s.person_id in changed_ids or s.person_id not in existing]
        _save_statements(actor, now, month, written, existing)
        _replace_lines(actor, now, lines_changed, created, lines)
    return len(todo)


_TOTALS = ("base", "performance", "commission", "fines", "rewards", "total")
LineContent = tuple[str, str, str, Decimal, str, tuple[int, ...]]


def _contents(specs: list[tuple[str, PayLineSpec]]) -> list[LineContent]:
    """The lines as stored (label cut, amount to the cent; the source records a set), in a comparable order."""
    return sorted(
        (spec.kind, code, spec.label[:200], spec.amount.quantize(CENT, ROUND_HALF_UP), spec.source_model,
         tuple(sorted(spec.source_ids)))
        for code, spec in specs
    )  # fmt: skip


def _line_contents(statement_ids: list[int]) -> dict[int, list[LineContent]]:
    """The stored lines of these statements, as ``_contents`` gives the new ones."""
    stored: dict[int, list[LineContent]] = defaultdict(list)
    rows = PayLine.objects.filter(statement_id__in=id_list(statement_ids)).values_list(
        "statement_id", "kind", "provider", "label", "amount", "source_model", "source_ids"
    )
    for statement_id, kind, code, label, amount, source_model, source_ids in rows:
        stored[statement_id].append((kind, code, label, amount, source_model, tuple(sorted(source_ids or ()))))
    return {pk: sorted(contents) for pk, contents in stored.items()}


def _same_figures(new: PayStatement, old: PayStatement) -> bool:
    return (
        new.department_id == old.department_id
        and new.grade == old.grade
        and all(getattr(new, name) == getattr(old, name) for name in _TOTALS)
    )


def _save_statements(
    actor: User, now: dt.datetime, month: dt.date, statements: list[PayStatement], existing: dict[int, PayStatement]
) -> None:
    """One upsert on (person, month) for new and refreshed statements alike, then their history rows.

    (``bulk_update`` builds a CASE expression per field and row: seconds of Python for a company.)
    """
    PayStatement.objects.bulk_create(
        statements,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["person", "month"],
        update_fields=list(_STATEMENT_FIELDS),
    )
    if any(s.pk is None for s in statements):  # a backend that returns no ids from an upsert
        ids = dict(
            PayStatement.objects.filter(month=month, person_id__in=[s.person_id for s in statements]).values_list(
                "person_id", "pk"
            )
        )
        for statement in statements:
            statement.pk = ids[statement.person_id]
    created = [s.pk for s in statements if s.person_id not in existing]
    refreshed = [s.pk for s in statements if s.person_id in existing]
    copy_versions(PayStatement, created, actor=actor, when=now, kind=CREATED)
    copy_versions(PayStatement, refreshed, actor=actor, when=now, kind=CHANGED)


def _replace_lines(
    actor: User,
    now: dt.datetime,
    refreshed: list[PayStatement],
    created: list[PayStatement],
    lines: dict[int, list[tuple[str, PayLineSpec]]],
) -> None:
    """Old lines out (their history keeps them, marked deleted), the new lines in (each with its first
    version), the versions copied from the rows (``core.history_sql``), not built one by one."""
    if refreshed:
        old = PayLine.objects.filter(statement_id__in=id_list([s.pk for s in refreshed]))
        copy_versions(PayLine, list(old.values_list("pk", flat=True)), actor=actor, when=now, kind=DELETED)
        # One DELETE: nothing cascades from a line and its history was written just above
        # (``QuerySet.delete()`` would send the post_delete signal one row at a time).
        old._raw_delete(old.db)
    new = [
        PayLine(
            statement=statement,
            kind=spec.kind,
            provider=code,
            label=spec.label[:200],
            amount=spec.amount.quantize(CENT, ROUND_HALF_UP),
            source_model=spec.source_model,
            source_ids=list(spec.source_ids),
        )
        for statement in (*refreshed, *created)
        for code, spec in lines.get(statement.person_id, [])
    ]
    if not new:
        return
    PayLine.objects.bulk_create(new, batch_size=2000)
    ids = [line.pk for line in new]
    if None in ids:  # a backend that returns no ids: every line of these statements is new
        statements = [s.pk for s in (*refreshed, *created)]
        ids = list(PayLine.objects.filter(statement_id__in=id_list(statements)).values_list("pk", flat=True))
    copy_versions(PayLine, ids, actor=actor, when=now, kind=CREATED)


# rule: PRF-5 — the employee confirms their own statement before payment (timestamped).
def pay_statement_confirm(*, actor: User, statement: PayStatement) -> PayStatement:
    if actor.pk != statement.person_id:
        raise BusinessError(errors.NOT_YOUR_STATEMENT)
    with transaction.atomic():
        updated = PayStatement.objects.filter(pk=statement.pk, status=PayStatement.Status.ISSUED).update(
            status=PayStatement.Status.CONFIRMED, confirmed_at=timezone.now()
        )
        if updated != 1:
            raise BusinessError(errors.ALREADY_CONFIRMED)
    statement.refresh_from_db()
    return statement


def pay_profile_set(*, actor: User, person: User, base_pay: Any, performance_pay: Any) -> PayProfile:
    """HR sets a person's base pay and performance pay (at 100 %)."""
    _require(actor, PROFILE_PERM)
    values = []
    for raw in (base_pay, performance_pay):
        try:
            value = Decimal(str(raw))
        except ArithmeticError as exc:
            raise BusinessError(errors.BAD_PAY) from exc
        if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
            raise BusinessError(errors.BAD_PAY)
        values.append(value.quantize(CENT, ROUND_HALF_UP))
    with transaction.atomic():
        profile, _created = PayProfile.objects.select_for_update().get_or_create(
            person=person, defaults={"base_pay": values[0], "performance_pay": values[1]}
        )
        profile.base_pay, profile.performance_pay = values
        profile.save()
    return profile


# --- reads -------------------------------------------------------------------------------------
def statements_for(actor: User) -> QuerySet[PayStatement]:
    return PayStatement.objects.restrict(actor).select_related("person", "department")


def get_statement_for(actor: User, pk: Any) -> PayStatement:
    """The statement if ``actor`` may see it, else 404 (a rep sees only their own)."""
    return get_restricted_or_404(PayStatement, actor, pk, queryset=statements_for(actor))


def statement_totals(rows: Iterable[PayStatement]) -> dict[str, Decimal]:
    keys = ("base", "performance", "commission", "fines", "rewards", "total")
    sums = dict.fromkeys(keys, ZERO)
    for row in rows:
        for key in keys:
            sums[key] += getattr(row, key)
    return sums


def statement_totals_by_department(statements: QuerySet[PayStatement]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The month's sums per department and for all, in one aggregate query (the page shows a
    page of rows; the totals always cover every statement in scope)."""
    keys = ("base", "performance", "commission", "fines", "rewards", "total")
    per_department = list(
        statements.order_by()
        .values("department_id", "department__name")
        .annotate(count=Count("pk"), **{key: Sum(key) for key in keys})
        .order_by("department__name")
    )
    overall: dict[str, Any] = dict.fromkeys(keys, ZERO) | {"count": 0}
    for row in per_department:
        for key in (*keys, "count"):
            overall[key] += row[key] or 0
    return per_department, overall


def line_sources(line: PayLine) -> list[Any]:
    """The records a line comes from (line → source rows)."""
    from django.apps import apps

    if not line.source_model or not line.source_ids:
        return []
    model = apps.get_model(line.source_model)
    return list(model._default_manager.filter(pk__in=line.source_ids))
