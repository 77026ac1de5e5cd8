"""The policy change form: raw text in, the service parses and validates by the parameter's type."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PolicyChangeForm(forms.Form):
    value = forms.CharField(label=_("New value"), max_length=500)
    effective_from = forms.DateTimeField(
        label=_("Effective from"),
        required=False,
        help_text=_("Leave empty to apply now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
