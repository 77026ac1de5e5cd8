"""The customer list as a file (客户导出): the list's filters over the viewer's own customers (ARC-2, ORG-5).

What is exported is exactly what the list shows the viewer — the shared filterset (search, stage,
grade, source, owner, department, intent, registration dates, sort) over ``Customer.objects.restrict``
— or only the rows ticked on the page. Everything else is the shared export control's
(``core.exports``): its own permission (``archives.export_data``: seeing customers is not taking them
home as a file), the per-file and per-hour caps, the log of who exported which filter and how many
rows, formula escaping, and constant-memory writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from yingxiao.core.exports import Column

from .models import Customer
from .selectors import customer_filterset

if TYPE_CHECKING:
    from yingxiao.org.models import User

LIST_NAME = "customers.customers"
# ``?export=selected&selected=1&selected=2``: the rows ticked on the page (none ticked: none exported).
SELECTED = "selected"
_PLAIN = ("id", "name", "phone", "email", "industry", "region", "address", "registered_at", "last_served_at")
_CHOICES = ("kind", "source", "stage", "grade", "intent", "credit")


def columns() -> list[Column]:
    """The file's columns in the current language.

    Rows are plain values (no model instances) and each choice's labels are translated once per
    export: ``get_FOO_display`` translates every label of the field on every call, which made it
    most of a 100,000-row export's time.
    """

    def choice(name: str) -> Any:
        labels = {value: str(label) for value, label in Customer._meta.get_field(name).flatchoices}
        return lambda row: labels.get(row[name], row[name])

    def plain(name: str) -> Any:
        return lambda row: row[name]

    yes = str(_("Yes"))
    return [
        Column(_("Number"), plain("id")),
        Column(_("Name"), plain("name")),
        Column(_("Kind"), choice("kind")),
        Column(_("Phone"), plain("phone")),
        Column(_("E-mail"), plain("email")),
        Column(_("Industry"), plain("industry")),
        Column(_("Region"), plain("region")),
        Column(_("Address"), plain("address")),
        Column(_("Source"), choice("source")),
        Column(_("Stage"), choice("stage")),
        Column(_("Grade"), choice("grade")),
        Column(_("Intent level"), choice("intent")),
        Column(_("Credit status"), choice("credit")),
        Column(_("Blacklisted"), lambda row: yes if row["is_blacklisted"] else ""),
        Column(_("Owner"), lambda row: row["owner_name"] or ""),
        Column(_("Department"), lambda row: row["department_name"] or ""),
        Column(_("Registered"), plain("registered_at")),
        Column(_("Last served"), plain("last_served_at")),
    ]


def customer_export_rows(actor: User, params: Mapping[str, Any]) -> QuerySet[Customer, dict[str, Any]]:
    """rule: ORG-5 — the customers the list shows ``actor`` with these filters, in the list's order."""
    rows = customer_filterset(actor, params).qs
    if params.get("export") == SELECTED:
        getlist = getattr(params, "getlist", None)
        chosen = getlist(SELECTED) if getlist is not None else params.get(SELECTED, [])
        rows = rows.filter(pk__in=[int(pk) for pk in chosen if str(pk).isdigit()])
    return rows.values(
        *_PLAIN,
        *_CHOICES,
        "is_blacklisted",
        # The owner as ``str(user)`` shows them: the display name, else the username.
        owner_name=Coalesce(NullIf(F("owner__display_name"), Value("")), F("owner__username")),
        department_name=F("department__name"),
    )
