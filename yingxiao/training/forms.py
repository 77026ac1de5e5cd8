"""Forms of the training pages (HR-9, ORG-6)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingxiao.org.models import Department, User

from .models import TrainingPlan


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PlanForm(_Styled):
    period = forms.ChoiceField(label=_("Period"), choices=TrainingPlan.Period.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)
    number = forms.IntegerField(label=_("Quarter or month"), required=False, min_value=1, max_value=12)
    title = forms.CharField(label=_("Training title"), max_length=200)
    goals = forms.CharField(label=_("Goals and content"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)


class SessionForm(_Styled):
    title = forms.CharField(label=_("Training title"), max_length=200)
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=TrainingPlan.objects.filter(status="active"), required=False
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=User.objects.filter(is_active=True), required=False)
    trainer_name = forms.CharField(label=_("External trainer"), max_length=100, required=False)
    topic = forms.CharField(label=_("Topic"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)


class OnboardingForm(_Styled):
    person = forms.ModelChoiceField(label=_("New hire"), queryset=User.objects.filter(is_active=True))
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.filter(is_active=True))
    started_on = forms.DateField(label=_("Started on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
