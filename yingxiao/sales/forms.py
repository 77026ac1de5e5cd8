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


# --- stock, deposits, orders, shipments (ORD-*, SHP-*) --------------------------------------------
class StockItemForm(ServiceForm):
    product = forms.ModelChoiceField(queryset=None, label=_("Product"), widget=forms.Select(attrs=_SELECT))
    serial_no = forms.CharField(label=_("Serial / unit number"), max_length=60, widget=forms.TextInput(attrs=_INPUT))
    location_kind = forms.ChoiceField(label=_("Location"), choices=(), widget=forms.Select(attrs=_SELECT))
    location = forms.CharField(
        label=_("Warehouse / outlet name"), max_length=200, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    placed_on = forms.DateField(
        label=_("Placed at the outlet on"), required=False, widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )
    keeper = forms.ModelChoiceField(
        queryset=None, label=_("Responsible person"), required=False, widget=forms.Select(attrs=_SELECT)
    )

    def __init__(self, *args: Any, products: Any, people: Any, **kwargs: Any) -> None:
        from .models import StockItem

        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]
        self.fields["keeper"].queryset = people  # type: ignore[attr-defined]
        self.fields["location_kind"].choices = StockItem.Location.choices  # type: ignore[attr-defined]


class StockMoveForm(StockItemForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["product"]
        del self.fields["serial_no"]


class DepositForm(ServiceForm):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"), widget=forms.Select(attrs=_SELECT))
    item = forms.ModelChoiceField(queryset=None, label=_("Stock unit"), widget=forms.Select(attrs=_SELECT))
    kind = forms.ChoiceField(label=_("Kind"), choices=(), widget=forms.Select(attrs=_SELECT))
    amount = forms.CharField(label=_("Amount"), max_length=20, widget=forms.TextInput(attrs=_INPUT))
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(c, c) for c in CURRENCIES], initial="CNY", widget=forms.Select(attrs=_SELECT)
    )
    payer = forms.CharField(label=_("Paid by"), max_length=200, required=False, widget=forms.TextInput(attrs=_INPUT))
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args: Any, customers: Any, items: Any, **kwargs: Any) -> None:
        from .models import Deposit

        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        self.fields["kind"].choices = Deposit.Kind.choices  # type: ignore[attr-defined]


class ReasonForm(ServiceForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput(attrs=_INPUT))


ORDER_FORM_LINES = 5


class OrderLinesForm(ServiceForm):
    """Up to five lines (product, quantity, optional agreed unit price); empty rows are ignored."""

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, ORDER_FORM_LINES + 1):
            self.fields[f"product_{index}"] = forms.ModelChoiceField(
                queryset=products, label=_("Product"), required=False, widget=forms.Select(attrs=_SELECT)
            )
            self.fields[f"quantity_{index}"] = forms.CharField(
                label=_("Quantity"), max_length=20, required=False, widget=forms.TextInput(attrs=_INPUT)
            )
            self.fields[f"unit_price_{index}"] = forms.CharField(
                label=_("Agreed unit price (empty: list price)"),
                max_length=20,
                required=False,
                widget=forms.TextInput(attrs=_INPUT),
            )

    def line_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"product_{i}"], self[f"quantity_{i}"], self[f"unit_price_{i}"])
            for i in range(1, ORDER_FORM_LINES + 1)
        ]

    def lines(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        rows = []
        for index in range(1, ORDER_FORM_LINES + 1):
            product = data.get(f"product_{index}")
            if product is None:
                continue
            rows.append(
                {
                    "product": product.pk,
                    "quantity": data.get(f"quantity_{index}"),
                    "unit_price": data.get(f"unit_price_{index}") or None,
                }
            )
        return rows


class OrderCreateForm(OrderLinesForm):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"), widget=forms.Select(attrs=_SELECT))
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(c, c) for c in CURRENCIES], initial="CNY", widget=forms.Select(attrs=_SELECT)
    )
    deposit = forms.ModelChoiceField(
        queryset=None, label=_("Deposit"), required=False, widget=forms.Select(attrs=_SELECT)
    )
    delivery_date = forms.DateField(
        label=_("Delivery date"), required=False, widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args: Any, customers: Any, deposits: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        self.fields["deposit"].queryset = deposits  # type: ignore[attr-defined]


class OrderChangeForm(OrderLinesForm):
    note = forms.CharField(label=_("What changed"), max_length=500, widget=forms.TextInput(attrs=_INPUT))
    delivery_date = forms.DateField(
        label=_("Delivery date"), required=False, widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )


class SignoffForm(ServiceForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.TextInput(attrs=_INPUT))


class ProductionPlanForm(ServiceForm):
    price_checked = forms.BooleanField(label=_("Price checked"), required=False)
    spec_checked = forms.BooleanField(label=_("Specification checked"), required=False)
    model_checked = forms.BooleanField(label=_("Model checked"), required=False)
    planned_start = forms.DateField(label=_("Planned start"), widget=forms.DateInput(attrs={**_INPUT, "type": "date"}))
    planned_finish = forms.DateField(
        label=_("Planned finish"), widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )
    note = forms.CharField(label=_("Plan note"), max_length=1000, required=False, widget=forms.TextInput(attrs=_INPUT))


class ProgressForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=(), widget=forms.Select(attrs=_SELECT))
    percent = forms.CharField(
        label=_("Percent complete"), max_length=3, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    note = forms.CharField(label=_("Progress"), max_length=1000, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import ProgressEntry

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ProgressEntry.Kind.choices  # type: ignore[attr-defined]


class ShipmentForm(ServiceForm):
    carrier = forms.CharField(label=_("Carrier"), max_length=200, required=False, widget=forms.TextInput(attrs=_INPUT))
    tracking_no = forms.CharField(
        label=_("Tracking number"), max_length=100, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    address = forms.CharField(
        label=_("Delivery address"), max_length=500, required=False, widget=forms.TextInput(attrs=_INPUT)
    )


class DocumentForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Document"), choices=(), widget=forms.Select(attrs=_SELECT))
    file = forms.FileField(label=_("File (PDF, JPEG, PNG)"), widget=forms.ClearableFileInput(attrs=_INPUT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import ShipmentDocument

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ShipmentDocument.Kind.choices  # type: ignore[attr-defined]


class ReceiptForm(ServiceForm):
    file = forms.FileField(
        label=_("Signed delivery receipt (PDF, JPEG, PNG)"), widget=forms.ClearableFileInput(attrs=_INPUT)
    )


class LogisticsForm(ServiceForm):
    note = forms.CharField(label=_("Progress"), max_length=500, widget=forms.TextInput(attrs=_INPUT))


class ComplaintForm(ServiceForm):
    description = forms.CharField(label=_("What went wrong"), max_length=1000, widget=forms.TextInput(attrs=_INPUT))
