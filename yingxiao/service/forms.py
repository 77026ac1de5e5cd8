"""Forms of the complaint pages: they parse; the services decide (and raise BusinessError)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import Department, User

from .models import AfterSalesRecord, Complaint, Survey

_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class _DateInput(forms.DateInput):
    input_type = "date"


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget; business errors shown next to their field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")

    def add_business_error(self, error: BusinessError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


def _departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("path")


def _people() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("display_name", "username")


class ComplaintIntakeForm(BootstrapForm):
    """rule: CMP-1 — time, complainant, matter, contact, category; quality details for a quality complaint."""

    customer = forms.IntegerField(label=_("customer (number)"), widget=forms.NumberInput)
    received_at = forms.DateTimeField(
        label=_("time of complaint"),
        input_formats=[_LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_INPUT),
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Complaint.Channel.choices, initial=Complaint.Channel.PHONE)
    complainant = forms.CharField(label=_("complainant"), max_length=100)
    contact = forms.CharField(label=_("contact"), max_length=100)
    category = forms.ChoiceField(label=_("category"), choices=Complaint.Category.choices)
    matter = forms.CharField(label=_("matter"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    responsible_department = forms.ModelChoiceField(
        label=_("responsible department"), queryset=_departments(), required=False
    )
    invoice_no = forms.CharField(label=_("invoice number"), max_length=60, required=False)
    product = forms.CharField(label=_("product"), max_length=120, required=False)
    spec = forms.CharField(label=_("specification"), max_length=120, required=False)
    quantity = forms.DecimalField(label=_("quantity"), required=False, max_digits=12, decimal_places=2, min_value=0)
    grade = forms.CharField(label=_("grade"), max_length=60, required=False)
    purchase_date = forms.DateField(label=_("purchase date"), required=False, widget=_DateInput())

    QUALITY = ("invoice_no", "product", "spec", "quantity", "grade", "purchase_date")


class AssignForm(BootstrapForm):
    """rule: CMP-2 — responsibility and plan."""

    cause = forms.ChoiceField(label=_("cause"), choices=Complaint.Cause.choices)
    responsible_person = forms.ModelChoiceField(label=_("responsible person"), queryset=_people(), required=False)
    responsibility = forms.CharField(label=_("responsibility"), widget=forms.Textarea(attrs={"rows": 2}))
    plan = forms.CharField(label=_("plan"), widget=forms.Textarea(attrs={"rows": 2}))


class SolutionForm(BootstrapForm):
    """rule: CMP-3 — department, measures, deadline; CMP-6 attribution."""

    department = forms.ModelChoiceField(label=_("responsible department"), queryset=_departments(), required=False)
    measures = forms.CharField(label=_("measures"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("deadline"), widget=_DateInput())
    attributable = forms.BooleanField(label=_("attributable (a violation)"), required=False)
    attributed_to = forms.ModelChoiceField(label=_("attributed to"), queryset=_people(), required=False)


class DecideForm(BootstrapForm):
    """The director's decision on the solution, with the fine for an attributable complaint (CMP-6)."""

    decision = forms.ChoiceField(
        label=_("decision"), choices=[("approve", _("Approve")), ("reject", _("Reject")), ("return", _("Return"))]
    )
    fine_amount = forms.DecimalField(label=_("fine (yuan)"), required=False, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(BootstrapForm):
    """rule: CMP-4 — a progress message to the customer."""

    channel = forms.CharField(label=_("how (phone, SMS, visit…)"), max_length=30, required=False)
    message = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 2}))


class SurveyForm(BootstrapForm):
    """rule: CMP-5 — the verification call and the satisfaction survey."""

    satisfaction = forms.TypedChoiceField(label=_("satisfaction"), choices=Survey.Satisfaction.choices, coerce=int)
    resolved = forms.BooleanField(label=_("customer confirms it is resolved"), required=False, initial=True)
    comments = forms.CharField(label=_("comments"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(BootstrapForm):
    note = forms.CharField(label=_("note"), required=False, max_length=4000)


class AfterSalesRecordForm(BootstrapForm):
    """rule: CMP-8 — an after-sales service record."""

    customer = forms.IntegerField(label=_("customer (number)"))
    kind = forms.ChoiceField(label=_("kind of service"), choices=AfterSalesRecord.Kind.choices)
    served_on = forms.DateField(label=_("date"), widget=_DateInput())
    product = forms.CharField(label=_("product"), max_length=120, required=False)
    description = forms.CharField(label=_("work done"), widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("result"), max_length=500, required=False)


class ComplaintFilterSet(filters.FilterSet):
    """One filterset for the register page, the export and the API."""

    status = filters.MultipleChoiceFilter(choices=Complaint.Status.choices, label=_("status"))
    category = filters.ChoiceFilter(choices=Complaint.Category.choices, label=_("category"))
    cause = filters.ChoiceFilter(choices=Complaint.Cause.choices, label=_("cause"))
    responsible_department = filters.ModelChoiceFilter(queryset=_departments(), label=_("responsible department"))
    customer = filters.NumberFilter(field_name="customer_id", label=_("customer"))
    product = filters.CharFilter(lookup_expr="icontains", label=_("product"))
    received_from = filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label=_("from"), widget=_DateInput()
    )
    received_to = filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label=_("until"), widget=_DateInput()
    )

    class Meta:
        model = Complaint
        fields = ["status", "category", "cause", "responsible_department", "customer", "product"]

    @property
    def form(self) -> forms.Form:
        form = super().form
        for field in form.fields.values():
            single = isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.SelectMultiple)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if single else "form-control form-control-sm"
            )
        return form
