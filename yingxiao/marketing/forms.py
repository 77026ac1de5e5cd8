"""Forms of the marketing pages: they parse; the services decide (and raise BusinessError)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User

from .models import Campaign, CampaignLead, MediaPlan


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


def _money(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, required=required)


class CampaignPlanForm(BootstrapForm):
    """rule: MKT-1 — theme, audience, content, time, place, budget."""

    theme = forms.CharField(label=_("theme"), max_length=200)
    audience = forms.CharField(label=_("audience"), max_length=500)
    content = forms.CharField(label=_("content"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("place"), max_length=200)
    starts_on = forms.DateField(label=_("starts on"), widget=_DateInput)
    ends_on = forms.DateField(label=_("ends on"), widget=_DateInput)
    budget = _money(_("budget"))


class TaskForm(BootstrapForm):
    title = forms.CharField(label=_("task"), max_length=200)
    owner = forms.ModelChoiceField(label=_("owner"), queryset=User.objects.filter(is_active=True).order_by("username"))
    due_on = forms.DateField(label=_("due on"), widget=_DateInput)


class MaterialForm(BootstrapForm):
    name = forms.CharField(label=_("material"), max_length=200)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class InviteForm(BootstrapForm):
    customer = forms.IntegerField(label=_("customer (number)"))
    confirmed = forms.BooleanField(label=_("confirmed by the customer"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class AttendanceForm(BootstrapForm):
    customer = forms.IntegerField(label=_("customer (number)"))
    attended = forms.BooleanField(label=_("attended"), required=False)


class MediaForm(BootstrapForm):
    file = forms.FileField(label=_("photo or video"))
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)


class LeadForm(BootstrapForm):
    customer = forms.IntegerField(label=_("customer (number)"))
    kind = forms.ChoiceField(label=_("kind"), choices=CampaignLead.Kind.choices)
    sales_amount = _money(_("attributable sales"), required=False)


class SummaryForm(BootstrapForm):
    participants = forms.IntegerField(label=_("participants"), min_value=0)
    exposure = forms.IntegerField(label=_("exposure"), min_value=0)
    spend = _money(_("actual spend"))
    feedback = forms.CharField(label=_("feedback"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(BootstrapForm):
    reason = forms.CharField(label=_("reason"), max_length=500)


class CampaignFilterSet(filters.FilterSet):
    """The campaign list's filters, shared by the page and its Excel export."""

    theme = filters.CharFilter(label=_("theme"), lookup_expr="icontains")
    status = filters.ChoiceFilter(label=_("status"), choices=Campaign.Status.choices)
    starts_after = filters.DateFilter(
        label=_("starts on or after"), field_name="starts_on", lookup_expr="gte", widget=_DateInput
    )
    starts_before = filters.DateFilter(
        label=_("starts on or before"), field_name="starts_on", lookup_expr="lte", widget=_DateInput
    )

    class Meta:
        model = Campaign
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class MediaPlanForm(BootstrapForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("kind"), choices=MediaPlan.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    budget = _money(_("budget"))


class MediaItemForm(BootstrapForm):
    name = forms.CharField(label=_("item"), max_length=200)
    planned_on = forms.DateField(label=_("planned on"), widget=_DateInput)
    planned_cost = _money(_("planned cost"))
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class MediaItemCompleteForm(BootstrapForm):
    item = forms.IntegerField(widget=forms.HiddenInput)
    actual_cost = _money(_("actual cost"))
    completed_on = forms.DateField(label=_("completed on"), widget=_DateInput, required=False)


class RoadshowForm(BootstrapForm):
    held_on = forms.DateField(label=_("held on"), widget=_DateInput)
    place = forms.CharField(label=_("place"), max_length=200)
    note = forms.CharField(label=_("note"), max_length=500, required=False)
    photo = forms.FileField(label=_("photo"), required=False)


class RoadshowPhotoForm(BootstrapForm):
    photo = forms.FileField(label=_("photo"))


class CompetitorEntryForm(BootstrapForm):
    month = forms.CharField(label=_("month (YYYY-MM)"), max_length=7)
    competitor = forms.CharField(label=_("competitor"), max_length=200)
    product = forms.CharField(label=_("product"), max_length=200)
    price = _money(_("price"), required=False)
    news = forms.CharField(label=_("news"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.CharField(label=_("source"), max_length=200, required=False)
