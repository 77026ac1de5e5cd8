"""Forms of the archive pages; they parse input, the services validate the business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User

from .models import Borrowing, Document, Level


class ArchiveForm(forms.Form):
    """Bootstrap classes on every widget; a business error shown next to its field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_business_error(self, error: BusinessError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class DocumentForm(ArchiveForm):
    number = forms.CharField(label=_("Archive number"), max_length=50)
    title = forms.CharField(label=_("Document title"), max_length=200)
    category = forms.ChoiceField(label=_("Document category"), choices=Document.Category.choices)
    level = forms.ChoiceField(label=_("Confidentiality level"), choices=Level.choices, initial=Level.INTERNAL)
    custodian = forms.ModelChoiceField(
        label=_("Custodian"), queryset=User.objects.filter(is_active=True), required=False
    )
    location = forms.CharField(label=_("Storage location"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("File"), required=False)


class BorrowForm(ArchiveForm):
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(
        label=_("Purpose of borrowing"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(ArchiveForm):
    condition = forms.ChoiceField(label=_("Condition on return"), choices=Borrowing.Condition.choices)
    note = forms.CharField(
        label=_("Inspection note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
