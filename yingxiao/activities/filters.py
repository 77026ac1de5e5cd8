"""One filterset for the activity list page and the API (house style: UI and API share filters)."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.org.models import User

from .models import Activity


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class _DateInput(forms.DateInput):
    input_type = "date"


class ActivityFilterSet(filters.FilterSet):
    """Filter contacts by customer, kind, staff and a local date range (inclusive)."""

    customer = filters.NumberFilter(field_name="customer_id", label=_("customer"))
    customer_name = filters.CharFilter(field_name="customer__name", lookup_expr="icontains", label=_("customer name"))
    kind = filters.MultipleChoiceFilter(choices=Activity.Kind.choices, label=_("kind"))
    staff = filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"), label=_("staff")
    )
    is_qualifying = filters.BooleanFilter(label=_("counts as service"))
    date_from = filters.DateFilter(method="filter_date_from", label=_("from"), widget=_DateInput())
    date_to = filters.DateFilter(method="filter_date_to", label=_("until"), widget=_DateInput())

    class Meta:
        model = Activity
        fields = ["customer", "customer_name", "kind", "staff", "is_qualifying", "date_from", "date_to"]

    def filter_date_from(self, queryset: QuerySet[Activity], name: str, value: dt.date) -> QuerySet[Activity]:
        # A range on the indexed column, not occurred_at__date (which no index can serve).
        return queryset.filter(occurred_at__gte=_day_start(value))

    def filter_date_to(self, queryset: QuerySet[Activity], name: str, value: dt.date) -> QuerySet[Activity]:
        return queryset.filter(occurred_at__lt=_day_start(value + dt.timedelta(days=1)))

    @property
    def form(self) -> forms.Form:
        form = super().form
        for field in form.fields.values():
            select = isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.SelectMultiple)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
        return form
