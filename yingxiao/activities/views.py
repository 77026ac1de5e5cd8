"""Contact log pages: the scoped activity list and the customer panel's logging endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from yingxiao.core.errors import BusinessError
from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.customers.models import Customer
from yingxiao.org.models import User

from . import services
from .forms import ActivityLogForm
from .selectors import activity_filterset, timeline_for

PAGE_SIZE = 25


class AuthenticatedHtmxRequest(HttpRequest):
    """What these views receive: a logged-in employee (LoginRequiredMiddleware) and htmx details."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


@require_GET
def activity_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """Every contact the user may see, filtered with the same filterset as the API."""
    if not request.user.has_perm("activities.view_activity"):
        raise PermissionDenied
    filterset = activity_filterset(request.user, request.GET)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    return render(request, "activities/list.html", {"filter": filterset, "page": page})


@require_POST
def activity_log_view(request: AuthenticatedHtmxRequest, customer_id: int) -> HttpResponse:
    """Log a contact from the customer panel; htmx gets the refreshed panel, errors inline."""
    customer = get_restricted_or_404(Customer, request.user, customer_id)
    form = ActivityLogForm(request.POST, customer=customer)
    saved = None
    if form.is_valid():
        try:
            saved = services.activity_log(actor=request.user, customer=customer, **form.cleaned_data)
        except BusinessError as error:
            if error.status == 404:
                raise Http404 from error
            if error.status == 403:
                raise PermissionDenied from error
            form.add_business_error(error)
    if saved is not None:
        if not request.htmx:
            messages.success(request, _("The contact has been logged."))
            return redirect(services.customer_link(customer))
        form = ActivityLogForm(customer=customer)
        # The service advanced last_served_at in the database; show the panel with the new value.
        customer.refresh_from_db(fields=["last_served_at"])
    context = {"customer": customer, "activities": timeline_for(request.user, customer), "form": form, "saved": saved}
    template = "activities/_customer_panel.html" if request.htmx else "activities/log.html"
    return render(request, template, context)
