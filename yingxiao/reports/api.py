"""API of the dashboards: KPI values and their drill-down rows, scoped to the caller (ORG-5).

``GET /api/v1/kpis/?period=2026-03&department=5`` → every figure;
``GET /api/v1/kpis/<code>/?period=…&department=…&segment=…&page=N`` → the figure and one page of
the records behind it. A department outside the caller's scope → 404 ``reports.department_out_of_scope``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.errors import PERMISSION_DENIED, BusinessError

from . import kpis
from .periods import parse_period
from .scope import resolve_department

PAGE_SIZE = 100
_PARAMS = [
    OpenApiParameter("period", str, description="YYYY-MM, YYYY-Qn, YYYY or YYYY-Www; default this month"),
    OpenApiParameter("department", int, description="a department within your scope (subtree included)"),
]


def _filters(request: Request) -> tuple[Any, Any]:
    if not request.user.has_perm("reports.view_dashboard"):
        raise BusinessError(PERMISSION_DENIED)
    department = resolve_department(request.user, request.query_params.get("department"))
    return parse_period(request.query_params.get("period")), department


def _json_row(row: kpis.Row) -> dict[str, Any]:
    data = asdict(row)
    if isinstance(row.when, dt.datetime | dt.date):
        data["when"] = row.when.isoformat()
    if row.amount is not None:
        data["amount"] = str(row.amount)
    return data


class KpiViewSet(viewsets.ViewSet):
    """KPI figures and drill-downs (KPI section of rules.md)."""

    lookup_value_regex = r"[a-z_]+"

    @extend_schema(operation_id="v1_kpis_list", parameters=_PARAMS, responses={200: dict})
    def list(self, request: Request) -> Response:
        period, department = _filters(request)
        figures = kpis.figures(request.user, period, department)  # type: ignore[arg-type]
        return Response(
            {
                "period": period.label,
                "department": department.pk if department else None,
                "kpis": [figure.as_dict() for figure in figures],
            }
        )

    @extend_schema(
        operation_id="v1_kpis_drilldown",
        parameters=[*_PARAMS, OpenApiParameter("segment", str), OpenApiParameter("page", int)],
        responses={200: dict},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        period, department = _filters(request)
        kpi = kpis.get_kpi(pk or "")
        segment = (request.query_params.get("segment") or "")[:40]
        figure = kpi.figure(request.user, period, department)  # type: ignore[arg-type]
        records = kpi.records(request.user, period, department, segment)  # type: ignore[arg-type]
        paginator = Paginator(records, PAGE_SIZE)
        try:
            number = max(int(request.query_params.get("page") or 1), 1)
        except ValueError:
            number = 1
        try:
            page = paginator.page(number)
        except EmptyPage:
            page = None
        return Response(
            {
                "period": period.label,
                "department": department.pk if department else None,
                "figure": figure.as_dict(),
                "count": paginator.count,
                "page": number,
                "has_next": bool(page and page.has_next()),
                "rows": [_json_row(kpi.to_row(record)) for record in (page or [])],
            }
        )


def register(router: BaseRouter) -> None:
    router.register("kpis", KpiViewSet, basename="kpis")
