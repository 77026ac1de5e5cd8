"""Home page (工作台): where each role starts the day, plus the error pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingxiao.org.models import DataScope
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import positions_of

from .context_processors import entries_for

# Shortcuts on the home page: (url name, label, icon, permission or None).
QUICK_ACTIONS = [
    ("customers:create", _("New customer"), "person-plus", "customers.add_customer"),
    ("approvals:mine", _("My requests"), "send", None),
    ("notifications:list", _("Notifications"), "bell", None),
]

SCOPE_TEXT = {
    DataScope.OWN: _("You see the records you own."),
    DataScope.DEPARTMENT: _("You see the records of your department and the departments below it."),
    DataScope.ALL: _("You see the records of the whole company."),
}


def _links(user: Any) -> list[dict[str, Any]]:
    links = []
    for url_name, label, icon, perm in QUICK_ACTIONS:
        if perm and not user.has_perm(perm):
            continue
        try:
            links.append({"url": reverse(url_name), "label": label, "icon": icon})
        except NoReverseMatch:
            continue
    if user.is_staff:
        links.append(
            {"url": reverse("admin:index"), "label": pgettext_lazy("navigation", "Administration"), "icon": "gear"}
        )
    links.append({"url": reverse("api-docs"), "label": _("API documentation"), "icon": "braces"})
    return links


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)  # type: ignore[arg-type]
    cards = [item for item in entries_for(user) if item["name"] != "web:home"]
    return render(
        request,
        "web/home.html",
        {
            "positions": positions_of(user),  # type: ignore[arg-type]
            "cards": cards,
            "quick_links": _links(user),
            "scope_text": SCOPE_TEXT.get(DataScope(scope.level), ""),
        },
    )
