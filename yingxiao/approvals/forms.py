"""Forms of the approval pages: the decision on one request."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Decision


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.Kind.APPROVE, _("Approve")),
            (Decision.Kind.REJECT, _("Reject")),
            (Decision.Kind.RETURN, _("Return for revision")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Reason"), required=False, max_length=2000)
