"""Forms of the sales pages: they only parse; every rule is checked by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError

from .services.common import CURRENCIES

_INPUT = {"class": "form-control form-control-sm"}
_SELECT = {"class": "form-select form-select-sm"}


class ServiceForm(forms.Form):
    """A form that shows a refused action next to its field, or above the form."""

    def add_business_error(self, error: BusinessError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class QuoteCreateForm(ServiceForm):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"), widget=forms.Select(attrs=_SELECT))
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(c, c) for c in CURRENCIES], initial="CNY", widget=forms.Select(attrs=_SELECT)
    )
    is_international = forms.BooleanField(
        label=_("International quote (reviewed by the market department)"), required=False
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args: Any, customers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]


class QuoteLineForm(ServiceForm):
    product = forms.ModelChoiceField(queryset=None, label=_("Product"), widget=forms.Select(attrs=_SELECT))
    quantity = forms.CharField(label=_("Quantity"), max_length=20, widget=forms.TextInput(attrs=_INPUT))
    discount_pct = forms.CharField(
        label=_("Discount %"), max_length=10, required=False, initial="0", widget=forms.TextInput(attrs=_INPUT)
    )
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False, widget=forms.TextInput(attrs=_INPUT)
    )

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class QuoteRequestForm(ServiceForm):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"), widget=forms.Select(attrs=_SELECT))
    product = forms.ModelChoiceField(queryset=None, label=_("Base product"), widget=forms.Select(attrs=_SELECT))
    quantity = forms.CharField(label=_("Quantity"), max_length=20, widget=forms.TextInput(attrs=_INPUT))
    configuration = forms.CharField(
        label=_("Special configuration"), max_length=4000, widget=forms.Textarea(attrs={**_INPUT, "rows": 3})
    )

    def __init__(self, *args: Any, customers: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class QuoteAnswerForm(ServiceForm):
    unit_price = forms.CharField(label=_("Unit price"), max_length=20, widget=forms.TextInput(attrs=_INPUT))
    note = forms.CharField(label=_("Answer"), required=False, max_length=1000, widget=forms.TextInput(attrs=_INPUT))


class ProductForm(ServiceForm):
    code = forms.CharField(label=_("Code"), max_length=50, widget=forms.TextInput(attrs=_INPUT))
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=_INPUT))
    model = forms.CharField(
        label=_("Model / specification"), max_length=200, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, initial="台", widget=forms.TextInput(attrs=_INPUT))
    category = forms.CharField(
        label=_("Category"), max_length=100, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    drawing = forms.CharField(
        label=_("Drawing reference"), max_length=300, required=False, widget=forms.TextInput(attrs=_INPUT)
    )


class PriceListForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=_INPUT))
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(c, c) for c in CURRENCIES], initial="CNY", widget=forms.Select(attrs=_SELECT)
    )
    copy_from = forms.ModelChoiceField(
        queryset=None, label=_("Copy prices from"), required=False, widget=forms.Select(attrs=_SELECT)
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args: Any, price_lists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = price_lists  # type: ignore[attr-defined]


class PriceItemForm(ServiceForm):
    product = forms.ModelChoiceField(queryset=None, label=_("Product"), widget=forms.Select(attrs=_SELECT))
    list_price = forms.CharField(label=_("List price"), max_length=20, widget=forms.TextInput(attrs=_INPUT))
    cost = forms.CharField(label=_("Cost"), max_length=20, required=False, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args: Any, products: Any, show_cost: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]
        if not show_cost:
            del self.fields["cost"]  # rule: QUO-4 — nobody sets what they may not see
