"""The KPI registry (KPI section of rules.md): every figure of the dashboards and reports.

Each ``Kpi`` has a code, a label, a unit and two functions of ``(viewer, period, department)``:

* ``figure`` — the headline, computed set-based (one aggregate or one grouped query), with
  ``hits`` (rows counted in the numerator) and ``total`` (the rows behind the figure);
* ``records`` — the records behind it (a queryset to paginate, or a list), each turned into a
  ``Row`` by ``to_row``; ``row.hit`` says whether it counts in the numerator.

Both start from the apps' scoped querysets (``restrict``, ORG-5), so a figure never counts a
row the viewer could not open, and ``figure.total == len(records)``, ``figure.hits == number of
hit rows`` for every viewer — the drill-down is the figure's proof.

KPIs whose data is kept by another app name a ``provider`` (a dotted path). Until that module
exists the KPI shows "no data yet". Once it does, the path names one of:

* a **source** — an object with ``figure(viewer, period, department) -> Provided`` (the headline,
  set-based), ``records(viewer, period, department, segment)`` (a queryset or list to paginate
  and stream) and ``to_row(record) -> Row``. The dashboard then costs one aggregate, and a
  drill-down page or export reads only its own rows;
* a **function** ``provider(viewer, period, department) -> (value, rows)`` — the figure in the
  KPI's unit (or None) and an iterable of ``Row`` (or dicts with Row's fields) already scoped to
  the viewer; hits and total are counted from the rows.

Money KPIs carry ``numerator`` / ``denominator`` on the figure and on every row: the rows' sums are
the figure's (回款率: collected / due; 坏账率: written off / revenue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingxiao.policy.values import policy_value

from .periods import Period
from .scope import department_ids

if TYPE_CHECKING:
    from yingxiao.org.models import Department, User

PERCENT = "percent"
COUNT = "count"
_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Row:
    """One record behind a figure, as the drill-down lists it."""

    pk: Any
    label: str
    owner: str = ""
    department: str = ""
    when: dt.date | dt.datetime | None = None
    hit: bool = True
    status: str = ""
    url: str = ""
    segment: str = ""
    amount: Decimal | None = None
    # The row's share of a money figure (collected / due, written off / revenue …).
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass(frozen=True)
class Provided:
    """A source's headline: the figure and the counts and sums of the rows behind it."""

    value: Decimal | int | None
    hits: int
    total: int
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    target: Decimal | None = None
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Segment:
    """One bar of a breakdown (funnel stage, ranked person) with its own drill-down."""

    key: str
    label: str
    total: int
    hits: int


@dataclass
class Figure:
    """A KPI's value for one viewer, period and department."""

    code: str
    label: str | Promise
    unit: str
    value: Decimal | int | None
    hits: int = 0
    total: int = 0
    target: Decimal | None = None
    amount: Decimal | None = None
    available: bool = True
    provider: str = ""
    segments: list[Segment] = field(default_factory=list)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    target_is_limit: bool = False  # the target is a ceiling (坏账率): at or below it is good

    @property
    def meets_target(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        if self.target_is_limit:
            return Decimal(self.value) <= self.target
        return Decimal(self.value) >= self.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": str(self.label),
            "unit": self.unit,
            "value": None if self.value is None else str(self.value),
            "hits": self.hits,
            "total": self.total,
            "target": None if self.target is None else str(self.target),
            "amount": None if self.amount is None else str(self.amount),
            "available": self.available,
            "provider": self.provider,
            "meets_target": self.meets_target,
            "target_is_limit": self.target_is_limit,
            "numerator": None if self.numerator is None else str(self.numerator),
            "denominator": None if self.denominator is None else str(self.denominator),
            "segments": [{"key": s.key, "label": s.label, "total": s.total, "hits": s.hits} for s in self.segments],
        }


_COUNTED = _("counted")
_NOT_COUNTED = _("not counted")

Compute = Callable[["User", Period, "Department | None"], Figure]
Records = Callable[["User", Period, "Department | None", str], "QuerySet[Any] | Sequence[Any]"]


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str | Promise
    unit: str
    description: str | Promise
    figure: Compute
    records: Records
    to_row: Callable[[Any], Row]
    hit_label: str | Promise = _COUNTED
    miss_label: str | Promise = _NOT_COUNTED
    provider: str = ""
    chart: str = "gauge"  # gauge (rates), bar (breakdowns), funnel, number
    target_policy: str = ""  # policy parameter (percent) the figure is measured against
    target_is_limit: bool = False  # the target is a ceiling, not a floor
    # Column headers of a money KPI's row shares (e.g. "Collected" / "Due"); empty: no such columns.
    numerator_label: str | Promise = ""
    denominator_label: str | Promise = ""


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


def _ids(department: Department | None) -> list[int] | None:
    # The subtree is asked for once per department object (a dashboard computes a dozen KPIs).
    if department is None:
        return None
    cached = getattr(department, "_reports_subtree", None)
    if cached is None:
        cached = department_ids(department)
        department._reports_subtree = cached  # type: ignore[attr-defined]
    return cached


def _in_period(qs: QuerySet[Any], field_name: str, period: Period, *, until_now: bool = False) -> QuerySet[Any]:
    start, end = period.bounds()
    if until_now:
        end = min(end, timezone.now())
    return qs.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def _in_departments(qs: QuerySet[Any], field_name: str, department: Department | None) -> QuerySet[Any]:
    ids = _ids(department)
    return qs if ids is None else qs.filter(**{f"{field_name}__in": ids})


def _url(name: str, pk: Any) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _person(user: Any) -> str:
    return str(user) if user is not None else str(_("(no owner)"))


def _hit_annotation(qs: QuerySet[Any], hit: Q) -> QuerySet[Any]:
    return qs.annotate(kpi_hit=Case(When(hit, then=Value(True)), default=Value(False), output_field=BooleanField()))


def _aggregate(qs: QuerySet[Any], hit: Q) -> tuple[int, int]:
    result = qs.order_by().aggregate(total=Count("pk"), hits=Count("pk", filter=hit))
    return result["hits"] or 0, result["total"] or 0


# --- customers: new-customer growth, conversion, funnel, ranking ----------------------------------


def _customers(viewer: User, department: Department | None) -> QuerySet[Any]:
    from yingxiao.customers.models import Customer

    qs = Customer.objects.restrict(viewer, "view").filter(is_archived=False)
    return _in_departments(qs, "department_id", department)


def _new_customers(viewer: User, period: Period, department: Department | None) -> QuerySet[Any]:
    return _in_period(_customers(viewer, department), "registered_at", period)


def _customer_row(customer: Any) -> Row:
    return Row(
        pk=customer.pk,
        label=customer.name,
        owner=_person(customer.owner),
        department=customer.department.name if customer.department else "",
        when=customer.registered_at,
        hit=bool(getattr(customer, "kpi_hit", True)),
        status=customer.get_stage_display(),
        url=_url("customers:detail", customer.pk),
        segment=str(getattr(customer, "kpi_segment", "") or ""),
    )


def _growth_base(viewer: User, period: Period, department: Department | None) -> tuple[QuerySet[Any], Q]:
    previous = period.year_before()
    start, end = period.bounds()
    last_start, last_end = previous.bounds()
    qs = _customers(viewer, department).filter(
        Q(registered_at__gte=start, registered_at__lt=end)
        | Q(registered_at__gte=last_start, registered_at__lt=last_end)
    )
    return qs, Q(registered_at__gte=start, registered_at__lt=end)


def _new_customer_groups(viewer: User, period: Period, department: Department | None) -> list[dict[str, Any]]:
    """The period's and the year-earlier period's new customers counted per owner and stage: one grouped
    query that 新客户增长率, 成交率, the funnel and the ranking all read (``figures`` asks it once)."""
    qs, hit = _growth_base(viewer, period, department)
    return list(qs.order_by().values("owner_id", "stage").annotate(current=Count("pk", filter=hit), n=Count("pk")))


def growth_figure(
    viewer: User, period: Period, department: Department | None, groups: list[dict[str, Any]] | None = None
) -> Figure:
    """新客户增长率: new customers of the period against the same period a year earlier."""
    groups = _new_customer_groups(viewer, period, department) if groups is None else groups
    hits, total = sum(g["current"] for g in groups), sum(g["n"] for g in groups)
    previous = total - hits
    value = None if not previous else (Decimal(100) * (hits - previous) / previous).quantize(_ONE_DECIMAL)
    return Figure(
        "new_customer_growth",
        KPIS_BY_CODE["new_customer_growth"].label,
        PERCENT,
        value,
        hits,
        total,
        target=Decimal(policy_value("new_customer_growth")),
    )


def growth_records(viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
    qs, hit = _growth_base(viewer, period, department)
    if segment == "current":
        qs = qs.filter(hit)
    elif segment == "previous":
        qs = qs.exclude(hit)
    return _hit_annotation(qs, hit).select_related("owner", "department").order_by("-registered_at", "-pk")


_DEAL = Q(stage="deal")


def conversion_figure(
    viewer: User, period: Period, department: Department | None, groups: list[dict[str, Any]] | None = None
) -> Figure:
    """成交率: of the customers registered in the period, the share that became a deal."""
    groups = _new_customer_groups(viewer, period, department) if groups is None else groups
    total = sum(g["current"] for g in groups)
    hits = sum(g["current"] for g in groups if g["stage"] == "deal")
    return Figure("conversion", KPIS_BY_CODE["conversion"].label, PERCENT, percent(hits, total), hits, total)


def new_customer_records(
    viewer: User, period: Period, department: Department | None, segment: str = ""
) -> QuerySet[Any]:
    qs = _new_customers(viewer, period, department)
    return _hit_annotation(qs, _DEAL).select_related("owner", "department").order_by("-registered_at", "-pk")


_STAGE_ORDER = ["potential", "intent", "deal", "lost"]


def funnel_figure(
    viewer: User, period: Period, department: Department | None, groups: list[dict[str, Any]] | None = None
) -> Figure:
    """销售漏斗: the period's new customers by stage."""
    from yingxiao.customers.models import Customer

    groups = _new_customer_groups(viewer, period, department) if groups is None else groups
    counts: dict[str, int] = {}
    for g in groups:
        if g["current"]:
            counts[g["stage"]] = counts.get(g["stage"], 0) + g["current"]
    labels = dict(Customer.Stage.choices)
    segments = [
        Segment(
            stage, str(labels.get(stage, stage)), counts.get(stage, 0), counts.get(stage, 0) if stage == "deal" else 0
        )
        for stage in _STAGE_ORDER
    ]
    total = sum(counts.values())
    hits = counts.get("deal", 0)
    return Figure("funnel", KPIS_BY_CODE["funnel"].label, COUNT, total, hits, total, segments=segments)


def funnel_records(viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
    qs = new_customer_records(viewer, period, department).annotate(kpi_segment=F("stage"))
    return qs.filter(stage=segment) if segment else qs


def ranking_figure(
    viewer: User, period: Period, department: Department | None, groups: list[dict[str, Any]] | None = None
) -> Figure:
    """排行榜: new customers and deals per owner in the period, most deals first."""
    from yingxiao.org.models import User as UserModel

    groups = _new_customer_groups(viewer, period, department) if groups is None else groups
    per_owner: dict[int | None, list[int]] = {}
    for g in groups:
        if g["current"]:
            counts = per_owner.setdefault(g["owner_id"], [0, 0])
            counts[0] += g["current"]
            counts[1] += g["current"] if g["stage"] == "deal" else 0
    names = {  # User.__str__ without building a user per ranked person
        pk: display or username
        for pk, display, username in UserModel.objects.filter(pk__in=[pk for pk in per_owner if pk]).values_list(
            "pk", "display_name", "username"
        )
    }
    nobody = str(_("(no owner)"))
    segments = sorted(
        (
            Segment(str(owner or "none"), names.get(owner, nobody), total, hits)  # type: ignore[arg-type]
            for owner, (total, hits) in per_owner.items()
        ),
        key=lambda s: (-s.hits, -s.total, s.label),
    )
    total = sum(s.total for s in segments)
    hits = sum(s.hits for s in segments)
    return Figure("ranking", KPIS_BY_CODE["ranking"].label, COUNT, len(segments), hits, total, segments=segments)


def ranking_records(viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
    qs = new_customer_records(viewer, period, department).annotate(kpi_segment=F("owner_id"))
    if segment == "none":
        return qs.filter(owner__isnull=True)
    if segment:
        try:
            return qs.filter(owner_id=int(segment))
        except ValueError:
            return qs.none()
    return qs


# --- complaints: 投诉处理及时率 -------------------------------------------------------------------

_CLOSED_ON_TIME = Q(closed_at__isnull=False, closed_at__lte=F("close_due_at"))


def _complaints(viewer: User, period: Period, department: Department | None) -> QuerySet[Any]:
    from yingxiao.service.models import Complaint

    # Complaints whose closing deadline (CMP-5) fell in the period and has passed.
    qs = _in_period(Complaint.objects.restrict(viewer, "view"), "close_due_at", period, until_now=True)
    return _in_departments(qs, "responsible_department_id", department)


def complaint_figure(viewer: User, period: Period, department: Department | None) -> Figure:
    hits, total = _aggregate(_complaints(viewer, period, department), _CLOSED_ON_TIME)
    return Figure(
        "complaint_punctuality", KPIS_BY_CODE["complaint_punctuality"].label, PERCENT, percent(hits, total), hits, total
    )


def complaint_records(viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
    qs = _hit_annotation(_complaints(viewer, period, department), _CLOSED_ON_TIME)
    return qs.select_related("customer", "responsible_department", "responsible_person").order_by("close_due_at", "pk")


def _complaint_row(complaint: Any) -> Row:
    return Row(
        pk=complaint.pk,
        label=f"#{complaint.pk} {complaint.customer}",
        owner=_person(complaint.responsible_person) if complaint.responsible_person_id else "",
        department=complaint.responsible_department.name if complaint.responsible_department_id else "",
        when=complaint.close_due_at,
        hit=bool(complaint.kpi_hit),
        status=complaint.get_status_display(),
        url=_url("service:detail", complaint.pk),
    )


# --- telesales: 留电率 --------------------------------------------------------------------------


def _connected_calls(viewer: User, period: Period, department: Department | None) -> QuerySet[Any]:
    from yingxiao.telesales.models import CallLog

    qs = _in_period(CallLog.objects.restrict(viewer, "view"), "started_at", period)
    return _in_departments(qs.exclude(outcome__in=CallLog.NOT_CONNECTED), "department_id", department)


def _captured() -> Q:
    from yingxiao.telesales.models import CallLog

    # The callee left a way to follow up: an intent level, an appointment or a deal (TEL-2 outcomes).
    return Q(outcome__in=CallLog.INTENT)


def capture_figure(viewer: User, period: Period, department: Department | None) -> Figure:
    """留电率 from the agents' day rows (``telesales.AgentDay``): a month is a few thousand rows, not
    every call. The rows are kept in the calls' own transaction and count exactly the calls the
    drill-down lists — connected (``connected``) and left a follow-up (``intents``) — in the same
    scope (ORG-5: ``AgentDay.restrict`` is the calls' scope) and the same local days."""
    from yingxiao.telesales.models import AgentDay

    # rule: TEL-4 — the day summary counts each logged call once, as logged (like the drill-down).
    days = _in_departments(
        AgentDay.objects.restrict(viewer, "view").filter(day__gte=period.start, day__lt=period.end),
        "department_id",
        department,
    )
    result = days.order_by().aggregate(total=Sum("connected"), hits=Sum("intents"))
    hits, total = int(result["hits"] or 0), int(result["total"] or 0)
    return Figure("contact_capture", KPIS_BY_CODE["contact_capture"].label, PERCENT, percent(hits, total), hits, total)


def capture_records(viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
    qs = _hit_annotation(_connected_calls(viewer, period, department), _captured())
    return qs.select_related("entry", "agent", "department").order_by("-started_at", "-pk")


def _call_row(call: Any) -> Row:
    return Row(
        pk=call.pk,
        label=f"{call.entry.name} {call.entry.phone}",
        owner=_person(call.agent),
        department=call.department.name if call.department_id else "",
        when=call.started_at,
        hit=bool(call.kpi_hit),
        status=call.get_outcome_display(),
        url=_url("telesales:call", call.pk),
    )


# --- performance ledger: violations this period ---------------------------------------------------


def _violations(viewer: User, period: Period, department: Department | None) -> QuerySet[Any]:
    from yingxiao.performance.models import Violation

    qs = _in_period(Violation.objects.restrict(viewer, "view"), "recorded_at", period)
    return _in_departments(qs.exclude(status=Violation.Status.REJECTED), "department_id", department)


def violation_figure(viewer: User, period: Period, department: Department | None) -> Figure:
    result = _violations(viewer, period, department).order_by().aggregate(total=Count("pk"), amount=Sum("amount"))
    total = result["total"] or 0
    return Figure(
        "violations",
        KPIS_BY_CODE["violations"].label,
        COUNT,
        total,
        total,
        total,
        amount=result["amount"] or Decimal("0.00"),
    )


def violation_records(viewer: User, period: Period, department: Department | None, segment: str = "") -> QuerySet[Any]:
    return (
        _violations(viewer, period, department).select_related("person", "department").order_by("-recorded_at", "-pk")
    )


def _violation_row(violation: Any) -> Row:
    return Row(
        pk=violation.pk,
        label=f"{violation.rule_id} · {violation.person}",
        owner=_person(violation.person),
        department=violation.department.name if violation.department_id else "",
        when=violation.recorded_at,
        hit=True,
        status=violation.get_status_display(),
        amount=violation.amount,
    )


# --- return visits: 回访及时率 (ACT-2) --------------------------------------------------------------


def _punctuality_items(viewer: User, period: Period, department: Department | None) -> tuple[list[Any], Decimal]:
    from yingxiao.activities.return_visits import return_visit_punctuality

    items: list[Any] = []
    target = Decimal(1)
    for month in period.months():
        report = return_visit_punctuality(viewer, month, department_id=department.pk if department else None)
        target = report.target
        # A week or a month starting mid-month keeps only the due dates inside the period.
        items.extend(item for item in report.items if period.start <= item.due < period.end)
    return items, target


def return_visit_figure(viewer: User, period: Period, department: Department | None) -> Figure:
    """回访及时率: counted in the database (the drill-down lists the same due return visits)."""
    from yingxiao.activities.statistics import return_visit_punctuality_counts

    hits, total = return_visit_punctuality_counts(
        viewer, period.start, period.last_day, department_id=department.pk if department else None
    )
    at = min(period.bounds()[1], timezone.now())
    return Figure(
        "return_visit_punctuality",
        KPIS_BY_CODE["return_visit_punctuality"].label,
        PERCENT,
        percent(hits, total),
        hits,
        total,
        target=Decimal(str(policy_value("return_visit_target", at=at))).quantize(_ONE_DECIMAL),
    )


def return_visit_records(viewer: User, period: Period, department: Department | None, segment: str = "") -> list[Any]:
    items, _target = _punctuality_items(viewer, period, department)
    return items


def _due_row(item: Any) -> Row:
    return Row(
        pk=item.customer_id,
        label=item.customer_name,
        owner=item.owner_name,
        department=item.department_name,
        when=item.due,
        hit=item.on_time,
        status=str(item.status_label),
        url=_url("customers:detail", item.customer_id),
    )


# --- KPIs computed by other apps (providers) -----------------------------------------------------


def _as_row(row: Row | dict[str, Any]) -> Row:
    if isinstance(row, Row):
        return row
    known = {f.name for f in fields(Row)}
    return Row(**{key: value for key, value in row.items() if key in known})


def _provider_of(code: str) -> Any:
    """The provider object named by the KPI's path, or None while the providing module is absent."""
    try:
        return import_string(KPIS_BY_CODE[code].provider)
    except ImportError:
        return None  # the providing app is not there yet: "no data yet"


def _is_source(provider: Any) -> bool:
    return all(callable(getattr(provider, name, None)) for name in ("figure", "records", "to_row"))


def _provided(code: str, viewer: User, period: Period, department: Department | None) -> tuple[Any, list[Row]] | None:
    provider = _provider_of(code)
    if provider is None:
        return None
    if _is_source(provider):
        records = provider.records(viewer, period, department, "")
        return provider.figure(viewer, period, department).value, [_as_row(provider.to_row(r)) for r in records]
    value, rows = provider(viewer, period, department)
    return value, [_as_row(row) for row in rows]


def _target_of(kpi: Kpi) -> Decimal | None:
    return Decimal(str(policy_value(kpi.target_policy))) if kpi.target_policy else None


def _provider_figure(code: str) -> Compute:
    def compute(viewer: User, period: Period, department: Department | None) -> Figure:
        kpi = KPIS_BY_CODE[code]
        provider = _provider_of(code)
        figure = Figure(
            code, kpi.label, kpi.unit, None, target=_target_of(kpi), provider=kpi.provider,
            target_is_limit=kpi.target_is_limit,
        )  # fmt: skip
        if provider is None:
            figure.available = False
        elif _is_source(provider):
            # A source computes its headline set-based: no row is built for the dashboard.
            provided = provider.figure(viewer, period, department)
            figure.value, figure.hits, figure.total = provided.value, provided.hits, provided.total
            figure.numerator, figure.denominator = provided.numerator, provided.denominator
            figure.segments = list(provided.segments)
            if provided.target is not None:
                figure.target = provided.target
        else:
            value, rows = provider(viewer, period, department)
            rows = [_as_row(row) for row in rows]
            figure.value, figure.hits, figure.total = value, sum(1 for row in rows if row.hit), len(rows)
        return figure

    return compute


def _provider_records(code: str) -> Records:
    def records(viewer: User, period: Period, department: Department | None, segment: str = "") -> Any:
        provider = _provider_of(code)
        if provider is None:
            return []
        if _is_source(provider):
            return provider.records(viewer, period, department, segment)
        return [_as_row(row) for row in provider(viewer, period, department)[1]]

    return records


def _provider_row(code: str) -> Callable[[Any], Row]:
    def to_row(record: Any) -> Row:
        if isinstance(record, Row):
            return record
        provider = _provider_of(code)
        if provider is not None and _is_source(provider):
            return _as_row(provider.to_row(record))
        return _as_row(record)

    return to_row


# --- the registry ---------------------------------------------------------------------------------

KPIS: list[Kpi] = [
    Kpi(
        "plan_achievement",
        pgettext_lazy("kpi", "Plan vs actual"),
        PERCENT,
        _("Actual against the targets of the period (PLN-1…3)."),
        _provider_figure("plan_achievement"),
        _provider_records("plan_achievement"),
        _provider_row("plan_achievement"),
        hit_label=_("target reached"),
        miss_label=_("behind target"),
        provider="yingxiao.planning.kpis.plan_achievement",
        numerator_label=pgettext_lazy("kpi", "Actual"),
        denominator_label=pgettext_lazy("kpi", "Target"),
    ),
    Kpi(
        "collection_rate",
        pgettext_lazy("kpi", "Collection rate"),
        PERCENT,
        _("Collected against receivable (回款率)."),
        _provider_figure("collection_rate"),
        _provider_records("collection_rate"),
        _provider_row("collection_rate"),
        hit_label=_("fully collected"),
        miss_label=_("outstanding"),
        provider="yingxiao.sales.dashboard_kpis.collection_rate",
        target_policy="collection_target",
        numerator_label=pgettext_lazy("kpi", "Collected"),
        denominator_label=pgettext_lazy("kpi", "Due"),
    ),
    Kpi(
        "bad_debt_ratio",
        pgettext_lazy("kpi", "Bad-debt ratio"),
        PERCENT,
        _("Bad debts against receivables (坏账率)."),
        _provider_figure("bad_debt_ratio"),
        _provider_records("bad_debt_ratio"),
        _provider_row("bad_debt_ratio"),
        hit_label=_("bad debt"),
        miss_label=_("no bad debt"),
        provider="yingxiao.sales.dashboard_kpis.bad_debt_ratio",
        target_is_limit=True,
        numerator_label=pgettext_lazy("kpi", "Written off"),
        denominator_label=pgettext_lazy("kpi", "Revenue"),
    ),
    Kpi(
        "return_visit_punctuality",
        pgettext_lazy("kpi", "Return-visit punctuality"),
        PERCENT,
        _("Return visits due in the period and made by their due date (回访及时率, ACT-2)."),
        return_visit_figure,
        return_visit_records,
        _due_row,
        hit_label=_("on time"),
        miss_label=_("late or missed"),
    ),
    Kpi(
        "complaint_punctuality",
        pgettext_lazy("kpi", "Complaint punctuality"),
        PERCENT,
        _("Complaints due to close in the period and closed in time (投诉处理及时率, CMP-5)."),
        complaint_figure,
        complaint_records,
        _complaint_row,
        hit_label=_("closed in time"),
        miss_label=_("late or open"),
    ),
    Kpi(
        "new_customer_growth",
        pgettext_lazy("kpi", "New-customer growth"),
        PERCENT,
        _("New customers against the same period last year (新客户增长率)."),
        growth_figure,
        growth_records,
        _customer_row,
        hit_label=_("this period"),
        miss_label=_("same period last year"),
    ),
    Kpi(
        "loyalty",
        pgettext_lazy("kpi", "Customer loyalty"),
        PERCENT,
        _("Share of repeat customers (客户忠诚度)."),
        _provider_figure("loyalty"),
        _provider_records("loyalty"),
        _provider_row("loyalty"),
        hit_label=_("repeat customer"),
        miss_label=_("first purchase"),
        provider="yingxiao.sales.dashboard_kpis.repeat_customers",
        target_policy="loyalty_target",
    ),
    Kpi(
        "conversion",
        pgettext_lazy("kpi", "Conversion rate"),
        PERCENT,
        _("Customers registered in the period that became a deal (成交率)."),
        conversion_figure,
        new_customer_records,
        _customer_row,
        hit_label=_("deal"),
        miss_label=_("no deal yet"),
    ),
    Kpi(
        "contact_capture",
        pgettext_lazy("kpi", "Contact-capture rate"),
        PERCENT,
        _("Connected telesales calls that left a follow-up: intent, appointment or deal (留电率)."),
        capture_figure,
        capture_records,
        _call_row,
        hit_label=_("captured"),
        miss_label=_("not captured"),
    ),
    Kpi(
        "funnel",
        pgettext_lazy("kpi", "Sales funnel"),
        COUNT,
        _("The period's new customers by stage."),
        funnel_figure,
        funnel_records,
        _customer_row,
        hit_label=_("deal"),
        miss_label=_("no deal yet"),
        chart="funnel",
    ),
    Kpi(
        "ranking",
        pgettext_lazy("kpi", "Ranking"),
        COUNT,
        _("Deals and new customers per person in the period."),
        ranking_figure,
        ranking_records,
        _customer_row,
        hit_label=_("deal"),
        miss_label=_("no deal yet"),
        chart="bar",
    ),
    Kpi(
        "violations",
        pgettext_lazy("kpi", "Violations"),
        COUNT,
        _("Violations recorded in the period (the performance ledger, DIS-1)."),
        violation_figure,
        violation_records,
        _violation_row,
        chart="number",
    ),
]
KPIS_BY_CODE: dict[str, Kpi] = {kpi.code: kpi for kpi in KPIS}
_FROM_NEW_CUSTOMER_GROUPS: dict[str, Callable[..., Figure]] = {
    "new_customer_growth": growth_figure,
    "conversion": conversion_figure,
    "funnel": funnel_figure,
    "ranking": ranking_figure,
}


def get_kpi(code: str) -> Kpi:
    from yingxiao.core.errors import BusinessError

    from . import errors

    kpi = KPIS_BY_CODE.get(code)
    if kpi is None:
        raise BusinessError(errors.UNKNOWN_KPI)
    return kpi


def figures(
    viewer: User, period: Period, department: Department | None, codes: Iterable[str] | None = None
) -> list[Figure]:
    """Every KPI (or the named ones) for the viewer: the dashboard's one call."""
    selected = [KPIS_BY_CODE[c] for c in codes] if codes is not None else KPIS
    with no_jit():
        groups: list[dict[str, Any]] | None = None
        result = []
        for kpi in selected:
            builder = _FROM_NEW_CUSTOMER_GROUPS.get(kpi.code)
            if builder is None:
                result.append(kpi.figure(viewer, period, department))
                continue
            if groups is None:  # asked once for the four KPIs of the period's new customers
                groups = _new_customer_groups(viewer, period, department)
            result.append(builder(viewer, period, department, groups))
        return result


@contextmanager
def no_jit() -> Iterator[None]:
    """A transaction in which PostgreSQL does not JIT-compile: the KPI statements are short
    aggregates whose cost estimate at millions of rows crosses ``jit_above_cost``, and compiling
    one takes longer (up to seconds) than running it."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def rows(viewer: User, kpi: Kpi, period: Period, department: Department | None, segment: str = "") -> list[Row]:
    """The whole drill-down as rows (tests, PDF, API); pages slice ``kpi.records`` instead."""
    return [kpi.to_row(record) for record in kpi.records(viewer, period, department, segment)]
