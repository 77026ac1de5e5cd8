"""Forms of the ledger pages: enter a violation or a reward for someone in your scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingxiao.org.models import User

from .models import Reward


class _PersonForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Employee"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people if people is not None else User.objects.none()  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ViolationForm(_PersonForm):
    rule_id = forms.CharField(label=_("Rule"), max_length=10, help_text=_("e.g. HR-7"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0)
    evidence = forms.CharField(label=_("Evidence"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RewardForm(_PersonForm):
    kind = forms.ChoiceField(label=_("Type"), choices=Reward.Kind.choices)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the policy amount."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
