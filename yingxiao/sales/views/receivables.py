"""Receipts, receivables and reconciliation pages (ORD-2, CON-3, CON-4, CON-5, CON-8).

Every figure comes from ``sales.kpis`` (scoped, set-based) and links to the rows behind it.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from yingxiao.core.pagination import paginate
from yingxiao.core.querysets import get_restricted_or_404
from yingxiao.performance.exports import safe_cell

from .. import kpis, services
from ..models import Contract, Instalment, OverdueNotice, Receipt, Reconciliation
from ..services.receivables import differences
from .common import AuthenticatedHtmxRequest, require_perm
from .contracts import run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- receipts (ORD-2) ---------------------------------------------------------------------------------
@require_GET
def receipt_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.view_receipt")
    rows = Receipt.objects.restrict(request.user, "view").select_related("contract__customer", "confirmed_by")
    status = request.GET.get("status", "")
    if status in Receipt.Status.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "sales/receipt_list.html",
        {"page": paginate(request, rows, 50), "status": status, "statuses": Receipt.Status.choices},
    )


@require_POST
def receipt_confirm_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """rule: ORD-2 — anyone but finance gets a clear refusal here; nothing is recorded."""
    contract = get_restricted_or_404(Contract, request.user, pk)
    run(
        request,
        services.receipt_confirm,
        _("The receipt has been confirmed and allocated."),
        contract=contract,
        amount=request.POST.get("amount"),
        received_on=request.POST.get("received_on"),
        reference=request.POST.get("reference", ""),
    )
    return redirect("sales:contract_detail", pk=contract.pk)


@require_POST
def receipt_reverse_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    receipt = get_restricted_or_404(Receipt, request.user, pk)
    run(
        request,
        services.receipt_reverse,
        _("The receipt has been reversed; it stays on record."),
        receipt=receipt,
        reason=request.POST.get("reason"),
    )
    return redirect("sales:contract_detail", pk=receipt.contract_id)


@require_POST
def write_off_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    instalment = get_restricted_or_404(Instalment, request.user, pk)
    run(
        request,
        services.write_off_request,
        _("The write-off has been sent for approval."),
        instalment=instalment,
        amount=request.POST.get("amount"),
        reason=request.POST.get("reason"),
    )
    return redirect("sales:contract_detail", pk=instalment.contract_id)


@require_POST
def guarantee_create_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    contract = get_restricted_or_404(Contract, request.user, pk)
    run(
        request,
        services.guarantee_create,
        _("The guarantee has been recorded."),
        contract=contract,
        amount=request.POST.get("amount"),
        guaranteed_on=request.POST.get("guaranteed_on") or None,
    )
    return redirect("sales:contract_detail", pk=contract.pk)


# --- receivables and KPIs (CON-3) --------------------------------------------------------------------
def _filters(request: AuthenticatedHtmxRequest) -> dict[str, str | None]:
    return {
        "owner": request.GET.get("owner") if request.GET.get("owner", "").isdigit() else None,
        "department": request.GET.get("department") if request.GET.get("department", "").isdigit() else None,
    }


def _as_of(request: AuthenticatedHtmxRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


@require_GET
def receivables_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """应收账龄 and 回款率 / 坏账率 of the period, in the viewer's scope, each linking to its rows."""
    require_perm(request, "sales.view_instalment")
    today = timezone.localdate()
    period = kpis.Period.parse(request.GET.get("period"), today)
    filters = _filters(request)
    group = request.GET.get("group", "owner")
    if group not in kpis.AGEING_GROUPS:
        group = "owner"
    ageing = kpis.ageing(request.user, _as_of(request), group=group, **filters)
    context = {
        "period": period,
        "period_value": request.GET.get("period", ""),
        "collection": kpis.collection_rate(request.user, period, **filters),
        "bad_debt": kpis.bad_debt_ratio(request.user, period, **filters),
        "by_owner": kpis.collection_by(request.user, period, "owner"),
        "by_department": kpis.collection_by(request.user, period, "department"),
        "by_month": kpis.collection_by(request.user, kpis.Period.year(period.start.year), "month"),
        "ageing": ageing,
        "group": group,
        "groups": [(k, k) for k in kpis.AGEING_GROUPS],
        "filters": filters,
        "query": request.GET.urlencode(),
    }
    return render(request, "sales/receivables.html", context)


@require_GET
def drilldown_view(request: AuthenticatedHtmxRequest, figure: str) -> HttpResponse:
    """The rows behind a figure: their sum is the figure shown on the receivables page."""
    require_perm(request, "sales.view_instalment")
    period = kpis.Period.parse(request.GET.get("period"), timezone.localdate())
    filters = _filters(request)
    context: dict = {"figure": figure, "period": period, "query": request.GET.urlencode()}
    if figure == "collection":
        result = kpis.collection_rate(request.user, period, **filters)
        context.update(result=result, page=paginate(request, result.rows, 100))
    elif figure == "bad-debt":
        result = kpis.bad_debt_ratio(request.user, period, **filters)
        context.update(result=result, page=paginate(request, result.rows, 100), revenue=result.related["revenue"][:500])
    elif figure == "ageing":
        ageing = kpis.ageing(request.user, _as_of(request), **filters)
        rows = ageing.rows
        bucket = request.GET.get("bucket", "")
        if bucket in dict(ageing.columns):
            rows = rows.filter(bucket=bucket)
        context.update(ageing=ageing, bucket=bucket, page=paginate(request, rows, 100))
    else:
        raise Http404
    return render(request, "sales/drilldown.html", context)


@require_GET
def ageing_export_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    """rule: CON-3 — Excel export of the receivables ageing (formula-escaped cells), in scope."""
    require_perm(request, "sales.view_instalment")
    ageing = kpis.ageing(request.user, _as_of(request), **_filters(request))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Ageing")[:31]
    labels = dict(ageing.columns)
    sheet.append(
        [
            safe_cell(v)
            for v in (
                _("Contract"),
                _("Customer"),
                _("Sales rep"),
                _("Due date"),
                _("Amount"),
                _("Outstanding"),
                _("Bucket"),
            )
        ]
    )
    for row in ageing.rows.iterator(chunk_size=2000):
        sheet.append(
            [
                safe_cell(row.contract.number),
                safe_cell(row.contract.customer.name),
                safe_cell(str(row.owner)),
                safe_cell(row.due_date.isoformat()),
                row.amount,
                row.outstanding_amount,
                safe_cell(labels.get(row.bucket)),
            ]
        )
    sheet.append([safe_cell(_("Total")), "", "", "", "", ageing.totals["total"], ""])
    return _xlsx(book, f"ageing-{ageing.as_of:%Y%m%d}.xlsx")


# --- reconciliation (CON-4) ---------------------------------------------------------------------------
def _recon_perm(request: AuthenticatedHtmxRequest) -> None:
    require_perm(request, "sales.view_reconciliation")


@require_http_methods(["GET", "POST"])
def reconciliation_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    _recon_perm(request)
    if request.method == "POST":
        require_perm(request, "sales.add_reconciliation")
        ok = run(
            request,
            services.reconciliation_open,
            _("The reconciliation has been opened."),
            kind=request.POST.get("kind"),
            on=request.POST.get("on") or None,
        )
        if ok:
            latest = Reconciliation.objects.order_by("-pk").first()
            if latest is not None:
                return redirect("sales:reconciliation", pk=latest.pk)
        return redirect("sales:reconciliations")
    rows = Reconciliation.objects.all().select_related("sales_signed_by", "finance_signed_by")
    return render(
        request,
        "sales/reconciliation_list.html",
        {"page": paginate(request, rows, 50), "kinds": Reconciliation.Kind.choices, "today": timezone.localdate()},
    )


def _recon_lines(request: AuthenticatedHtmxRequest, recon: Reconciliation):  # type: ignore[no-untyped-def]
    from ..models import ReconciliationLine

    return (
        ReconciliationLine.objects.restrict(request.user, "view")
        .filter(reconciliation=recon)
        .select_related("contract__customer", "owner")
    )


@require_http_methods(["GET", "POST"])
def reconciliation_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    _recon_perm(request)
    recon = Reconciliation.objects.filter(pk=pk).first()
    if recon is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "figure":
            run(
                request,
                services.reconciliation_set_finance,
                _("The finance figure has been saved."),
                reconciliation=recon,
                line=request.POST.get("line"),
                amount=request.POST.get("amount"),
                note=request.POST.get("note", ""),
            )
        elif action in ("sales", "finance"):
            run(request, services.reconciliation_sign, _("Signed."), reconciliation=recon, side=action)
        return redirect("sales:reconciliation", pk=recon.pk)
    lines = _recon_lines(request, recon)
    context = {
        "recon": recon,
        "page": paginate(request, lines, 100),
        "differences": differences(recon).filter(pk__in=lines.values("pk")).select_related("contract__customer"),
    }
    return render(request, "sales/reconciliation_detail.html", context)


@require_GET
def reconciliation_export_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """rule: CON-4 — Excel export of a reconciliation: both sides per contract and the difference."""
    _recon_perm(request)
    recon = Reconciliation.objects.filter(pk=pk).first()
    if recon is None:
        raise Http404
    book = Workbook()
    sheet = book.active
    sheet.title = _("Reconciliation")[:31]
    sheet.append([safe_cell(str(recon))])
    sheet.append(
        [
            safe_cell(v)
            for v in (
                _("Contract"),
                _("Customer"),
                _("Sales rep"),
                _("Sales ledger balance"),
                _("Finance balance"),
                _("Difference"),
                _("Note"),
            )
        ]
    )
    for line in _recon_lines(request, recon).iterator(chunk_size=2000):
        sheet.append(
            [
                safe_cell(line.contract.number),
                safe_cell(line.contract.customer.name),
                safe_cell(str(line.owner)),
                line.sales_amount,
                safe_cell(line.finance_amount),
                safe_cell(line.difference),
                safe_cell(line.note),
            ]
        )
    sheet.append([safe_cell(_("Signed for sales")), safe_cell(str(recon.sales_signed_by or "—"))])
    sheet.append([safe_cell(_("Signed for finance")), safe_cell(str(recon.finance_signed_by or "—"))])
    return _xlsx(book, f"reconciliation-{recon.kind}-{recon.period_end:%Y%m%d}.xlsx")


# --- overdue notices (CON-5) -------------------------------------------------------------------------
@require_GET
def notice_list_view(request: AuthenticatedHtmxRequest) -> HttpResponse:
    require_perm(request, "sales.view_overduenotice")
    rows = OverdueNotice.objects.restrict(request.user, "view").select_related(
        "instalment__contract__customer", "owner"
    )
    return render(request, "sales/notice_list.html", {"page": paginate(request, rows, 50)})


@require_GET
def notice_detail_view(request: AuthenticatedHtmxRequest, pk: int) -> HttpResponse:
    """A printable 催款通知单."""
    require_perm(request, "sales.view_overduenotice")
    notice = get_restricted_or_404(OverdueNotice, request.user, pk)
    return render(request, "sales/notice_detail.html", {"notice": notice})
