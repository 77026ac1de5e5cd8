"""Forms of the relation pages: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import bootstrap
from ..models import AdmissionCriterion, Customer, RewardKind
from .grades import LOWER_THAN_VIP, PROBLEMS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class GradeReviewForm(_Form):
    result_grade = forms.ChoiceField(label=_("Result grade"), choices=Customer.Grade.choices, required=False)
    problems = forms.MultipleChoiceField(
        label=_("Problems found"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (PROBLEMS[0], _("Poor contract execution")),
            (PROBLEMS[1], _("Late payment")),
            (PROBLEMS[2], _("Business crisis")),
        ],
    )
    major_loss = forms.BooleanField(label=_("Major loss or damage to reputation"), required=False)
    apply_grade = forms.BooleanField(label=_("Apply the result grade now"), required=False, initial=True)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problems"].widget.attrs["class"] = "list-unstyled small mb-0"


class DowngradeForm(_Form):
    grade = forms.ChoiceField(
        label=_("New grade"), choices=[(g.value, g.label) for g in Customer.Grade if g in LOWER_THAN_VIP]
    )


class AdmissionTickForm(_Form):
    satisfied = forms.BooleanField(label=_("Satisfied"), required=False, initial=True)
    evidence = forms.CharField(label=_("Evidence"), max_length=1000, required=False)


class CriterionForm(forms.ModelForm):
    class Meta:
        model = AdmissionCriterion
        fields = ["title", "description", "requires_evidence", "is_active", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def _post_clean(self) -> None:
        pass  # the service validates


class InvitationForm(_Form):
    event_name = forms.CharField(label=_("Event"), max_length=200)
    event_date = forms.DateField(label=_("Event date"), widget=_DATE)
    confirmed = forms.BooleanField(label=_("Confirmed by the customer"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class NoteForm(_Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class TrackingSheetForm(_Form):
    goal = forms.CharField(label=_("Goal and approach"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    planned_on = forms.DateField(label=_("First step on"), widget=_DATE)
    action = forms.CharField(label=_("First step"), max_length=300)


class StepForm(_Form):
    planned_on = forms.DateField(label=_("Planned on"), widget=_DATE)
    action = forms.CharField(label=_("Action"), max_length=300)


class StepDoneForm(_Form):
    result = forms.CharField(label=_("Result"), max_length=500)


class TrackingReviewForm(_Form):
    comment = forms.CharField(label=_("Review comment"), max_length=1000)


class ReferralForm(_Form):
    referrer = forms.IntegerField(label=_("Referring customer (number)"), min_value=1)
    reward_kind = forms.ChoiceField(label=_("Reward"), choices=RewardKind.choices)
    deal_value = forms.DecimalField(label=_("Deal value"), max_digits=14, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DealValueForm(_Form):
    deal_value = forms.DecimalField(label=_("Deal value"), max_digits=14, decimal_places=2, min_value=0)
