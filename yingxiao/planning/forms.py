"""Forms of the planning pages; they parse input, the services validate the business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import Department, User

from .models import ExpenseCategory, Metric, PeriodKind

_TEXT = forms.Textarea(attrs={"rows": 2})
_DATE = forms.DateInput(attrs={"type": "date"})


class PlanningForm(forms.Form):
    """Bootstrap classes on every widget; a business error shown next to its field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_business_error(self, error: BusinessError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class PlanForm(PlanningForm):
    year = forms.IntegerField(label=_("Year"))
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.filter(is_active=True))
    amount = forms.DecimalField(label=_("Annual target"), max_digits=16, decimal_places=2)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class ChildForm(PlanningForm):
    """One part of a target: a period (quarter / month) or a unit (department / person)."""

    period_kind = forms.ChoiceField(
        label=_("Period"), required=False, choices=[("", "—"), *[c for c in PeriodKind.choices if c[0] != "year"]]
    )
    period_index = forms.IntegerField(label=_("Quarter / month number"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.filter(is_active=True)
    )
    person = forms.ModelChoiceField(label=_("Person"), required=False, queryset=User.objects.filter(is_active=True))
    amount = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=2)


class AmountForm(PlanningForm):
    amount = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=2)


class ExplainForm(PlanningForm):
    note = forms.CharField(label=_("Explanation of the difference"), max_length=4000, widget=_TEXT)


class ReallocateForm(PlanningForm):
    amount = forms.DecimalField(label=_("New target"), max_digits=16, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_TEXT)


class CorrectiveForm(PlanningForm):
    analysis = forms.CharField(label=_("Analysis of the gap"), max_length=4000, widget=_TEXT)
    action = forms.CharField(label=_("Corrective action"), max_length=4000, widget=_TEXT)


class BudgetForm(PlanningForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.filter(is_active=True))
    year = forms.IntegerField(label=_("Year"))
    month = forms.IntegerField(label=_("Month (empty: whole year)"), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    amount = forms.DecimalField(label=_("Budget"), max_digits=16, decimal_places=2)


class ClaimForm(PlanningForm):
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2)
    spent_on = forms.DateField(label=_("Date of the expense"), widget=_DATE)
    description = forms.CharField(label=_("Description"), max_length=4000, widget=_TEXT)
    receipt = forms.FileField(label=_("Receipt"), required=False)


class GiftForm(PlanningForm):
    customer = forms.IntegerField(label=_("Customer number"))
    gift = forms.CharField(label=_("Gift"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), initial=1)
    value = forms.DecimalField(label=_("Total value"), max_digits=16, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_TEXT)


class GiftConfirmForm(PlanningForm):
    signed_by = forms.CharField(label=_("Signed for by"), max_length=100)
    signature = forms.FileField(label=_("Signed receipt"), required=False)
