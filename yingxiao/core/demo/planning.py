"""Targets, budgets and expenses of the demo (PLN-1…5), through the planning actions.

The director publishes the year's plans at the start of January — sales, collections and new
customers for the whole centre, decomposed to the selling departments and to the twelve months,
and this month's sales target of each department down to its people — so plan vs actual has
targets at every level. The targets are set around what the demo year actually brings in (the
sales module writes first), some above it and some below, so some are reached and some are not.
Finance sets the departments' expense budgets; staff claim travel and entertainment, approved by
amount, the latest still waiting; a gift for a key customer is approved and its delivery signed
(PLN-5). Behind-plan months get their corrective actions (PLN-3) as the scheduler would ask.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth

from yingxiao.customers.models import Customer
from yingxiao.planning.expenses import budget_set, expense_claim_submit, gift_confirm_delivery, gift_request
from yingxiao.planning.models import CorrectiveAction, Metric, PeriodKind, Target
from yingxiao.planning.targets import corrective_action_submit, plan_create, plan_publish, target_add_child
from yingxiao.policy.registry import run_sweep
from yingxiao.sales.models import Contract, Receipt

from .story import Story, approve_all, pending_for, scan

if TYPE_CHECKING:
    from yingxiao.org.models import Department

SELLING = ("domestic", "international", "shanghai")  # department codes with their own targets
ROUND = {Metric.SALES: Decimal(10_000), Metric.COLLECTIONS: Decimal(10_000), Metric.NEW_CUSTOMERS: Decimal(1)}
FLOOR = {Metric.SALES: Decimal(60_000), Metric.COLLECTIONS: Decimal(50_000), Metric.NEW_CUSTOMERS: Decimal(2)}
BUDGETS = [("travel", 120_000), ("entertainment", 60_000), ("gifts", 30_000), ("office", 20_000)]
ANALYSES = [
    "{month}月主要客户推迟采购，两个大单延至下月签约；部分客户资金紧张回款放缓。",
    "{month}月受雨季影响施工队开工不足，设备需求下降；新客户开发数量不足。",
]
MEASURES = [
    "重点跟进延期订单，下月初完成签约；每周两次电话回访意向客户，组织一次现场演示会。",
    "加大电销名单跟进力度，部门经理带队拜访重点客户；回款逾期客户每周催收并上报。",
]
CLAIMS = [
    ("travel", "赴{city}拜访客户差旅费（高铁、住宿）", (800, 3200)),
    ("entertainment", "宴请{city}客户，洽谈钻机采购", (500, 2400)),
    ("travel", "陪同客户到厂参观接送费用", (300, 900)),
    ("office", "打印宣传册及合同装订", (150, 600)),
]


def _round(value: Decimal, step: Decimal) -> Decimal:
    return ((value / step).quantize(Decimal(1), ROUND_HALF_UP) * step).quantize(Decimal("0.01"))


def _actuals(story: Story, metric: str, year: int) -> dict[tuple[str, int], Decimal]:
    """(department code, month) → what the demo year brought in, per selling department."""
    result: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    departments = {story.home[name].pk: story.home[name] for name in story.home}
    codes = {}
    for dept in departments.values():
        for code in SELLING:
            top = next(d for d in departments.values() if d.code == code)
            if dept.path.startswith(top.path):
                codes[dept.pk] = code
    if metric == Metric.SALES:
        rows = Contract.objects.filter(signed_on__year=year, signed_on__isnull=False).annotate(
            m=ExtractMonth("signed_on")
        )
        rows = rows.values("department", "m").annotate(v=Sum("amount"))
    elif metric == Metric.COLLECTIONS:
        rows = Receipt.objects.filter(received_on__year=year).annotate(m=ExtractMonth("received_on"))
        rows = rows.values("department", "m").annotate(v=Sum("amount"))
    else:
        rows = Customer.objects.filter(registered_at__year=year).annotate(m=ExtractMonth("registered_at"))
        rows = rows.values("department", "m").annotate(v=Count("pk"))
    for row in rows:
        code = codes.get(row["department"])
        if code:
            result[(code, row["m"])] += Decimal(row["v"] or 0)
    return result


def _plans(story: Story) -> None:
    rng = story.rng("planning:targets")
    director = story.users["director"]
    year = story.anchor.year
    departments = {d.code: d for d in {story.home[n].pk: story.home[n] for n in story.home}.values()}
    center = next(d for d in departments.values() if d.parent_id is None)
    start = min(story.clock.open_day(dt.date(year, 1, 5), not_before=dt.date(year, 1, 1)), story.clock.last_day)
    this_month = story.clock.last_day.month if story.clock.last_day.year == year else 1
    names = {Metric.SALES: "销售额", Metric.COLLECTIONS: "回款额", Metric.NEW_CUSTOMERS: "新客户数"}
    for metric in (Metric.SALES, Metric.COLLECTIONS, Metric.NEW_CUSTOMERS):
        actual = _actuals(story, metric, year)
        monthly: dict[str, list[Decimal]] = {}
        for code in SELLING:
            average = sum((actual[(code, m)] for m in range(1, 13)), Decimal(0)) / 11
            months = []
            for _month in range(1, 13):
                base = max(average, FLOOR[metric]) * Decimal(str(rng.uniform(0.6, 1.15)))
                months.append(max(_round(base, ROUND[metric]), ROUND[metric]))
            monthly[code] = months
        total = sum((sum(m) for m in monthly.values()), Decimal(0))
        with story.at(start, 9, 30):
            plan = plan_create(
                actor=director,
                year=year,
                metric=metric,
                department=center,
                amount=total,
                name=f"{year} 年度{names[metric]}目标",
            )
            root = plan.targets.get(parent__isnull=True)
            for code in SELLING:
                dept_target = target_add_child(
                    actor=director, parent=root, amount=sum(monthly[code]), department=departments[code]
                )
                for month, amount in enumerate(monthly[code], start=1):
                    child = target_add_child(
                        actor=director,
                        parent=dept_target,
                        amount=amount,
                        period_kind=PeriodKind.MONTH,
                        period_index=month,
                    )
                    if metric == Metric.SALES and month == this_month:
                        _people(story, child, departments[code], amount)
            plan_publish(actor=director, plan=plan)
        story.count("target_plans")
    story.count("targets", Target.objects.count())


def _people(story: Story, target: Target, department: Department, amount: Decimal) -> None:
    """This month's department target split among the people who sell there (PLN-2)."""
    sellers = sorted(
        {c.owner for c in story.customers if c.department_id == department.pk and c.owner.is_active},
        key=lambda u: u.username,
    )
    sellers = [u for u in sellers if story.home[u.username].pk == department.pk][:6]
    if not sellers:
        return
    share = _round(amount / len(sellers), Decimal(1000))
    for index, person in enumerate(sellers):
        part = share if index < len(sellers) - 1 else amount - share * (len(sellers) - 1)
        target_add_child(actor=story.users["director"], parent=target, amount=part, person=person)
        story.count("person_targets")


def _budgets_and_claims(story: Story) -> None:
    rng = story.rng("planning:expenses")
    finance = story.users["finance"]
    year = story.anchor.year
    start = min(story.clock.open_day(dt.date(year, 1, 6), not_before=dt.date(year, 1, 1)), story.clock.last_day)
    claimants = ["rep", "rep2", "rep3", "rep5", "regional", "shanghai_rep", "head"]
    departments = {story.home[name].pk: story.home[name] for name in claimants}
    with story.at(start, 14):
        for department in departments.values():
            for category, amount in BUDGETS:
                budget_set(actor=finance, department=department, year=year, category=category, amount=amount)
                story.count("budgets")
    first = max(dt.date(year, 1, 10), story.clock.days_ago(75))
    for index in range(18):
        name = claimants[index % len(claimants)]
        category, text, (low, high) = CLAIMS[index % len(CLAIMS)]
        spent = story.clock.open_day(first + dt.timedelta(days=index * 4 + rng.randint(0, 3)), not_before=first)
        if spent >= story.clock.last_day:
            break
        submitted = story.later(spent, 2)
        with story.at(submitted, 16):
            claim = expense_claim_submit(
                actor=story.users[name],
                category=category,
                amount=str(rng.randrange(low, high, 10)),
                spent_on=spent,
                description=text.format(city=rng.choice(["东营", "榆林", "大庆", "库尔勒", "青州"])),
            )
        story.count("expense_claims")
        if submitted < story.clock.days_ago(5):
            with story.at(story.later(submitted, 1), 10):
                approve_all(pending_for(claim), note="同意报销")
    # PLN-5: a gift for a key customer, approved and signed for.
    rep = story.users["rep"]
    customer = next((c for c in story.customers if c.owner_id == rep.pk and c.stage == "deal"), None)
    if customer is not None:
        day = story.day(15)
        with story.at(day, 10):
            gift = gift_request(
                actor=rep,
                customer=customer,
                gift="公司定制茶具礼盒",
                value="380",
                quantity=2,
                reason="老客户年度回访，感谢续购",
            )
        with story.at(day, 15):
            approve_all(pending_for(gift), note="同意")
        with story.at(story.later(day, 3), 16):
            contact = customer.contacts.first()
            gift_confirm_delivery(
                actor=rep, gift=gift, signed_by=contact.name if contact else customer.name, signature=scan("gift.pdf")
            )
        story.count("gift_requests")


def _corrective_actions(story: Story) -> None:
    """PLN-3: on the 2nd of each month the scheduler's PLN-3r sweep opens a corrective action for every
    target left behind; the people answering for them submit their analysis two days later."""
    rng = story.rng("planning:corrective")
    this_month = story.clock.last_day.replace(day=1)
    # The engine looks back LOOKBACK_DAYS (about a quarter): older months are past caring about.
    month = max(dt.date(this_month.year, 1, 1), (this_month - dt.timedelta(days=100)).replace(day=1))
    while month < this_month:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        with story.at(following, 2):  # the hourly scheduler, holiday or not
            run_sweep("PLN-3r")
        for action in CorrectiveAction.objects.filter(status=CorrectiveAction.Status.REQUIRED, owner__isnull=False):
            submit_day = story.clock.open_day(following + dt.timedelta(days=1), not_before=following)
            if submit_day > action.due_date:
                submit_day = following  # a holiday runs past the deadline: done before it
            if submit_day >= story.clock.last_day:
                continue
            with story.at(submit_day, 11):
                corrective_action_submit(
                    actor=action.owner,
                    action=action,
                    analysis=rng.choice(ANALYSES).format(month=month.month),
                    measures=rng.choice(MEASURES),
                )
            story.count("corrective_actions")
        month = following


def build_planning(story: Story) -> None:
    _plans(story)
    _corrective_actions(story)
    _budgets_and_claims(story)
