"""Template context for the layout: the navigation the current user may open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class NavEntry:
    """One place in the app: the navbar shows its label, the home page a card with the description."""

    url_name: str
    label: str | Promise
    icon: str  # a Bootstrap Icons name
    description: str | Promise = ""
    permission: str | None = None  # needed to see the entry; None: every employee
    in_navbar: bool = True


NAVIGATION = [
    NavEntry("web:home", pgettext_lazy("navigation", "Home"), "house"),
    NavEntry(
        "customers:list",
        _("Customers"),
        "people",
        _("Your customer archive: search, add, follow up."),
        "customers.view_customer",
    ),
    NavEntry(
        "customers:pool",
        _("Public pool"),
        "water",
        _("Customers nobody served in time: see why, and claim them."),
        "customers.claim_pool_customer",
    ),
    NavEntry(
        "activities:list",
        _("Activities"),
        "journal-text",
        _("Visits, calls and messages logged with customers."),
        "activities.view_activity",
    ),
    NavEntry(
        "activities:return_visits",
        _("Return visits"),
        "telephone-forward",
        _("Deal customers due or overdue for a return visit, and punctuality."),
        "activities.view_activity",
        in_navbar=False,
    ),
    NavEntry(
        "activities:statistics",
        _("Visitor and call statistics"),
        "bar-chart",
        _("Daily and monthly counts of visits, calls, letters and e-mails per team."),
        "activities.view_activity",
        in_navbar=False,
    ),
    NavEntry(
        "activities:inquiries",
        _("Inquiries"),
        "envelope-paper",
        _("Mailbox inquiries, distributed fairly and followed up."),
        "activities.view_inquiry",
        in_navbar=False,
    ),
    NavEntry(
        "activities:greetings",
        _("Greetings"),
        "gift",
        _("Birthdays and holidays coming up for your customers."),
        "activities.view_activity",
        in_navbar=False,
    ),
    NavEntry(
        "activities:key_accounts",
        _("Key accounts"),
        "star",
        _("Key and core customers and when leadership must visit them."),
        "activities.view_keyaccount",
        in_navbar=False,
    ),
    NavEntry(
        "sales:quotes",
        _("Quotes"),
        "receipt",
        _("Quotes from the price list, discount approvals, PDF archive."),
        "sales.view_quote",
    ),
    NavEntry(
        "sales:request_queue",
        _("Non-standard quotes"),
        "hourglass-split",
        _("Special-configuration quote requests and their working-hour deadlines."),
        "sales.view_quoterequest",
        in_navbar=False,
    ),
    NavEntry(
        "sales:products",
        _("Products and prices"),
        "box-seam",
        _("Products and the price lists in force."),
        "sales.view_product",
        in_navbar=False,
    ),
    # Contracts and money (CON-1…8, ORD-2): 合同 / 回款 / 应收账龄 / 对账 / 发票.
    NavEntry(
        "sales:contracts",
        _("Contracts"),
        "file-earmark-text",
        _("Contracts with payment plans: drafting, director review, signing, archive; the seal log."),
        "sales.view_contract",
    ),
    NavEntry(
        "sales:receipts",
        _("Receipts"),
        "cash-stack",
        _("Money received, confirmed by finance only."),
        "sales.view_receipt",
        in_navbar=False,
    ),
    NavEntry(
        "sales:receivables",
        _("Receivables ageing"),
        "hourglass-bottom",
        _("Ageing of receivables, collection rate and bad-debt ratio with the records behind them."),
        "sales.view_instalment",
        in_navbar=False,
    ),
    NavEntry(
        "sales:reconciliations",
        _("Reconciliation"),
        "journal-check",
        _("Weekly and monthly reconciliation with finance, signed by both sides."),
        "sales.view_reconciliation",
        in_navbar=False,
    ),
    NavEntry(
        "sales:invoices",
        _("Invoices"),
        "receipt-cutoff",
        _("Invoice requests: details checked, issued after payment."),
        "sales.view_invoicerequest",
        in_navbar=False,
    ),
    NavEntry(
        "sales:deposits",
        _("Deposit register"),
        "cash-coin",
        _("Small and full deposits on stock units; finance confirms the money."),
        "sales.view_deposit",
    ),
    NavEntry(
        "sales:orders",
        _("Order register"),
        "clipboard-check",
        _("Orders with sign-off, versions, production plans and progress."),
        "sales.view_order",
    ),
    NavEntry(
        "sales:stock",
        _("Stock"),
        "boxes",
        _("Units and their sales control: available, reserved, sold; stock at secondary outlets."),
        "sales.view_stockitem",
        in_navbar=False,
    ),
    NavEntry(
        "sales:shipments",
        _("Shipments"),
        "truck",
        _("Documents checklist, dispatch, logistics and signed delivery receipts."),
        "sales.view_shipment",
        in_navbar=False,
    ),
    NavEntry(
        "service:list",
        _("Complaints"),
        "exclamation-octagon",
        _("The complaint register: intake, assignment, solution, verification, closing."),
        "service.view_complaint",
    ),
    NavEntry(
        "service:aftersales",
        _("After-sales"),
        "tools",
        _("Installation, maintenance and on-site service records and the monthly report."),
        "service.view_aftersalesrecord",
        in_navbar=False,
    ),
    NavEntry(
        "service:analysis",
        _("Complaint analysis"),
        "graph-up",
        _("Complaints by cause, product and department; recurring causes flagged."),
        "service.analyse_complaint",
        in_navbar=False,
    ),
    NavEntry(
        "telesales:lists",
        _("Telesales"),
        "headset",
        _("Call lists, the calling workspace, corrections and agent statistics."),
        "telesales.view_calllist",
    ),
    NavEntry(
        "telesales:receptions",
        _("Reception records"),
        "people-fill",
        _("One record per customer meeting: attendees, questions, answers, key issues."),
        "telesales.view_receptionrecord",
        in_navbar=False,
    ),
    NavEntry(
        "workforce:attendance",
        _("Attendance"),
        "clock",
        _("Clock in and out, leave, outings and business trips."),
        "workforce.view_attendancerecord",
    ),
    NavEntry(
        "workforce:reports",
        _("Work reports"),
        "journal-check",
        _("Daily plans and summaries, weekly to annual reports, and your team's reports to acknowledge."),
        "workforce.view_workreport",
    ),
    NavEntry(
        "workforce:meetings",
        _("Meetings"),
        "people",
        _("Morning, weekly, monthly and special meetings: attendance, lateness and minutes."),
        "workforce.view_meeting",
        in_navbar=False,
    ),
    NavEntry(
        "workforce:roster",
        _("Duty roster"),
        "calendar-week",
        _("Who is on lunch duty and the other posts this week; swaps and unattended posts."),
        "workforce.view_dutyassignment",
        in_navbar=False,
    ),
    NavEntry(
        "archives:list",
        _("Archives"),
        "archive",
        _("Archive documents by confidentiality level, borrowing and the access and export logs."),
        "archives.view_document",
    ),
    NavEntry(
        "reports:dashboard",
        _("Dashboard"),
        "speedometer2",
        _("KPIs of your scope with the records behind each figure: collections, punctuality, growth, funnel."),
        "reports.view_dashboard",
    ),
    NavEntry(
        "reports:index",
        _("PDF reports"),
        "file-earmark-pdf",
        _("The weekly summary and the monthly report as PDF."),
        "reports.download_report",
        in_navbar=False,
    ),
    NavEntry(
        "customers:import",
        _("Import customers"),
        "upload",
        _("Import a customer list (Excel or CSV), check it, then allocate it evenly (CUS-6)."),
        "customers.allocate_customer",
        in_navbar=False,
    ),
    NavEntry(
        "planning:targets",
        _("Targets"),
        "bullseye",
        _("Annual targets decomposed to quarters, months, departments and people; plan vs actual."),
        "planning.view_targetplan",
    ),
    NavEntry(
        "planning:budgets",
        _("Budgets"),
        "piggy-bank",
        _("Department expense budgets: claimed, approved and remaining."),
        "planning.view_budget",
        in_navbar=False,
    ),
    NavEntry(
        "planning:claims",
        _("Expense claims"),
        "receipt-cutoff",
        _("Claim expenses against your department's budget."),
        "planning.add_expenseclaim",
        in_navbar=False,
    ),
    NavEntry(
        "planning:gifts",
        _("Gifts"),
        "gift",
        _("Gift requests for customers, delivery and the customer's signature."),
        "planning.view_giftrequest",
        in_navbar=False,
    ),
    NavEntry("approvals:inbox", _("Approvals"), "check2-square", _("Requests waiting for your decision.")),
    NavEntry(
        "performance:ledger",
        _("Fines and rewards"),
        "cash-coin",
        _("The fines and rewards ledger of the month, per person and department."),
    ),
    NavEntry(
        "performance:my",
        pgettext_lazy("navigation", "Performance"),
        "graph-up-arrow",
        _("Your monthly evaluation and grade; team evaluations and rankings."),
    ),
    NavEntry(
        "performance:statements",
        pgettext_lazy("navigation", "Pay statements"),
        "wallet2",
        _("Monthly pay statements: base, performance, commission, fines and rewards; confirm yours."),
    ),
    NavEntry(
        "training:index",
        pgettext_lazy("navigation", "Training"),
        "mortarboard",
        _("Training plans and sessions, attendance and scores, onboarding and probation."),
        "training.view_trainingsession",
    ),
    NavEntry(
        "marketing:campaigns",
        _("Campaigns"),
        "megaphone",
        _("Marketing campaigns from plan to summary: invitations, attendance, leads and ROI."),
        "marketing.view_campaign",
    ),
    NavEntry(
        "marketing:media_plans",
        _("Media plans"),
        "broadcast",
        _("Annual advertising, exhibition and web plans: completion and spend against budget."),
        "marketing.view_mediaplan",
        in_navbar=False,
    ),
    NavEntry(
        "marketing:roadshows",
        _("Roadshows"),
        "geo-alt",
        _("Monthly roadshows with their photos, against the required number."),
        "marketing.view_roadshow",
        in_navbar=False,
    ),
    NavEntry(
        "marketing:competitors",
        _("Competitor information"),
        "binoculars",
        _("Monthly competitor prices and news, and the quarterly analysis."),
        "marketing.view_competitorentry",
        in_navbar=False,
    ),
    NavEntry("policy:index", _("Policies"), "book", _("The policy numbers in force and the rules that watch them.")),
    NavEntry("org:chart", _("Organisation"), "diagram-3", _("Departments, positions and who reports to whom.")),
]


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:  # an app whose pages are not wired yet: no dead link
        return None


def entries_for(user: Any) -> list[dict[str, Any]]:
    """The navigation entries ``user`` may open, with their URLs."""
    items = []
    for entry in NAVIGATION:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        url = _url(entry.url_name)
        if url is None:
            continue
        items.append(
            {
                "url": url,
                "label": entry.label,
                "icon": entry.icon,
                "description": entry.description,
                "in_navbar": entry.in_navbar,
                "name": entry.url_name,
            }
        )
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = entries_for(user)
    # The longest matching URL is the current place: /customers/pool/ is the pool, not the list.
    matches = [item for item in items if item["url"] != "/" and request.path.startswith(item["url"])]
    current = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is current
    return {"nav_items": items}
