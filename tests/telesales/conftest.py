"""Fixtures of the telesales tests.

``ROLE_PERMISSIONS`` is what the standard roles need (to be added to ``yingxiao/org/roles.py``);
granted here meanwhile. The sales rep persona (``rep``) acts as the telesales agent.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.factories import CustomerFactory
from tests.personas import Personas
from yingxiao.customers.dedup import sync_identities
from yingxiao.customers.models import Customer
from yingxiao.org.models import Role, User
from yingxiao.telesales import imports, services
from yingxiao.telesales.models import CallEntry, CallList, CallLog

_AGENT = (
    "telesales.view_calllist", "telesales.add_calllist", "telesales.view_callentry", "telesales.change_callentry",
    "telesales.view_calllog", "telesales.add_calllog", "telesales.view_callcorrection",
    "telesales.add_callcorrection", "telesales.view_receptionrecord", "telesales.add_receptionrecord",
)  # fmt: skip
_SUPERVISOR = (*_AGENT, "telesales.change_callcorrection")
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "general_manager": _SUPERVISOR,
    "sales_director": _SUPERVISOR,
    "department_head": _SUPERVISOR,
    "group_leader": _AGENT,
    "telesales": _AGENT,
    "sales_rep": _AGENT,
    "regional_manager": _AGENT,
    "commerce": ("telesales.view_receptionrecord", "telesales.add_receptionrecord"),
}


def grant_telesales_permissions() -> None:
    for code, names in ROLE_PERMISSIONS.items():
        role = Role.objects.filter(code=code).first()
        if role is None:
            continue
        perms = [Permission.objects.get(content_type__app_label="telesales", codename=n.split(".")[1]) for n in names]
        role.permissions.add(*perms)


def fresh(user: User) -> User:
    """The user re-read, without cached permissions or scope."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def tel(personas: Personas) -> Personas:
    grant_telesales_permissions()
    return personas


@pytest.fixture
def archived(tel: Personas) -> Customer:
    """A customer of 国际部 already in the archive with phone 13900009999 (outside rep's scope)."""
    customer = CustomerFactory(
        name="华东机械有限公司", phone="13900009999", owner=tel.other_rep, department=tel.international
    )
    sync_identities(customer, [])
    return customer


CSV = "姓名,电话,公司,备注\n王先生,13800000001,甲公司,老客户介绍\n李女士,13800000002,,\n赵先生,13800000003,,\n"


def make_list(actor: User, text: str = CSV, name: str = "三月名单") -> CallList:
    call_list, _report = imports.call_list_import(
        actor=fresh(actor), filename="list.csv", content=text.encode(), name=name, script="您好，我是营销中心的……"
    )
    return call_list


def log(actor: User, entry: CallEntry, outcome: str = "intent_a", seconds: int = 60, **extra: object) -> CallLog:
    return services.call_log(actor=fresh(actor), entry=entry, outcome=outcome, duration_seconds=seconds, **extra)
