"""The standard roles of a marketing center (product.md), created once after migrate.

Roles are data (ORG-5): an administrator can edit these or add new ones; this catalog only
fills in roles that do not exist yet and never overwrites an edited role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import DataScope, Role

_CUSTOMER_WORK = [
    "activities.view_inquiry",
    "activities.view_keyaccount",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_contact",
    "customers.add_contact",
    "customers.change_contact",
    "activities.view_activity",
    "activities.add_activity",
]
_CUSTOMER_READ = [
    "activities.view_keyaccount",
    "customers.view_customer",
    "customers.view_contact",
    "activities.view_activity",
]
_ORG_ADMIN = [
    "org.view_department",
    "org.add_department",
    "org.change_department",
    "org.view_position",
    "org.add_position",
    "org.change_position",
    "org.view_role",
    "org.add_role",
    "org.change_role",
    "org.view_user",
    "org.add_user",
    "org.change_user",
    "org.view_assignment",
    "org.add_assignment",
    "org.change_assignment",
    "core.view_calendarday",
    "core.add_calendarday",
    "core.change_calendarday",
]
_MANAGE_OWNERSHIP = ["customers.view_ownershipchange", "customers.view_duplicateattempt"]
_POLICY_READ = [
    "policy.view_policyparameter",
    "policy.view_policyvalue",
    "policy.view_rulerun",
    "policy.view_ruleresult",
]
_POLICY_EDIT = [*_POLICY_READ, "policy.add_policyvalue"]
_APPROVALS_OVERSIGHT = ["approvals.view_instance"]
_DISCIPLINE = ["performance.add_violation", "performance.add_reward"]
# ACT-5 inquiries and CUS-14 key accounts.
_INQUIRY_MANAGE = ["activities.add_inquiry", "activities.change_inquiry"]
_KEY_ACCOUNT_MANAGE = ["activities.add_keyaccount", "activities.change_keyaccount"]
# CUS-4/5/8/10/13: grade reviews, admission, invitations, tracking sheets, referrals.
_RELATIONS_WORK = [
    "customers.view_gradereview",
    "customers.add_gradereview",
    "customers.view_admissioncriterion",
    "customers.view_admissioncheck",
    "customers.add_admissioncheck",
    "customers.change_admissioncheck",
    "customers.view_invitation",
    "customers.add_invitation",
    "customers.change_invitation",
    "customers.view_trackingsheet",
    "customers.add_trackingsheet",
    "customers.change_trackingsheet",
    "customers.view_referral",
    "customers.add_referral",
    "customers.change_referral",
    "customers.view_referralreward",
]
_SUPERVISE_TRACKING = ["customers.review_trackingsheet"]
_COORDINATE_INVITATIONS = ["customers.resolve_invitation"]
_CHECKLIST_ADMIN = [
    "customers.view_admissioncriterion",
    "customers.add_admissioncriterion",
    "customers.change_admissioncriterion",
]
# CMP-1…9: complaints and after-sales.
_COMPLAINT_LOG = ["service.view_complaint", "service.add_complaint"]
_COMPLAINT_HANDLE = [
    *_COMPLAINT_LOG,
    "service.change_complaint",
    "service.analyse_complaint",
    "service.view_aftersalesrecord",
    "service.add_aftersalesrecord",
    "service.view_aftersalesreport",
]
_AFTERSALES_REPORT = ["service.add_aftersalesreport"]
# QUO-1…4: products, price lists, quotes; confidential prices and costs by permission.
_SALES_CATALOG_READ = ["sales.view_product", "sales.view_pricelist"]
_QUOTE_WORK = [
    *_SALES_CATALOG_READ,
    "sales.view_quote",
    "sales.add_quote",
    "sales.change_quote",
    "sales.view_quoterequest",
    "sales.add_quoterequest",
]
_SALES_CATALOG_EDIT = ["sales.add_product", "sales.change_product", "sales.add_pricelist", "sales.change_pricelist"]
_CONFIDENTIAL_PRICE = ["sales.view_confidential_price"]
_QUOTER = [
    *_SALES_CATALOG_READ,
    "sales.view_quoterequest",
    "sales.answer_quoterequest",
    "sales.add_product",
    "sales.change_product",
    *_CONFIDENTIAL_PRICE,
]
_MONEY_READ = [*_SALES_CATALOG_READ, "sales.view_quote", *_CONFIDENTIAL_PRICE]
# HR-1…5: attendance, outings, trips, leave — every employee for their own records.
_WORKFORCE_SELF = [
    "workforce.view_attendancerecord",
    "workforce.add_attendancerecord",
    "workforce.view_attendancecorrection",
    "workforce.add_attendancecorrection",
    "workforce.view_outing",
    "workforce.add_outing",
    "workforce.view_trip",
    "workforce.add_trip",
    "workforce.view_tripcheckin",
    "workforce.add_tripcheckin",
    "workforce.view_leave",
    "workforce.add_leave",
    "workforce.view_leaveentitlement",
]
_WORKFORCE_HR = ["workforce.add_leaveentitlement", "workforce.change_leaveentitlement"]
# TEL-1…5 and ACT-7: call lists, calls, corrections by approval, reception records.
_TELESALES_AGENT = [
    "telesales.view_calllist",
    "telesales.add_calllist",
    "telesales.view_callentry",
    "telesales.change_callentry",
    "telesales.view_calllog",
    "telesales.add_calllog",
    "telesales.view_callcorrection",
    "telesales.add_callcorrection",
    "telesales.view_receptionrecord",
    "telesales.add_receptionrecord",
]
_TELESALES_SUPERVISE = ["telesales.change_callcorrection"]
_RECEPTION = ["telesales.view_receptionrecord", "telesales.add_receptionrecord"]
# CUS-6/CUS-7: the public pool.
_CLAIM = ["customers.claim_pool_customer"]
_ALLOCATE = ["customers.allocate_customer"]
_REASSIGN = ["customers.reassign_customer"]


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    scope: str
    permissions: tuple[str, ...]


_DIRECTOR = (
    *_TELESALES_AGENT,
    *_TELESALES_SUPERVISE,
    *_QUOTE_WORK,
    *_SALES_CATALOG_EDIT,
    *_CONFIDENTIAL_PRICE,
    *_COMPLAINT_HANDLE,
    *_RELATIONS_WORK,
    *_SUPERVISE_TRACKING,
    *_COORDINATE_INVITATIONS,
    *_CHECKLIST_ADMIN,
    *_INQUIRY_MANAGE,
    *_KEY_ACCOUNT_MANAGE,
    *_CUSTOMER_WORK,
    *_MANAGE_OWNERSHIP,
    *_POLICY_EDIT,
    *_APPROVALS_OVERSIGHT,
    *_DISCIPLINE,
    *_CLAIM,
    *_ALLOCATE,
    *_REASSIGN,
)
_HEAD = (
    *_TELESALES_AGENT,
    *_TELESALES_SUPERVISE,
    *_QUOTE_WORK,
    *_COMPLAINT_HANDLE,
    *_AFTERSALES_REPORT,
    *_RELATIONS_WORK,
    *_SUPERVISE_TRACKING,
    *_INQUIRY_MANAGE,
    *_CUSTOMER_WORK,
    *_MANAGE_OWNERSHIP,
    *_APPROVALS_OVERSIGHT,
    *_DISCIPLINE,
    *_CLAIM,
    *_ALLOCATE,
)
_REP = (*_TELESALES_AGENT, *_QUOTE_WORK, *_COMPLAINT_LOG, *_RELATIONS_WORK, *_CUSTOMER_WORK, *_CLAIM)
_RESOURCE_DIRECTOR = (
    *_KEY_ACCOUNT_MANAGE,
    *_INQUIRY_MANAGE,
    *_KEY_ACCOUNT_MANAGE,
    *_CUSTOMER_WORK,
    *_MANAGE_OWNERSHIP,
    *_POLICY_READ,
    *_CLAIM,
    *_ALLOCATE,
    *_REASSIGN,
    "customers.run_pool_sweep",
)
_FINANCE = (
    *_MONEY_READ,
    "customers.view_customer",
    "performance.view_violation",
    "performance.confirm_payment_violation",
)

# fmt: off
STANDARD_ROLES = [
    RoleSpec(
        "chairman",
        _("Chairman"),
        DataScope.ALL,
        (*_CUSTOMER_READ, *_MANAGE_OWNERSHIP, *_KEY_ACCOUNT_MANAGE, *_MONEY_READ),
    ),
    RoleSpec("general_manager", _("General manager"), DataScope.ALL, _DIRECTOR),
    RoleSpec("sales_director", _("Sales director"), DataScope.ALL, _DIRECTOR),
    RoleSpec("department_head", _("Department head"), DataScope.DEPARTMENT, _HEAD),
    RoleSpec("group_leader", _("Group leader"), DataScope.DEPARTMENT, (*_REP, *_SUPERVISE_TRACKING)),
    RoleSpec("sales_rep", _("Sales representative"), DataScope.OWN, _REP),
    RoleSpec("regional_manager", _("Regional manager"), DataScope.OWN, _REP),
    RoleSpec("telesales", _("Telesales agent"), DataScope.OWN, _REP),
    RoleSpec("marketing_specialist", _("Marketing specialist"), DataScope.OWN, tuple(_CUSTOMER_WORK)),
    RoleSpec("quoting_engineer", _("Technical quoting"), DataScope.OWN, (*_CUSTOMER_READ, *_QUOTER)),
    RoleSpec(
        "aftersales",
        _("After-sales / customer service"),
        DataScope.OWN,
        (*_CUSTOMER_WORK, *_COMPLAINT_HANDLE, *_AFTERSALES_REPORT),
    ),
    RoleSpec(
        "sales_assistant",
        _("Sales assistant (back office)"),
        DataScope.DEPARTMENT,
        (*_CUSTOMER_WORK, *_RELATIONS_WORK, *_COORDINATE_INVITATIONS, *_COMPLAINT_LOG, *_QUOTE_WORK),
    ),
    RoleSpec("commerce", _("Commerce group"), DataScope.DEPARTMENT, (*_CUSTOMER_WORK, *_RECEPTION)),
    RoleSpec("customer_resource_director", _("Customer-resource director"), DataScope.ALL, _RESOURCE_DIRECTOR),
    RoleSpec("finance", _("Finance"), DataScope.ALL, _FINANCE),
    RoleSpec("hr", _("Human resources"), DataScope.ALL, ("org.view_user", "org.change_user", *_DISCIPLINE)),
    RoleSpec(
        "admin",
        _("System administrator"),
        DataScope.ALL,
        (*_ORG_ADMIN, *_CUSTOMER_READ, *_POLICY_EDIT, *_INQUIRY_MANAGE, *_CHECKLIST_ADMIN),
    ),
]
# fmt: on


# Attendance and leave are every employee's own business (HR-1…5).
STANDARD_ROLES = [
    RoleSpec(
        spec.code,
        spec.name,
        spec.scope,
        (*spec.permissions, *_WORKFORCE_SELF, *(_WORKFORCE_HR if spec.code == "hr" else ())),
    )
    for spec in STANDARD_ROLES
]

# HR-6/7/8/10: everyone reads the rosters and meetings they are part of, swaps their own duties and
# files work reports (owe_workreport: the HR-7 sweep expects reports from them — not from the chairman
# or the administrator); heads and directors plan rosters, report empty posts and run meetings; the
# sales assistant (内勤) organises the center's meetings (seed 000).
_WORKFORCE_TEAM_SELF = (
    "workforce.view_dutypost",
    "workforce.view_dutyassignment",
    "workforce.view_dutyswap",
    "workforce.add_dutyswap",
    "workforce.view_unattendedpost",
    "workforce.view_meeting",
    "workforce.view_workreport",
    "workforce.add_workreport",
)
_WORKFORCE_OWE_REPORTS = ("workforce.owe_workreport",)
_MEETING_ORGANISE = ("workforce.add_meeting", "workforce.change_meeting")
_ROSTER_PLAN = (
    "workforce.add_dutypost",
    "workforce.change_dutypost",
    "workforce.add_dutyassignment",
    "workforce.change_dutyassignment",
    "workforce.report_unattended_dutyassignment",
)
_WORKFORCE_TEAM_BY_ROLE: dict[str, tuple[str, ...]] = {
    "general_manager": (*_WORKFORCE_OWE_REPORTS, *_ROSTER_PLAN, *_MEETING_ORGANISE),
    "sales_director": (*_WORKFORCE_OWE_REPORTS, *_ROSTER_PLAN, *_MEETING_ORGANISE),
    "department_head": (*_WORKFORCE_OWE_REPORTS, *_ROSTER_PLAN, *_MEETING_ORGANISE),
    "group_leader": (*_WORKFORCE_OWE_REPORTS, "workforce.add_meeting", "workforce.report_unattended_dutyassignment"),
    "sales_assistant": (*_WORKFORCE_OWE_REPORTS, *_MEETING_ORGANISE),
    "hr": (*_WORKFORCE_OWE_REPORTS, "workforce.report_unattended_dutyassignment"),
    "chairman": (),
    "admin": (),
}
STANDARD_ROLES = [
    RoleSpec(
        spec.code,
        spec.name,
        spec.scope,
        (
            *spec.permissions,
            *_WORKFORCE_TEAM_SELF,
            *_WORKFORCE_TEAM_BY_ROLE.get(spec.code, _WORKFORCE_OWE_REPORTS),
        ),
    )
    for spec in STANDARD_ROLES
]


# MKT-1…5: campaigns, media plans, roadshows, competitor intelligence. Marketing specialists and
# heads do the work (own / department scope); directors all; the chairman and finance read.
# Campaign invitations go through the customers app's CUS-8 check, hence its invitation verbs.
_MARKETING_READ = (
    "marketing.view_campaign",
    "marketing.view_mediaplan",
    "marketing.view_roadshow",
    "marketing.view_competitorentry",
)
_MARKETING_WORK = (
    *_MARKETING_READ,
    "marketing.add_campaign",
    "marketing.change_campaign",
    "marketing.add_mediaplan",
    "marketing.change_mediaplan",
    "marketing.add_roadshow",
    "marketing.change_roadshow",
    "marketing.add_competitorentry",
    "marketing.change_competitorentry",
    "customers.view_invitation",
    "customers.add_invitation",
    "customers.change_invitation",
)
_MARKETING_BY_ROLE: dict[str, tuple[str, ...]] = {
    "general_manager": _MARKETING_WORK,
    "sales_director": _MARKETING_WORK,
    "department_head": _MARKETING_WORK,
    "marketing_specialist": _MARKETING_WORK,
    "chairman": _MARKETING_READ,
    "finance": ("marketing.view_campaign", "marketing.view_mediaplan"),
}
STANDARD_ROLES = [
    RoleSpec(spec.code, spec.name, spec.scope, (*spec.permissions, *_MARKETING_BY_ROLE.get(spec.code, ())))
    for spec in STANDARD_ROLES
]


# PLN-1…5: targets, budgets, expense claims, gifts. Staff read their own targets and claim their own
# expenses and gifts; heads decompose their department's targets; directors create and publish plans
# and set budgets with finance. All-scope support roles (admin, HR, resource director) only claim.
_PLANNING_READ = (
    "planning.view_targetplan",
    "planning.view_target",
    "planning.view_reallocation",
    "planning.view_correctiveaction",
)
_PLANNING_STAFF = (
    *_PLANNING_READ,
    "planning.add_correctiveaction",
    "planning.view_expenseclaim",
    "planning.add_expenseclaim",
    "planning.view_giftrequest",
    "planning.add_giftrequest",
    "planning.change_giftrequest",
)
_PLANNING_HEAD = (*_PLANNING_STAFF, "planning.add_target", "planning.change_target", "planning.view_budget")
_PLANNING_BUDGET = ("planning.view_budget", "planning.add_budget", "planning.change_budget")
_PLANNING_DIRECTOR = (*_PLANNING_HEAD, *_PLANNING_BUDGET, "planning.add_targetplan", "planning.publish_targetplan")
_PLANNING_BY_ROLE: dict[str, tuple[str, ...]] = {
    "general_manager": _PLANNING_DIRECTOR,
    "sales_director": _PLANNING_DIRECTOR,
    "department_head": _PLANNING_HEAD,
    "chairman": (*_PLANNING_READ, "planning.view_budget", "planning.view_expenseclaim", "planning.view_giftrequest"),
    "finance": (
        *_PLANNING_READ,
        *_PLANNING_BUDGET,
        "planning.view_expenseclaim",
        "planning.add_expenseclaim",
        "planning.view_giftrequest",
    ),
    "admin": ("planning.add_expenseclaim",),
    "hr": ("planning.add_expenseclaim",),
    "customer_resource_director": ("planning.add_expenseclaim",),
}
STANDARD_ROLES = [
    RoleSpec(spec.code, spec.name, spec.scope, (*spec.permissions, *_PLANNING_BY_ROLE.get(spec.code, _PLANNING_STAFF)))
    for spec in STANDARD_ROLES
]


# PRF-1…5 and HR-9/ORG-6: everyone reads their own evaluation, statement and training records (no
# verb needed for one's own); heads and directors evaluate their scope; HR closes the payroll month,
# issues statements and keeps pay profiles; HR, directors and heads run training and onboarding.
_PAY_READ = ("performance.view_evaluation", "performance.view_paystatement")
_EVALUATE = (*_PAY_READ, "performance.add_evaluation", "performance.change_evaluation")
_PAYROLL = (
    *_EVALUATE,
    "performance.add_paystatement",
    "performance.close_paymonth",
    "performance.view_payprofile",
    "performance.change_payprofile",
)
_TRAINING_STAFF = (
    "training.view_trainingplan",
    "training.view_trainingsession",
    "training.view_attendance",
    "training.view_onboarding",
    "training.view_trainingneed",
)
_TRAINING_HEAD = (
    *_TRAINING_STAFF,
    "training.add_trainingsession",
    "training.add_attendance",
    "training.add_onboarding",
)
_TRAINING_MANAGE = (
    *_TRAINING_HEAD,
    "training.add_trainingplan",
    "training.change_trainingplan",
    "training.change_trainingsession",
    "training.change_trainingneed",
)
_PEOPLE_BY_ROLE: dict[str, tuple[str, ...]] = {
    "general_manager": (*_EVALUATE, *_TRAINING_MANAGE),
    "sales_director": (*_EVALUATE, *_TRAINING_MANAGE),
    "department_head": (*_EVALUATE, *_TRAINING_HEAD),
    "hr": (*_PAYROLL, *_TRAINING_MANAGE),
    "finance": (*_PAY_READ, *_TRAINING_STAFF),
    "chairman": (*_PAY_READ, *_TRAINING_STAFF),
}
STANDARD_ROLES = [
    RoleSpec(spec.code, spec.name, spec.scope, (*spec.permissions, *_PEOPLE_BY_ROLE.get(spec.code, _TRAINING_STAFF)))
    for spec in STANDARD_ROLES
]

# ARC-1/ARC-2: archives by confidentiality level, borrowing, access and export logs.
# Everyone reads the catalog up to their clearance and may ask to borrow (借阅); 秘密 needs
# access_secret, 机密 access_confidential; the keeper (专人: the sales assistant) registers documents and
# takes returns; exporting any list is a right of its own (archives.export_data, core/exports.py).
_ARCHIVE_READ = ("archives.view_document", "archives.view_borrowing", "archives.add_borrowing")
_ARCHIVE_EDIT = ("archives.add_document", "archives.change_document")
_ARCHIVE_KEEP = (*_ARCHIVE_EDIT, "archives.inspect_borrowing", "archives.access_secret")
_ARCHIVE_SECRET = ("archives.access_secret",)
_ARCHIVE_TOP = (*_ARCHIVE_KEEP, "archives.access_confidential")
_ARCHIVE_AUDIT = ("archives.view_documentaccess", "archives.view_exportlog")
_EXPORT = ("archives.export_data",)
_ARCHIVES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "chairman": (*_ARCHIVE_SECRET, "archives.access_confidential", *_ARCHIVE_AUDIT, *_EXPORT),
    "general_manager": (*_ARCHIVE_TOP, *_ARCHIVE_AUDIT, *_EXPORT),
    "sales_director": (*_ARCHIVE_TOP, *_ARCHIVE_AUDIT, *_EXPORT),
    "department_head": (*_ARCHIVE_EDIT, *_ARCHIVE_SECRET, *_EXPORT),
    "sales_assistant": _ARCHIVE_KEEP,
    "customer_resource_director": (*_ARCHIVE_SECRET, *_EXPORT),
    "finance": (*_ARCHIVE_SECRET, *_EXPORT),
    "hr": (*_ARCHIVE_SECRET, *_EXPORT),
    "admin": _ARCHIVE_AUDIT,
}
STANDARD_ROLES = [
    RoleSpec(
        spec.code, spec.name, spec.scope, (*spec.permissions, *_ARCHIVE_READ, *_ARCHIVES_BY_ROLE.get(spec.code, ()))
    )
    for spec in STANDARD_ROLES
]


# KPI dashboards and PDF reports: everyone who sells or manages sees the figures of their own scope
# (ORG-5); managers also download the weekly and monthly PDF reports.
_DASHBOARD = ("reports.view_dashboard",)
_REPORT_PDF = ("reports.view_dashboard", "reports.download_report")
_REPORTS_BY_ROLE: dict[str, tuple[str, ...]] = {
    "chairman": _REPORT_PDF,
    "general_manager": _REPORT_PDF,
    "sales_director": _REPORT_PDF,
    "department_head": _REPORT_PDF,
    "group_leader": _REPORT_PDF,
    "customer_resource_director": _REPORT_PDF,
    "sales_rep": _DASHBOARD,
    "regional_manager": _DASHBOARD,
    "telesales": _DASHBOARD,
}
STANDARD_ROLES = [
    RoleSpec(spec.code, spec.name, spec.scope, (*spec.permissions, *_REPORTS_BY_ROLE.get(spec.code, ())))
    for spec in STANDARD_ROLES
]

# ORD-1…6, SHP-1…3: stock (销控), deposits, orders with sign-off and production, shipments.
# rule: ORD-2 — money received is confirmed by finance only (sales.confirm_deposit).
_DEAL_WORK = (
    "sales.view_stockitem",
    "sales.view_deposit",
    "sales.add_deposit",
    "sales.change_deposit",
    "sales.view_order",
    "sales.add_order",
    "sales.change_order",
    "sales.view_shipment",
    "sales.add_shipment",
    "sales.change_shipment",
)
_STOCK_EDIT = ("sales.add_stockitem", "sales.change_stockitem")
_SIGNOFF = ("sales.signoff_order",)  # rule: ORD-3 — the manager or group leader signs off
_SALES_OFFICE = ("sales.plan_order",)  # rule: ORD-4 — the sales office plans production
_SHIPMENT_OVERSIGHT = ("sales.spot_check_shipment", "sales.add_shipmentcomplaint")  # SHP-2, SHP-3
_DEAL_READ = ("sales.view_stockitem", "sales.view_deposit", "sales.view_order", "sales.view_shipment")
_DEAL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "chairman": _DEAL_READ,
    "general_manager": (*_DEAL_WORK, *_STOCK_EDIT, *_SIGNOFF, *_SALES_OFFICE, *_SHIPMENT_OVERSIGHT),
    "sales_director": (*_DEAL_WORK, *_STOCK_EDIT, *_SIGNOFF, *_SALES_OFFICE, *_SHIPMENT_OVERSIGHT),
    "department_head": (*_DEAL_WORK, *_SIGNOFF, *_SHIPMENT_OVERSIGHT),
    "group_leader": (*_DEAL_WORK, *_SIGNOFF),
    "sales_rep": _DEAL_WORK,
    "regional_manager": _DEAL_WORK,
    "sales_assistant": (*_DEAL_WORK, *_STOCK_EDIT, *_SALES_OFFICE),
    "finance": (*_DEAL_READ, "sales.confirm_deposit"),
}
STANDARD_ROLES = [
    RoleSpec(spec.code, spec.name, spec.scope, (*spec.permissions, *_DEAL_PERMISSIONS.get(spec.code, ())))
    for spec in STANDARD_ROLES
]


def _permissions(codes: tuple[str, ...]) -> list[Permission]:
    condition = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(condition))


def ensure_standard_roles() -> None:
    """Create missing standard roles and grant standard permissions added since the last run.

    A permission the catalog granted before and an administrator removed stays removed; names
    are stored in the company's language (migrate runs with translation switched off).
    """
    roles = {role.code: role for role in Role.objects.all()}
    with translation.override(settings.LANGUAGE_CODE):
        for spec in STANDARD_ROLES:
            role = roles.get(spec.code)
            if role is None:
                role = Role.objects.create(code=spec.code, name=str(spec.name), data_scope=spec.scope)
            new = sorted(set(spec.permissions) - set(role.catalog_granted))
            if not new:
                continue
            role.permissions.add(*_permissions(tuple(new)))
            role.catalog_granted = sorted({*role.catalog_granted, *new})
            role.save(update_fields=["catalog_granted"])


# CON-1…8, ORD-2: contracts (drafted by the commerce group), receipts (finance only), receivables,
# reconciliations with finance, invoices, the contract-seal log (kept by the sales assistant) and
# distributor guarantees (regional managers).
_CONTRACT_READ = [
    "sales.view_contract",
    "sales.view_instalment",
    "sales.view_receipt",
    "sales.view_writeoff",
    "sales.view_overduenotice",
    "sales.view_invoicerequest",
]
_CONTRACT_DRAFT = ["sales.add_contract", "sales.change_contract"]
_INVOICE_ASK = ["sales.add_invoicerequest"]
_INVOICE_CHECK = ["sales.check_invoicerequest"]
_RECONCILE = ["sales.view_reconciliation", "sales.view_reconciliationline", "sales.add_reconciliation"]
_RECONCILE_SALES = [*_RECONCILE, "sales.sign_sales_reconciliation"]
_RECONCILE_FINANCE = [*_RECONCILE, "sales.sign_finance_reconciliation"]
_SEAL_VIEW = ["sales.view_sealuse"]
_SEAL_KEEP = [*_SEAL_VIEW, "sales.add_sealuse"]  # rule: CON-7 — only the keeper records uses
_RECEIPT_CONFIRM = ["sales.confirm_receipt"]  # rule: ORD-2 — finance only
_WRITE_OFF = ["sales.write_off_instalment"]
_GUARANTEE_VIEW = ["sales.view_guarantee"]
_GUARANTEE_GIVE = [*_GUARANTEE_VIEW, "sales.add_guarantee"]
_MONEY_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "chairman": (*_CONTRACT_READ, *_GUARANTEE_VIEW, "sales.view_reconciliation", "sales.view_reconciliationline"),
    "general_manager": (*_CONTRACT_READ, *_INVOICE_ASK, *_RECONCILE, *_SEAL_VIEW, *_WRITE_OFF, *_GUARANTEE_VIEW),
    "sales_director": (*_CONTRACT_READ, *_INVOICE_ASK, *_RECONCILE, *_SEAL_VIEW, *_WRITE_OFF, *_GUARANTEE_VIEW),
    "department_head": (*_CONTRACT_READ, *_INVOICE_ASK, *_WRITE_OFF, *_GUARANTEE_VIEW),
    "group_leader": (*_CONTRACT_READ, *_INVOICE_ASK),
    "sales_rep": (*_CONTRACT_READ, *_INVOICE_ASK),
    "regional_manager": (*_CONTRACT_READ, *_INVOICE_ASK, *_GUARANTEE_GIVE),
    "sales_assistant": (*_CONTRACT_READ, *_INVOICE_ASK, *_INVOICE_CHECK, *_RECONCILE_SALES, *_SEAL_KEEP),
    "commerce": (
        *_CONTRACT_READ,
        *_CONTRACT_DRAFT,
        *_INVOICE_ASK,
        *_INVOICE_CHECK,
        *_RECONCILE_SALES,
        *_SEAL_VIEW,
        "sales.view_order",  # drafts the contract from the order (ORD-3 → CON-1)
    ),
    "finance": (
        *_CONTRACT_READ,
        *_RECEIPT_CONFIRM,
        *_RECONCILE_FINANCE,
        *_WRITE_OFF,
        *_GUARANTEE_VIEW,
        "sales.view_contract",
        "sales.issue_invoicerequest",
    ),
}
STANDARD_ROLES = [
    RoleSpec(spec.code, spec.name, spec.scope, (*spec.permissions, *_MONEY_ROLE_PERMISSIONS.get(spec.code, ())))
    for spec in STANDARD_ROLES
]
