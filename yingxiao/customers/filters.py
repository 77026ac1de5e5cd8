"""One FilterSet for the customer list, shared by the web page and the API (house style 2)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yingxiao.org.models import Department, User

from .models import Customer
from .search import apply_search


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the id as tie-breaker in the same direction, so the index serves the LIMIT."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        ordering.append("-id" if ordering[0].startswith("-") else "id")
        return qs.order_by(*ordering)


def _choices(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(value, label) for value, label in choices if value]


class CustomerFilterSet(django_filters.FilterSet):
    """Search box, stage, grade, source, owner, department, intent, registration dates, ordering."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"), max_length=100)
    stage = django_filters.ChoiceFilter(choices=Customer.Stage.choices, label=_("Stage"))
    grade = django_filters.ChoiceFilter(choices=_choices(Customer.Grade.choices), label=_("Grade"))
    source = django_filters.ChoiceFilter(choices=Customer.Source.choices, label=_("Source"))
    intent = django_filters.ChoiceFilter(choices=_choices(Customer.Intent.choices), label=_("Intent level"))
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True).order_by("display_name", "pk"), label=_("Owner")
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.filter(is_active=True), label=_("Department")
    )
    registered = django_filters.DateFromToRangeFilter(
        field_name="registered_at",
        label=_("Registered"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    ordering = StableOrderingFilter(
        fields=(("registered_at", "registered_at"), ("name_pinyin", "name"), ("last_served_at", "last_served")),
        field_labels={"registered_at": _("Registered"), "name_pinyin": _("Name"), "last_served_at": _("Served")},
        label=_("Sort"),
    )

    class Meta:
        model = Customer
        fields = ["q", "stage", "grade", "source", "intent", "owner", "department", "registered"]

    def filter_q(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return apply_search(queryset, value)
