"""Forms of the pool, allocation and blacklist pages: parse input only, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingxiao.org.models import Department, User


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
        widget.attrs.setdefault("class", f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm")


class PoolSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class PreviewForm(forms.Form):
    as_of = forms.DateField(label=_("As of date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ReassignForm(forms.Form):
    customers = forms.CharField(label=_("Customer ids"), help_text=_("Separated by commas or spaces."))
    to_user = forms.ModelChoiceField(label=_("To person"), queryset=User.objects.none(), required=False)
    to_department = forms.ModelChoiceField(
        label=_("Or to department"), queryset=Department.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(is_active=True).order_by("display_name", "pk")
        self.fields["to_department"].queryset = Department.objects.order_by("path")
        _style(self)

    def clean_customers(self) -> list[int]:
        raw = self.cleaned_data["customers"].replace(",", " ").split()
        try:
            ids = sorted({int(value) for value in raw})
        except ValueError:
            raise forms.ValidationError(_("Enter customer ids (numbers).")) from None
        if not ids:
            raise forms.ValidationError(_("Select at least one customer."))
        return ids


class AllocationForm(forms.Form):
    customers = forms.MultipleChoiceField(label=_("Customers"), widget=forms.CheckboxSelectMultiple)
    staff = forms.ModelMultipleChoiceField(
        label=_("Staff"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, customer_choices: list[tuple[int, str]], staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customers"].choices = customer_choices
        self.fields["staff"].queryset = staff
        _style(self)


class BlacklistRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for blacklisting"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
