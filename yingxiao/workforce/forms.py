"""Forms of the workforce pages; they parse input, the services validate the business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User

from .models import DutyPost, Leave, Meeting, WorkReport


class WorkforceForm(forms.Form):
    """Bootstrap classes on every widget; a business error shown next to its field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_business_error(self, error: BusinessError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_TEXT = forms.Textarea(attrs={"rows": 2})


class CorrectionForm(WorkforceForm):
    day = forms.DateField(label=_("Day"), widget=_DATE)
    clock_in = forms.DateTimeField(label=_("Corrected clock-in"), required=False, widget=_MOMENT)
    clock_out = forms.DateTimeField(label=_("Corrected clock-out"), required=False, widget=_MOMENT)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_TEXT)


class OutingForm(WorkforceForm):
    starts_at = forms.DateTimeField(label=_("From"), widget=_MOMENT)
    ends_at = forms.DateTimeField(label=_("Until"), widget=_MOMENT)
    place = forms.CharField(label=_("Place"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_TEXT)


class TripForm(WorkforceForm):
    start_date = forms.DateField(label=_("From"), widget=_DATE)
    end_date = forms.DateField(label=_("Until"), widget=_DATE)
    destination = forms.CharField(label=_("Destination"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=4000, widget=_TEXT)


class CheckinForm(WorkforceForm):
    place = forms.CharField(label=_("Place"), max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=_TEXT)
    photo = forms.FileField(label=_("Photo"), required=False)


class LeaveForm(WorkforceForm):
    kind = forms.ChoiceField(label=pgettext_lazy("leave", "Kind"), choices=Leave.Kind.choices)
    start_date = forms.DateField(label=_("From"), widget=_DATE)
    end_date = forms.DateField(label=_("Until"), widget=_DATE)
    handover = forms.ModelChoiceField(
        label=_("Handover to"), queryset=User.objects.none(), required=False, empty_label=_("— choose —")
    )
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_TEXT)
    certificate = forms.FileField(label=_("Medical certificate (sick leave)"), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handover"]
        field.queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True).exclude(status=User.Status.LEFT).exclude(pk=actor.pk)
        ).order_by("display_name", "username")


def _people() -> Any:
    return User.objects.filter(is_active=True).exclude(status=User.Status.LEFT).order_by("display_name", "username")


_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DutyPostForm(WorkforceForm):
    kind = forms.ChoiceField(label=pgettext_lazy("duty post", "Kind"), choices=DutyPost.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    starts = forms.TimeField(label=_("From"), widget=_TIME)
    ends = forms.TimeField(label=_("Until"), widget=_TIME)


class DutyAssignForm(WorkforceForm):
    post = forms.ModelChoiceField(label=_("Post"), queryset=DutyPost.objects.none())
    day = forms.DateField(label=_("Day"), widget=_DATE)
    person = forms.ModelChoiceField(label=_("On duty"), queryset=User.objects.none())

    def __init__(self, *args: Any, department: Any, **kwargs: Any) -> None:
        from .roster import members

        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = DutyPost.objects.filter(department=department, is_active=True)  # type: ignore[attr-defined]
        self.fields["person"].queryset = members(department) if department else User.objects.none()  # type: ignore[attr-defined]


class SwapForm(WorkforceForm):
    substitute = forms.ModelChoiceField(label=_("Substitute"), queryset=User.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_TEXT)

    def __init__(self, *args: Any, department: Any, **kwargs: Any) -> None:
        from .roster import members

        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = members(department) if department else User.objects.none()  # type: ignore[attr-defined]


class UnattendedForm(WorkforceForm):
    note = forms.CharField(label=_("What you found"), max_length=4000, widget=_TEXT)


class MeetingForm(WorkforceForm):
    kind = forms.ChoiceField(label=pgettext_lazy("meeting", "Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_MOMENT)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_MOMENT)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    agenda = forms.CharField(label=_("Agenda"), max_length=4000, required=False, widget=_TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _people()  # type: ignore[attr-defined]


class ArrivalForm(WorkforceForm):
    person = forms.ModelChoiceField(label=_("Attendee"), queryset=User.objects.none())
    arrived_at = forms.DateTimeField(label=_("Arrived at"), widget=_MOMENT)

    def __init__(self, *args: Any, meeting: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=meeting.attendees.filter(arrived_at__isnull=True).values("person")
        ).order_by("display_name", "username")


class MinutesForm(WorkforceForm):
    minutes = forms.CharField(label=_("Minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))


class ReportForm(WorkforceForm):
    kind = forms.ChoiceField(label=pgettext_lazy("report", "Kind"), choices=WorkReport.Kind.choices)
    day = forms.DateField(label=_("Day in the period"), widget=_DATE)
    content = forms.CharField(label=_("Content"), max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))


class AcknowledgeForm(WorkforceForm):
    comment = forms.CharField(label=_("Comment"), max_length=4000, required=False, widget=_TEXT)
