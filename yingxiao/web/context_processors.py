"""Template context for the layout: the navigation the current user may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission needed or None)
NAVIGATION = [
    ("web:home", _("Home"), None),
    ("customers:list", _("Customers"), "customers.view_customer"),
    ("activities:list", _("Activities"), "activities.view_activity"),
    ("org:chart", _("Organisation"), None),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, perm in NAVIGATION:
        if perm and not user.has_perm(perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # an app whose pages are not wired yet
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
