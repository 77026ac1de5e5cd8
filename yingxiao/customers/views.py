"""Customer pages: list, detail, create/edit with inline duplicate feedback, contacts, transfer.

Views parse, call a selector or service, and render — the rules live in services (CUS-2, CUS-9)
and the scope in ``restrict`` (ORG-5): an out-of-scope customer is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.org.scope import scope_for

from . import selectors, services
from .forms import ContactForm, CustomerForm, TransferForm, bootstrap

PAGE_SIZE = 25
ACTIVITY_PANEL = "activities/_customer_panel.html"
# column → (first click, second click) values of the shared filterset's ``ordering``
SORTS = {
    "name": ("name", "-name"),
    "registered": ("-registered_at", "registered_at"),
    "served": ("-last_served", "last_served"),
}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _form_error(form: Any, error: BusinessError | ValidationError) -> None:
    """Show a refused action on the form: business errors as the message, validation per field where possible."""
    if isinstance(error, BusinessError):
        field = error.field if error.field in form.fields and error.code != "customers.duplicate" else None
        form.add_error(field, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _sort_links(request: HttpRequest) -> dict[str, str]:
    current = request.GET.get("ordering", "")
    links = {}
    for column, (first, second) in SORTS.items():
        params = request.GET.copy()
        params.pop("page", None)
        params["ordering"] = second if current == first else first
        links[column] = "?" + params.urlencode()
    return links


@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    _require(request, "customers.view_customer")
    filterset = selectors.customer_filterset(request.user, request.GET)
    bootstrap(filterset.form)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    return render(
        request,
        "customers/list.html",
        {"filterset": filterset, "page": page, "customers": list(page.object_list), "sort_links": _sort_links(request)},
    )


def _activities(request: HttpRequest, customer: Any) -> tuple[str | None, list[Any]]:
    """The activity panel and timeline, if the activities app provides them."""
    try:
        from yingxiao.activities.selectors import timeline_for
    except ImportError:
        return None, []
    try:
        get_template(ACTIVITY_PANEL)
    except TemplateDoesNotExist:
        return None, []
    return ACTIVITY_PANEL, timeline_for(request.user, customer)


@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)
    panel, activities = _activities(request, customer)
    can_transfer = request.user.has_perm("customers.change_customer") and scope_for(request.user).is_all
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "contacts": selectors.contacts_of(customer),
            "history": selectors.history_of(customer),
            "ownership_changes": selectors.ownership_changes_of(customer),
            "activity_panel": panel,
            "activities": activities,
            "can_edit": request.user.has_perm("customers.change_customer"),
            "transfer_form": TransferForm() if can_transfer else None,
        },
    )


@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    _require(request, "customers.add_customer")
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.user, data=form.customer_data(), contacts=form.contacts_data()
            )
        except (BusinessError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Customer %(name)s registered.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": None})


@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk, "change")
    form = CustomerForm(request.POST or None, instance=customer, with_contact=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(actor=request.user, customer=customer, data=form.customer_data())
        except (BusinessError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@require_GET
def check_duplicates(request: HttpRequest) -> HttpResponse:
    """htmx partial: who already registered this name, phone or e-mail (CUS-2), masked to the user's scope."""
    exclude = request.GET.get("exclude") or None
    hits = services.customer_check_duplicates(
        actor=request.user,
        name=request.GET.get("name", "")[:200],
        phone=request.GET.get("phone", "")[:40],
        email=request.GET.get("email", "")[:200],
        exclude=int(exclude) if exclude and exclude.isdigit() else None,
    )
    return render(request, "customers/_duplicates.html", {"hits": hits})


@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "customers.add_contact")
    customer = selectors.get_customer_for(request.user, pk, "change")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(actor=request.user, customer=customer, data=form.contact_data())
        except (BusinessError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Contact added."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer, "contact": None})


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for(request.user, pk, "change")
    customer = contact.customer
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, data=form.contact_data())
        except (BusinessError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer, "contact": contact})


@require_POST
def customer_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.get_customer_for(request.user, pk)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            services.customer_transfer(
                actor=request.user,
                customer=customer,
                new_owner=form.cleaned_data["new_owner"],
                reason=form.cleaned_data["reason"],
            )
        except (BusinessError, ValidationError) as error:
            messages.error(request, error.message if isinstance(error, BusinessError) else " ".join(error.messages))
        else:
            messages.success(request, _("Owner changed."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("customers:detail", pk=customer.pk)
