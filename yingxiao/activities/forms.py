"""The activity-logging form of the customer panel; the service decides, the form only parses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from yingxiao.core.errors import BusinessError
from yingxiao.customers.models import Customer

from .models import Activity

_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class ActivityLogForm(forms.ModelForm[Activity]):
    """Register a contact (ACT-1); the message fields apply to kind "message" (ACT-6)."""

    class Meta:
        model = Activity
        fields = [
            "kind",
            "direction",
            "occurred_at",
            "contact",
            "subject",
            "location",
            "purpose",
            "summary",
            "result",
            "duration_minutes",
            "caller_name",
            "caller_contact",
            "is_return_visit",
        ]
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_INPUT),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "purpose": forms.TextInput(),
            "result": forms.TextInput(),
        }

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"occurred_at": timezone.localtime().strftime(_LOCAL_INPUT)})
        kwargs.setdefault("auto_id", f"id_act{customer.pk}_%s")  # several panels may share a page
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["contact"].queryset = customer.contacts.order_by("-is_primary", "name")  # type: ignore[attr-defined]
        self.fields["occurred_at"].input_formats = [_LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]  # type: ignore[attr-defined]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)

    def _post_clean(self) -> None:
        # No model validation here: ``activity_log`` is the one place that validates and saves.
        return

    def add_business_error(self, error: BusinessError) -> None:
        """Show a refused action where it belongs: next to its field, or above the form."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
