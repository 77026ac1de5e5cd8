"""The customer archive import page (客户导入): upload → dry-run report → apply, optionally allocating (CUS-6).

The checked file is kept in the cache for an hour under a token bound to the user, so the
confirmed batch is exactly the file that was checked (and is checked again when applied).
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yingxiao.core.errors import BusinessError

from . import allocation, imports

_UPLOAD_TTL = 3600


class _Bootstrap(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.SelectMultiple):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")


class UploadForm(_Bootstrap):
    file = forms.FileField(label=gettext_lazy("File (.xlsx, .xls or .csv in UTF-8 or GBK)"))


class ApplyForm(_Bootstrap):
    token = forms.CharField(widget=forms.HiddenInput)
    skip_invalid = forms.BooleanField(label=gettext_lazy("Skip rows with errors"), required=False)
    staff = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Allocate evenly to (optional, CUS-6)"), queryset=None, required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]


def _key(request: HttpRequest, token: str) -> str:
    return f"customers:import:{request.user.pk}:{token}"


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a customer list, see every row's check, then import it (all rows or none)."""
    if not imports.can_import(request.user):
        raise PermissionDenied
    staff = allocation.allocatable_staff(request.user)
    upload_form, apply_form, report = UploadForm(), None, None
    if request.method == "POST" and "token" in request.POST:
        apply_form = ApplyForm(request.POST, staff=staff)
        if apply_form.is_valid():
            data = apply_form.cleaned_data
            stored = cache.get(_key(request, data["token"]))
            try:
                if stored is None:
                    raise BusinessError(imports.IMPORT_EXPIRED)
                ids, report, record = imports.customer_import_apply(
                    actor=request.user,
                    filename=stored[0],
                    content=stored[1],
                    skip_invalid=data["skip_invalid"],
                    allocate_to=data["staff"],
                    note=data["note"],
                )
            except BusinessError as error:
                messages.error(request, error.message)
            else:
                cache.delete(_key(request, data["token"]))
                messages.success(request, _("Imported %(count)s customers.") % {"count": len(ids)})
                if record is not None:
                    return redirect("customers:allocation_detail", pk=record.pk)
                return redirect(reverse("customers:allocate"))
    elif request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            try:
                if upload.size > imports.MAX_BYTES:
                    raise BusinessError(imports.FILE_TOO_LARGE, limit=imports.MAX_BYTES // (1024 * 1024))
                content = upload.read()
                report = imports.customer_import_check(actor=request.user, filename=upload.name, content=content)
            except BusinessError as error:
                upload_form.add_error("file", error.message)
            else:
                token = secrets.token_urlsafe(16)
                cache.set(_key(request, token), (upload.name, content), _UPLOAD_TTL)
                apply_form = ApplyForm(initial={"token": token}, staff=staff)
    return render(
        request,
        "customers/import.html",
        {"upload_form": upload_form, "apply_form": apply_form, "report": report, "max_rows": imports.MAX_ROWS},
    )
