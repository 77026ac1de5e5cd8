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
