"""Quote pages: list, create, detail with htmx line editing, submit / send / revise, archived PDFs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.customers.models import Customer

from .. import selectors, services
from ..forms import QuoteCreateForm, QuoteLineForm
from ..models import Product, Quote
from .common import AuthenticatedHtmxRequest, raise_http, require_perm

PAGE_SIZE = 25
ACTIONS = {
    "submit": (services.quote_submit, gettext_lazy("The quote has been submitted.")),
    "send": (services.quote_send, gettext_lazy("The quote has been sent and archived.")),
    "revise": (services.quote_revise, gettext_lazy("A new revision has been made; the previous one is kept.")),
}


@require_GET
def quote_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """Every quote the user may see, newest first; filter by status or number/customer."""
    require_perm(request, "sales.view_quote")
    rows = selectors.quotes_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Quote.Status.values:
        rows = rows.filter(status=status)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        rows = rows.filter(Q(number__icontains=term) | Q(customer__name__icontains=term))
    page = paginate(request, rows, PAGE_SIZE)
    context = {"page": page, "statuses": Quote.Status.choices, "status": status, "q": term}
    return render(request, "sales/quote_list.html", context)


def _customers(request: AuthenticatedHtmxRequest):  # type: ignore[no-untyped-def]
    return Customer.objects.restrict(request.user, "view").filter(is_archived=False).order_by("name")


@require_http_methods(["GET", "POST"])
def quote_create_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.add_quote")
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else None
    form = QuoteCreateForm(request.POST or None, initial=initial, customers=_customers(request))
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.quote_create(actor=request.user, **form.cleaned_data)
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
        else:
            messages.success(request, _("Quote %(number)s has been created; add its lines.") % {"number": quote.number})
            return redirect("sales:quote_detail", pk=quote.pk)
    return render(request, "sales/quote_form.html", {"form": form})


def _line_form(request: AuthenticatedHtmxRequest, data: object = None) -> QuoteLineForm:
    products = Product.objects.restrict(request.user, "view").filter(is_active=True)
    return QuoteLineForm(data, products=products)


def _detail_context(request: AuthenticatedHtmxRequest, quote: Quote, form: QuoteLineForm | None = None) -> dict:
    revisions = selectors.revisions_of(quote)
    current = revisions[0]
    may_change = request.user.has_perm("sales.change_quote") and (
        Quote.objects.restrict(request.user, "change").filter(pk=quote.pk).exists()
    )
    return {
        "quote": quote,
        "current": current,
        "earlier": revisions[1:],
        "may_change": may_change,
        "line_form": form or _line_form(request),
    }


@require_GET
def quote_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    quote = selectors.get_quote_for(request.user, pk)
    return render(request, "sales/quote_detail.html", _detail_context(request, quote))


@require_POST
def quote_line_add_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """Add a line (htmx: the refreshed lines panel; errors shown inline)."""
    quote = selectors.get_quote_for(request.user, pk)
    form = _line_form(request, request.POST)
    added = False
    if form.is_valid():
        try:
            services.quote_line_add(actor=request.user, quote=quote, **form.cleaned_data)
            added = True
        except BusinessError as error:
            raise_http(error)
            form.add_business_error(error)
    quote.refresh_from_db()
    if not request.htmx:
        if added:
            return redirect("sales:quote_detail", pk=quote.pk)
        return render(request, "sales/quote_detail.html", _detail_context(request, quote, form))
    return render(request, "sales/_quote_lines.html", _detail_context(request, quote, None if added else form))


@require_POST
def quote_line_remove_view(request: AuthenticatedHtmxRequest, pk: int, line_id: int) -> HttpResponse:
    quote = selectors.get_quote_for(request.user, pk)
    error_message = ""
    try:
        services.quote_line_remove(actor=request.user, quote=quote, line_id=line_id)
    except BusinessError as error:
        raise_http(error)
        error_message = error.message
    quote.refresh_from_db()
    if not request.htmx:
        if error_message:
            messages.error(request, error_message)
        return redirect("sales:quote_detail", pk=quote.pk)
    context = _detail_context(request, quote)
    context["line_error"] = error_message
    return render(request, "sales/_quote_lines.html", context)


@require_POST
def quote_action_view(request: AuthenticatedHtmxRequest, pk: int, action: str) -> HttpResponse:
    """Submit, send or revise the quote; a refused action is shown as a message, nothing changed."""
    if action not in ACTIONS:
        raise Http404
    quote = selectors.get_quote_for(request.user, pk)
    service, done = ACTIONS[action]
    try:
        service(actor=request.user, quote=quote)
    except BusinessError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, str(done))
    return redirect("sales:quote_detail", pk=quote.pk)


@require_GET
def quote_pdf_view(request: AuthenticatedHtmxRequest, pk: int, version: int) -> FileResponse:
    """The archived PDF of a sent revision (QUO-3), for whoever may see the quote."""
    quote = selectors.get_quote_for(request.user, pk)
    revision = quote.revisions.filter(version=version, status=Quote.Status.SENT).first()
    if revision is None or not revision.pdf:
        raise Http404
    if not request.user.has_perm("sales.view_quote"):
        raise PermissionDenied
    return FileResponse(
        revision.pdf.open("rb"),
        as_attachment=False,
        filename=f"{quote.number}-v{revision.version}.pdf",
        content_type="application/pdf",
    )
