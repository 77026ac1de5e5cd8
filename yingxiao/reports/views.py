"""Pages: the dashboard (驾驶舱), a KPI's drill-down and its export, the PDF report downloads (报表).

Views parse the query (period, department), call ``kpis`` / ``reports`` and render. A department
outside the viewer's scope answers 404 before anything is computed (ORG-5).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import EXPORT_PERMISSION, Column, export_view
from yingxiao.core.pagination import paginate
from yingxiao.org.scope import scope_for

from . import errors, kpis, pdf
from .periods import Period, parse_period
from .scope import department_choices, resolve_department

DASHBOARD_PERMISSION = "reports.view_dashboard"
REPORT_PERMISSION = "reports.download_report"
PAGE_SIZE = 50


def _need(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _filters(request: HttpRequest) -> tuple[Period, Any]:
    """Period and department from the query; an out-of-scope department is a 404, a bad period a 400."""
    try:
        department = resolve_department(request.user, request.GET.get("department"))
    except BusinessError as exc:
        raise Http404(exc.message) from exc
    period = parse_period(request.GET.get("period"))
    return period, department


def _query(period: Period, department: Any, **extra: str) -> str:
    params = {"period": period.label, **extra}
    if department is not None:
        params["department"] = str(department.pk)
    return urlencode(params)


def _bad_request(request: HttpRequest, error: BusinessError) -> HttpResponse:
    return render(request, "reports/bad_request.html", {"message": error.message}, status=400)


def _scope_label(request: HttpRequest) -> str:
    from django.utils.translation import gettext as _

    scope = scope_for(request.user)
    if scope.is_all:
        return _("the whole marketing center")
    if scope.level == "department":
        return _("your departments")
    return _("your own customers and records")


@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """驾驶舱: every KPI for the viewer's scope, period and department; each figure links to its records."""
    _need(request, DASHBOARD_PERMISSION)
    try:
        period, department = _filters(request)
    except BusinessError as exc:
        return _bad_request(request, exc)
    figures = kpis.figures(request.user, period, department)
    cards = []
    for figure in figures:
        kpi = kpis.KPIS_BY_CODE[figure.code]
        url = reverse("reports:drilldown", args=[figure.code]) + "?" + _query(period, department)
        data = figure.as_dict()
        data["url"] = url
        data["chart"] = kpi.chart
        data["segment_urls"] = {
            s.key: reverse("reports:drilldown", args=[figure.code]) + "?" + _query(period, department, segment=s.key)
            for s in figure.segments
        }
        cards.append({"figure": figure, "kpi": kpi, "url": url, "data": data})
    context = {
        "period": period,
        "department": department,
        "departments": department_choices(request.user),
        "cards": cards,
        "chart_data": [card["data"] for card in cards],
        "scope_label": _scope_label(request),
        "can_download": request.user.has_perm(REPORT_PERMISSION),
    }
    return render(request, "reports/dashboard.html", context)


@require_GET
def drilldown_view(request: HttpRequest, code: str) -> HttpResponse:
    """The records behind one figure, paginated, within the viewer's scope."""
    _need(request, DASHBOARD_PERMISSION)
    try:
        kpi = kpis.get_kpi(code)
        period, department = _filters(request)
    except BusinessError as exc:
        if exc.error == errors.UNKNOWN_KPI:
            raise Http404(exc.message) from exc
        return _bad_request(request, exc)
    segment = (request.GET.get("segment") or "")[:40]
    with kpis.no_jit():
        figure = kpi.figure(request.user, period, department)
        records = kpi.records(request.user, period, department, segment)
        page = paginate(request, records, PAGE_SIZE)
        rows = [kpi.to_row(record) for record in page]
    context = {
        "kpi": kpi,
        "figure": figure,
        "period": period,
        "department": department,
        "segment": segment,
        "page": page,
        "rows": rows,
        "back": reverse("reports:dashboard") + "?" + _query(period, department),
        "can_export": request.user.has_perm(EXPORT_PERMISSION),
        "export_query": _query(period, department, **({"segment": segment} if segment else {})),
    }
    return render(request, "reports/drilldown.html", context)


def _export_columns(kpi: kpis.Kpi) -> list[Column]:
    from django.utils.translation import gettext as _

    columns = [
        Column(_("Record"), "label"),
        Column(_("Owner"), "owner"),
        Column(_("Department"), "department"),
        Column(_("Date"), "when"),
        Column(_("Status"), "status"),
        Column(_("Counted"), lambda row: str(kpi.hit_label if row.hit else kpi.miss_label)),
    ]
    if kpi.denominator_label:
        columns += [Column(kpi.denominator_label, "denominator"), Column(kpi.numerator_label, "numerator")]
    elif kpi.code == "violations":
        columns.append(Column(_("Amount"), "amount"))
    return columns


@require_GET
def drilldown_export_view(request: HttpRequest, code: str) -> HttpResponse:
    """The records behind one figure as a file, through the export control (ARC-2).

    The rows are the drill-down's (the viewer's scope, period, department and segment); the export
    permission, the per-file and per-hour caps, the log and the formula escaping are
    ``core.exports``'s. A queryset-backed drill-down is streamed, never held in memory.
    """
    _need(request, DASHBOARD_PERMISSION)
    try:
        kpi = kpis.get_kpi(code)
        period, department = _filters(request)
    except BusinessError as exc:
        if exc.error == errors.UNKNOWN_KPI:
            raise Http404(exc.message) from exc
        return _bad_request(request, exc)
    segment = (request.GET.get("segment") or "")[:40]
    records = kpi.records(request.user, period, department, segment)
    return export_view(
        request,
        list_name=f"reports.kpi.{kpi.code}",
        rows=records,
        prepare=kpi.to_row,
        columns=_export_columns(kpi),
        title=f"{kpi.label} {period.label}",
        filename=f"kpi-{kpi.code}-{period.label}",
    )


@require_GET
def report_index_view(request: HttpRequest) -> HttpResponse:
    """报表: the weekly summary and monthly report as PDF for the viewer's scope."""
    _need(request, REPORT_PERMISSION)
    from .periods import month_of, week_of
    from .summary import last_week

    today_week = last_week()
    context = {
        "week": today_week,
        "this_week": week_of(today_week.end),
        "month": month_of(today_week.end),
        "departments": department_choices(request.user),
    }
    return render(request, "reports/reports.html", context)


@require_GET
def report_pdf_view(request: HttpRequest, kind: str) -> HttpResponse:
    """The PDF of the weekly summary (``week``) or the monthly report (``month``)."""
    _need(request, REPORT_PERMISSION)
    if kind not in pdf.KINDS:
        raise Http404
    try:
        department = resolve_department(request.user, request.GET.get("department"))
    except BusinessError as exc:
        raise Http404(exc.message) from exc
    try:
        period = pdf.period_for(kind, request.GET.get("period"))
    except BusinessError as exc:
        return _bad_request(request, exc)
    content = pdf.render_report_pdf(request.user, kind, period, department)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="yingxiao-{kind}-{period.label}.pdf"'
    return response
