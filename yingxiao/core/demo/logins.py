"""The demo company's organisation chart and logins, as plain data (no database access).

Reproduces the 营销中心 of seed 000 (ORG-1…3): 董事长 → 总经理 → 销售总监/营销总监 → department heads
→ group leaders → staff; 国内部's head post is vacant (暂缺) and the 销售办公室 head also holds
销售助理 concurrently (兼任). Browser tests and the README read ``DEMO_LOGINS`` and ``DEMO_PASSWORD``.
"""

from __future__ import annotations

from dataclasses import dataclass

# One shared password for every demo account. A demo convenience, never a production default.
DEMO_PASSWORD = "yingxiao123"  # noqa: S105


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    kind: str  # Department.Kind value
    parent: str | None


@dataclass(frozen=True)
class PositionSpec:
    key: str
    title: str
    department: str
    role: str
    superior: str | None
    is_head: bool = False


@dataclass(frozen=True)
class Login:
    """An employee of the demo company: username, Chinese name, posts held (the first is primary)."""

    username: str
    display_name: str
    role: str  # the role this login demonstrates
    department: str  # department code
    positions: tuple[str, ...]


DEPARTMENTS: list[DepartmentSpec] = [
    DepartmentSpec("center", "营销中心", "center", None),
    DepartmentSpec("hq", "销售总部", "department", "center"),
    DepartmentSpec("international", "国际部", "department", "center"),
    DepartmentSpec("domestic", "国内部", "department", "center"),
    DepartmentSpec("telesales", "电销组", "group", "domestic"),
    DepartmentSpec("marketing", "市场部", "department", "center"),
    DepartmentSpec("office", "销售办公室", "department", "center"),
    DepartmentSpec("office-internal", "内勤组", "group", "office"),
    DepartmentSpec("office-commerce", "商务组", "group", "office"),
    DepartmentSpec("service", "客服部", "department", "center"),
    DepartmentSpec("shanghai", "上海办事处", "office", "center"),
]

# Superiors are listed before their subordinates (created in this order).
POSITIONS: list[PositionSpec] = [
    PositionSpec("chairman", "董事长", "center", "chairman", None),
    PositionSpec("gm", "总经理", "center", "general_manager", "chairman"),
    PositionSpec("director", "销售总监", "hq", "sales_director", "gm", is_head=True),
    PositionSpec("marketing_director", "营销总监", "hq", "sales_director", "gm"),
    PositionSpec("resource", "顾客资源总监", "hq", "customer_resource_director", "director"),
    PositionSpec("finance", "财务专员", "center", "finance", "gm"),
    PositionSpec("hr", "人事专员", "center", "hr", "gm"),
    PositionSpec("admin", "系统管理员", "center", "admin", "gm"),
    PositionSpec("intl_head", "国际部经理", "international", "department_head", "director", is_head=True),
    PositionSpec("intl_rep", "外贸业务员", "international", "sales_rep", "intl_head"),
    # rule: ORG-2 — 国内部 部门主管(暂缺): the post exists, nobody holds it.
    PositionSpec("dom_head", "国内部主管", "domestic", "department_head", "director", is_head=True),
    PositionSpec("dom_rep", "销售工程师", "domestic", "sales_rep", "dom_head"),
    PositionSpec("dom_regional", "区域经理", "domestic", "regional_manager", "dom_head"),
    PositionSpec("tel_leader", "电销组组长", "telesales", "group_leader", "dom_head", is_head=True),
    PositionSpec("tel_agent", "电销专员", "telesales", "telesales", "tel_leader"),
    PositionSpec("mkt_head", "市场部主管", "marketing", "department_head", "director", is_head=True),
    PositionSpec("mkt_media", "媒体专人", "marketing", "marketing_specialist", "mkt_head"),
    PositionSpec("mkt_web", "网络专人", "marketing", "marketing_specialist", "mkt_head"),
    PositionSpec("mkt_quote", "技术报价", "marketing", "quoting_engineer", "mkt_head"),
    PositionSpec("mkt_aftersales", "售后服务专人", "marketing", "aftersales", "mkt_head"),
    PositionSpec("office_head", "销售办公室主管", "office", "department_head", "director", is_head=True),
    # rule: ORG-2 — 部门主管(兼销售助理): held concurrently by the office head.
    PositionSpec("office_assistant", "销售助理", "office", "sales_assistant", "office_head"),
    PositionSpec("internal_leader", "内勤组组长", "office-internal", "group_leader", "office_head", is_head=True),
    PositionSpec("internal_clerk", "内勤组员", "office-internal", "sales_assistant", "internal_leader"),
    PositionSpec("commerce_leader", "商务组组长", "office-commerce", "group_leader", "office_head", is_head=True),
    PositionSpec("commerce_staff", "商务组员", "office-commerce", "commerce", "commerce_leader"),
    PositionSpec("svc_head", "客服部主管", "service", "department_head", "director", is_head=True),
    PositionSpec("svc_staff", "客服专员", "service", "aftersales", "svc_head"),
    PositionSpec("sh_head", "上海办事处主任", "shanghai", "department_head", "director", is_head=True),
    PositionSpec("sh_rep", "驻沪销售代表", "shanghai", "sales_rep", "sh_head"),
]

# One memorable login per role (every standard role is covered; ``assistant`` holds 销售助理 as 兼任).
DEMO_LOGINS: list[Login] = [
    Login("chairman", "刘建国", "chairman", "center", ("chairman",)),
    Login("gm", "陈志远", "general_manager", "center", ("gm",)),
    Login("director", "王振华", "sales_director", "hq", ("director",)),
    Login("resource", "钱立新", "customer_resource_director", "hq", ("resource",)),
    Login("finance", "赵丽娟", "finance", "center", ("finance",)),
    Login("hr", "孙晓梅", "hr", "center", ("hr",)),
    Login("admin", "何伟", "admin", "center", ("admin",)),
    Login("head", "李明轩", "department_head", "international", ("intl_head",)),
    Login("rep2", "林佳怡", "sales_rep", "international", ("intl_rep",)),
    Login("rep", "张伟", "sales_rep", "domestic", ("dom_rep",)),
    Login("regional", "马国强", "regional_manager", "domestic", ("dom_regional",)),
    Login("leader", "黄海燕", "group_leader", "telesales", ("tel_leader",)),
    Login("telesales", "吴婷婷", "telesales", "telesales", ("tel_agent",)),
    Login("market", "郑晓东", "marketing_specialist", "marketing", ("mkt_media",)),
    Login("quoter", "冯德明", "quoting_engineer", "marketing", ("mkt_quote",)),
    Login("service", "许静", "aftersales", "service", ("svc_staff",)),
    Login("assistant", "杨秀英", "sales_assistant", "office", ("office_head", "office_assistant")),
    Login("commerce", "何俊杰", "commerce", "office-commerce", ("commerce_staff",)),
]

# The rest of the staff (same password); they own customers and fill the org chart.
OTHER_STAFF: list[Login] = [
    Login("marketing_director", "朱宏伟", "sales_director", "hq", ("marketing_director",)),
    Login("rep3", "高思远", "sales_rep", "international", ("intl_rep",)),
    Login("rep4", "罗子轩", "sales_rep", "international", ("intl_rep",)),
    Login("rep5", "梁浩然", "sales_rep", "domestic", ("dom_rep",)),
    Login("rep6", "宋雨桐", "sales_rep", "domestic", ("dom_rep",)),
    Login("rep7", "韩鹏飞", "sales_rep", "domestic", ("dom_rep",)),
    Login("regional2", "唐振宇", "regional_manager", "domestic", ("dom_regional",)),
    Login("telesales2", "冯欣怡", "telesales", "telesales", ("tel_agent",)),
    Login("telesales3", "曹丹", "telesales", "telesales", ("tel_agent",)),
    Login("market_head", "袁宏图", "department_head", "marketing", ("mkt_head",)),
    Login("web", "邓晨阳", "marketing_specialist", "marketing", ("mkt_web",)),
    Login("aftersales", "彭春生", "aftersales", "marketing", ("mkt_aftersales",)),
    Login("office_leader", "吕玉兰", "group_leader", "office-internal", ("internal_leader",)),
    Login("clerk", "苏红梅", "sales_assistant", "office-internal", ("internal_clerk",)),
    Login("commerce_leader", "蒋文博", "group_leader", "office-commerce", ("commerce_leader",)),
    Login("service_head", "蔡建华", "department_head", "service", ("svc_head",)),
    Login("shanghai", "贾志强", "department_head", "shanghai", ("sh_head",)),
    Login("shanghai_rep", "丁斌", "sales_rep", "shanghai", ("sh_rep",)),
]

VACANT_POSITIONS = ("dom_head",)

# Who owns customers, by customer segment (see customers.py).
OWNERS_BY_SEGMENT: dict[str, tuple[str, ...]] = {
    "domestic": ("rep", "rep5", "rep6", "rep7", "regional", "regional2"),
    "telesales": ("telesales", "telesales2", "telesales3"),
    "shanghai": ("shanghai_rep", "shanghai"),
    "overseas": ("rep2", "rep3", "rep4", "head"),
    "traditional": ("rep2", "rep3", "rep4"),
}
