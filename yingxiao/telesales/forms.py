"""Forms of the telesales pages (parse only; the services validate and decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CallLog


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ImportForm(BootstrapForm):
    file = forms.FileField(label=_("File (.xlsx, .xls or .csv)"))
    name = forms.CharField(label=_("Name of the list"), max_length=120, required=False)
    script = forms.CharField(
        label=_("Script notes"), max_length=8000, required=False, widget=forms.Textarea({"rows": 3})
    )
    skip_invalid = forms.BooleanField(label=_("Skip rows with errors"), required=False)


class ApplyForm(BootstrapForm):
    token = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name of the list"), max_length=120)
    script = forms.CharField(
        label=_("Script notes"), max_length=8000, required=False, widget=forms.Textarea({"rows": 3})
    )
    skip_invalid = forms.BooleanField(label=_("Skip rows with errors"), required=False)


class ScreenForm(BootstrapForm):
    action = forms.ChoiceField(choices=[("classify", _("Classify")), ("exclude", _("Exclude"))])
    category = forms.CharField(label=_("Category"), max_length=40, required=False)
    reason = forms.CharField(label=_("Reason for exclusion"), max_length=500, required=False)


class CallForm(BootstrapForm):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=CallLog.Outcome.choices)
    duration_seconds = forms.IntegerField(label=_("Duration (seconds)"), min_value=0, initial=0)
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea({"rows": 2}))
    next_follow_up_at = forms.DateTimeField(
        label=_("Next follow-up"), required=False, widget=forms.DateTimeInput({"type": "datetime-local"})
    )


class CorrectionForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea({"rows": 2}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallLog.Outcome.choices)
    duration_seconds = forms.IntegerField(label=_("Duration (seconds)"), min_value=0)
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea({"rows": 2}))


class StatisticsForm(BootstrapForm):
    period = forms.ChoiceField(
        label=_("Period"), choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))], required=False
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))


class ReceptionForm(BootstrapForm):
    customer = forms.IntegerField(label=_("Customer number"))
    met_at = forms.DateTimeField(label=_("Meeting time"), widget=forms.DateTimeInput({"type": "datetime-local"}))
    attendees = forms.CharField(label=_("Attendees"), max_length=2000, widget=forms.Textarea({"rows": 2}))
    questions = forms.CharField(
        label=_("Questions"), max_length=8000, required=False, widget=forms.Textarea({"rows": 3})
    )
    answers = forms.CharField(label=_("Answers"), max_length=8000, required=False, widget=forms.Textarea({"rows": 3}))
    key_issues = forms.CharField(
        label=_("Key issues"), max_length=8000, required=False, widget=forms.Textarea({"rows": 3})
    )
