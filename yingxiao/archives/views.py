"""Archive pages (档案): the catalog by clearance, a document (view logged), its file, borrowing,
returns with inspection, the access log and the export log. Views parse → call a service → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yingxiao.core.errors import BusinessError
from yingxiao.core.exports import EXPORT_PERMISSION, Column, export_view
from yingxiao.core.pagination import paginate
from yingxiao.org.models import User

from . import services
from .forms import BorrowForm, DocumentForm, ReturnForm
from .models import Borrowing, Document, DocumentAccess, ExportLog, Level

PAGE_SIZE = 25


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def _need(request: AuthenticatedRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _documents(request: AuthenticatedRequest) -> QuerySet[Document]:
    _need(request, "archives.view_document")
    documents = Document.objects.restrict(request.user, "view").select_related("department", "custodian")  # type: ignore[attr-defined]
    level = request.GET.get("level", "")
    if level in Level.values:
        documents = documents.filter(level=level)
    category = request.GET.get("category", "")
    if category in Document.Category.values:
        documents = documents.filter(category=category)
    if request.GET.get("status") != "void":
        documents = documents.filter(status=Document.Status.ACTIVE)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        documents = documents.filter(Q(number__icontains=term) | Q(title__icontains=term))
    return documents.order_by("-created_at", "-id")


@require_GET
def document_list_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: ARC-2 — the catalog up to the user's clearance."""
    documents = _documents(request)
    return render(
        request,
        "archives/list.html",
        {
            "page": paginate(request, documents, PAGE_SIZE),
            "levels": Level.choices,
            "categories": Document.Category.choices,
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
            "query": request.GET.urlencode(),
        },
    )


DOCUMENT_COLUMNS = [
    Column(gettext_lazy("Archive number"), "number"),
    Column(gettext_lazy("Document title"), "title"),
    Column(gettext_lazy("Document category"), "get_category_display"),
    Column(gettext_lazy("Confidentiality level"), "get_level_display"),
    Column(gettext_lazy("Department"), "department.name"),
    Column(gettext_lazy("Custodian"), "custodian"),
    Column(gettext_lazy("Storage location"), "location"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Registered at"), "created_at"),
]


@require_GET
def document_export_view(request: AuthenticatedRequest) -> Any:
    """rule: ARC-2 — the catalog as Excel/CSV, through the shared export control."""
    return export_view(
        request,
        list_name="archives.documents",
        rows=_documents(request),
        columns=DOCUMENT_COLUMNS,
        title=_("Archive documents"),
        filename="archives",
    )


@require_GET
def document_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: ARC-2 — opening a secret or confidential document's page is logged."""
    _need(request, "archives.view_document")
    document = services.document_view(actor=request.user, pk=pk)
    borrowings = Borrowing.objects.restrict(request.user, "view").filter(document=document).select_related("borrower")  # type: ignore[attr-defined]
    return render(
        request,
        "archives/detail.html",
        {
            "document": document,
            "may_open": services.may_open(request.user, document),
            "borrowings": borrowings[:50],
            "can_borrow": request.user.has_perm("archives.add_borrowing"),
        },
    )


@require_GET
def document_download_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: ARC-2 — the stored file; refused without the right to open it; every download logged."""
    _need(request, "archives.view_document")
    try:
        document = services.document_download(actor=request.user, pk=pk)
    except BusinessError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
        return redirect("archives:detail", pk=pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file_name or None)


@require_http_methods(["GET", "POST"])
def document_new_view(request: AuthenticatedRequest) -> HttpResponse:
    _need(request, "archives.add_document")
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_register(actor=request.user, **form.cleaned_data)
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("The document is registered."))
            return redirect("archives:detail", pk=document.pk)
    return render(request, "archives/form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def borrow_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: ARC-1 — a borrowing request with a due date, sent to the sales director / GM."""
    _need(request, "archives.add_borrowing")
    document = services.get_document_for(request.user, pk)
    form = BorrowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.borrowing_request(actor=request.user, document_id=document.pk, **form.cleaned_data)
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("Your borrowing request was sent for approval."))
            return redirect("archives:borrowings")
    return render(
        request, "archives/borrow.html", {"form": form, "document": document}, status=400 if form.errors else 200
    )


@require_GET
def borrowing_list_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: ARC-1 — own borrowings (a head: the department's; management and the keeper: all)."""
    _need(request, "archives.view_borrowing")
    borrowings = Borrowing.objects.restrict(request.user, "view").select_related("document", "borrower")  # type: ignore[attr-defined]
    status = request.GET.get("status", "")
    if status in Borrowing.Status.values:
        borrowings = borrowings.filter(status=status)
    return render(
        request,
        "archives/borrowings.html",
        {
            "page": paginate(request, borrowings, PAGE_SIZE),
            "statuses": Borrowing.Status.choices,
            "can_inspect": request.user.has_perm("archives.inspect_borrowing"),
        },
    )


@require_http_methods(["GET", "POST"])
def return_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """rule: ARC-1 — take the archive back and inspect it in person."""
    try:
        borrowing = Borrowing.objects.select_related("document", "borrower").get(pk=pk)
    except Borrowing.DoesNotExist as exc:
        raise Http404 from exc
    user = request.user
    if not (user.has_perm("archives.inspect_borrowing") or borrowing.document.custodian_id == user.pk):
        raise Http404
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.borrowing_return(
                actor=user,
                borrowing=borrowing,
                condition=form.cleaned_data["condition"],
                note=form.cleaned_data["note"],
            )
        except BusinessError as error:
            form.add_business_error(error)
        else:
            messages.success(request, _("The return is recorded."))
            return redirect("archives:borrowings")
    return render(
        request, "archives/return.html", {"form": form, "borrowing": borrowing}, status=400 if form.errors else 200
    )


@require_GET
def access_log_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: ARC-2 — who opened which classified document, when."""
    _need(request, "archives.view_documentaccess")
    entries = DocumentAccess.objects.restrict(request.user, "view").select_related("user", "document")  # type: ignore[attr-defined]
    return render(request, "archives/access_log.html", {"page": paginate(request, entries, PAGE_SIZE)})


def _export_log(request: AuthenticatedRequest) -> QuerySet[ExportLog]:
    _need(request, "archives.view_exportlog")
    entries = ExportLog.objects.restrict(request.user, "view").select_related("user")  # type: ignore[attr-defined]
    name = request.GET.get("list", "").strip()[:100]
    if name:
        entries = entries.filter(list_name=name)
    return entries


@require_GET
def export_log_view(request: AuthenticatedRequest) -> HttpResponse:
    """rule: ARC-2 — every export: who, when, which list, the filter, the row count."""
    return render(
        request,
        "archives/export_log.html",
        {
            "page": paginate(request, _export_log(request), PAGE_SIZE),
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
        },
    )


@require_GET
def export_log_export_view(request: AuthenticatedRequest) -> Any:
    return export_view(
        request,
        list_name="archives.export_log",
        rows=_export_log(request),
        columns=[
            Column(gettext_lazy("Time"), "at"),
            Column(gettext_lazy("User"), "user"),
            Column(gettext_lazy("List"), "list_name"),
            Column(gettext_lazy("Filter"), lambda e: e.filters),
            Column(gettext_lazy("Rows"), "row_count"),
            Column(gettext_lazy("Format"), "file_format"),
            Column(gettext_lazy("Status"), "get_status_display"),
        ],
        title=_("Export log"),
        filename="export-log",
    )
