"""Organisation pages: the org chart (组织架构图)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import org_chart


def org_chart_view(request: HttpRequest) -> HttpResponse:
    return render(request, "org/chart.html", {"roots": org_chart()})
