"""Forms of the customer pages: they parse and display; the services decide (CUS-1, CUS-2)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.org.models import User

from .models import Contact, Customer

CUSTOMER_FORM_FIELDS = [
    "name",
    "kind",
    "phone",
    "email",
    "source",
    "stage",
    "intent",
    "grade",
    "credit",
    "industry",
    "region",
    "address",
    "heard_from",
    "previous_brand",
    "needs",
]
# Fields whose value is a CUS-2 identity: checked for duplicates as the user types (htmx, no inline JS).
_DUPLICATE_PROBE = {
    "hx-get": reverse_lazy("customers:check_duplicates"),
    "hx-trigger": "blur changed, keyup changed delay:600ms",
    "hx-target": "#duplicate-feedback",
    "hx-include": "#customer-form [data-dup-probe]",
    "hx-sync": "closest form:replace",
    "data-dup-probe": "",
}


def bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (no inline styles: strict CSP)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class CustomerForm(forms.ModelForm):
    """Create and edit; on create, the first contact person can be entered with the customer."""

    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_title = forms.CharField(label=_("Contact title"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), max_length=200, required=False)

    class Meta:
        model = Customer
        fields = CUSTOMER_FORM_FIELDS
        widgets = {"needs": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, with_contact: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_contact:
            for name in ("contact_name", "contact_title", "contact_phone", "contact_email"):
                del self.fields[name]
        for name in ("name", "phone", "email"):
            self.fields[name].widget.attrs.update(_DUPLICATE_PROBE)
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_details = data.get("contact_phone") or data.get("contact_email") or data.get("contact_title")
        if has_details and not data.get("contact_name"):
            self.add_error("contact_name", _("Enter the contact person's name."))
        return data

    def _post_clean(self) -> None:
        # The service validates the model (and refuses duplicates); the form only parses fields.
        pass

    def customer_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CUSTOMER_FORM_FIELDS if name in self.cleaned_data}

    def contacts_data(self) -> list[dict[str, Any]]:
        if not self.cleaned_data.get("contact_name"):
            return []
        return [
            {
                "name": self.cleaned_data["contact_name"],
                "title": self.cleaned_data.get("contact_title", ""),
                "phone": self.cleaned_data.get("contact_phone", ""),
                "email": self.cleaned_data.get("contact_email", ""),
                "is_primary": True,
            }
        ]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "birthday", "is_primary", "notes"]
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def _post_clean(self) -> None:
        pass

    def contact_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TransferForm(forms.Form):
    """Change of owner by the customer-resource director (ORG-5)."""

    new_owner = forms.ModelChoiceField(
        label=_("New owner"), queryset=User.objects.filter(is_active=True).order_by("display_name", "pk")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
