"""Telesales and receptions of the demo (TEL-1…4, ACT-7), through the telesales app's actions.

The group leader imports a purchased call list for each agent (a CSV as the supplier sends it; rows
already in the archive come in excluded, CUS-2). Agents screen their numbers — classify or exclude
with a reason — and call them over the last weeks: no answer, busy, wrong numbers, intent levels,
appointments, a deal; intent leaves a next follow-up (TEL-2). One agent asks to correct a logged call
and the leader has not decided yet (TEL-3). 商务组 keeps one record per customer meeting (ACT-7).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from yingxiao.telesales.corrections import correction_request
from yingxiao.telesales.imports import call_list_import
from yingxiao.telesales.models import CallEntry, CallLog
from yingxiao.telesales.receptions import reception_record
from yingxiao.telesales.services import call_log, entry_screen

from . import words as w
from .customers import _mobile
from .story import Story

AGENTS = ("telesales", "telesales2", "telesales3")
LIST_SIZE = 36
CATEGORIES = ["打井施工队", "地勘单位", "农业灌溉", "地源热泵工程", "设备租赁商", "矿山企业"]
EXCLUSIONS = ["空号", "非目标客户（个人用户，无采购需求）", "已转行，不再从事钻井", "号码归属与名单公司不符"]
OUTCOME_WEIGHTS = [
    ("no_answer", 24), ("busy", 8), ("wrong_number", 3), ("not_interested", 18), ("intent_c", 14),
    ("intent_b", 12), ("intent_a", 7), ("appointment", 9), ("deal", 2),
]  # fmt: skip
NOTES = {
    "no_answer": "无人接听",
    "busy": "占线，稍后再拨",
    "wrong_number": "号码错误，对方非名单联系人",
    "not_interested": "客户表示近期无采购计划",
    "intent_c": "有需求但预算未定，发资料了解",
    "intent_b": "询问{product}价格和交货期，已加微信发报价",
    "intent_a": "明确下月采购{product}，要求业务员上门",
    "appointment": "约定{day}到厂参观{product}",
    "deal": "客户同意订购{product}一台，转业务员签合同",
}
RECEPTION_QUESTIONS = [
    ("钻机最大钻深和配套动力？", "标准配置 400 米，动力 120kW，可按需升级。", "客户关注深孔作业稳定性"),
    ("付款方式能否分期？", "可按合同 3-4-3 分期，尾款验收后支付。", "付款条件需商务组出具方案"),
    ("交货期多长？", "现货 7 天，定制 30-45 天。", "客户工期紧，需优先排产"),
    ("售后服务网点在哪里？", "在省内设有三个服务站，24 小时响应。", "客户要求写入合同"),
]


def _call_list_csv(story: Story, agent: str, size: int, seen: set[str]) -> bytes:
    """A supplier's list: name, phone, company, note — plus a few numbers already in the archive."""
    rng = story.rng(f"telesales:list:{agent}")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "手机", "公司", "备注"])
    known = [c for c in story.customers if c.phone][:200]
    for index in range(size):
        name = rng.choice(w.SURNAMES) + rng.choice(w.GIVEN_NAMES)
        fresh = [c for c in known if c.phone not in seen]
        if index % 12 == 5 and fresh:
            customer = rng.choice(fresh)  # already a customer: imported excluded (CUS-2)
            phone, company = customer.phone, customer.name
        else:
            phone = _mobile(rng)
            while phone in seen:
                phone = _mobile(rng)
            city = rng.choice(w.MAINLAND_REGIONS)[0]
            company = f"{city}{rng.choice(w.BRAND_WORDS)}{rng.choice(['钻井工程队', '水利工程有限公司', '地质勘查院'])}"
        seen.add(phone)
        writer.writerow([name, phone, company, rng.choice(["行业展会名单", "水利协会名录", "网络采集", ""])])
    return out.getvalue().encode("utf-8")


def build_telesales(story: Story) -> None:
    leader = story.users["leader"]
    seen: set[str] = set()
    for number, agent_name in enumerate(AGENTS, start=1):
        agent = story.users[agent_name]
        rng = story.rng(f"telesales:{agent_name}")
        imported = story.day(26 + number)
        with story.at(imported, 9, 20):
            call_list, _report = call_list_import(
                actor=leader,
                filename=f"名单{number}.csv",
                content=_call_list_csv(story, agent_name, LIST_SIZE, seen),
                name=f"{imported:%m}月水井施工队名单（第{number}批）",
                agent=agent,
                script="您好，我是恒通钻机的{agent}，想了解一下贵单位今年的打井设备需求……".replace(
                    "{agent}", agent.display_name
                ),
                source="行业名录采购",
            )
        story.count("call_lists")
        entries = list(call_list.entries.order_by("row_number"))
        story.count("call_entries", len(entries))
        # TEL-1: screening on the day of the import.
        with story.at(imported, 10, 30):
            for entry in entries:
                if entry.status != CallEntry.Status.NEW:
                    continue
                if rng.random() < 0.12:
                    entry_screen(actor=agent, entry=entry, action="exclude", reason=rng.choice(EXCLUSIONS))
                    story.count("call_entries_excluded")
                elif rng.random() < 0.7:
                    entry_screen(actor=agent, entry=entry, action="classify", category=rng.choice(CATEGORIES))
        _calls(story, agent_name, entries, imported)
    # TEL-3: a correction waiting for the group leader.
    call = CallLog.objects.filter(agent=story.users["telesales"], outcome="no_answer").order_by("-started_at").first()
    if call is not None:
        with story.at(story.clock.last_day, 17, 10):
            correction_request(
                actor=story.users["telesales"],
                call=call,
                reason="误选结果：实际已接通，客户有意向，申请改为 B 类意向",
                outcome="intent_b",
                duration_seconds=180,
                notes="客户询问水井钻机价格，已加微信",
            )
        story.count("call_corrections")
    _receptions(story)


def _calls(story: Story, agent_name: str, entries: list[CallEntry], imported: dt.date) -> None:
    """Each working day the agent works through due numbers (TEL-2): several calls per number."""
    agent = story.users[agent_name]
    rng = story.rng(f"telesales:calls:{agent_name}")
    outcomes, weights = zip(*OUTCOME_WEIGHTS, strict=True)
    ids = [entry.pk for entry in entries]
    day = story.later(imported, 0)
    while day < story.clock.anchor:
        if story.clock.is_open(day) and day.weekday() < 6:
            minute, budget = 9 * 60, rng.randint(4, 7)
            due = CallEntry.objects.filter(pk__in=ids, status__in=CallEntry.OPEN_STATUSES).order_by("row_number")
            for entry in due:
                started = story.moment(day, minute // 60, minute % 60)
                if entry.next_follow_up_at and entry.next_follow_up_at > started:
                    continue
                if entry.last_called_at is None and rng.random() < 0.4:
                    continue  # not reached today
                outcome = rng.choices(outcomes, weights=weights)[0]
                connected = outcome not in CallLog.NOT_CONNECTED
                seconds = rng.randint(60, 600) if connected else rng.randint(0, 30)
                follow = None
                if outcome in ("intent_a", "intent_b", "intent_c", "appointment"):
                    follow = story.moment(story.later(day, rng.randint(2, 7)), rng.randint(9, 16))
                    if follow <= started:
                        follow = started + dt.timedelta(days=3)
                product = rng.choice(w.PRODUCTS)
                note = NOTES[outcome].format(product=product, day=f"{(day + dt.timedelta(days=3)):%m月%d日}")
                with story.at(started + dt.timedelta(seconds=seconds + 30)):
                    call_log(
                        actor=agent,
                        entry=entry,
                        outcome=outcome,
                        duration_seconds=seconds,
                        notes=note,
                        next_follow_up_at=follow,
                        started_at=started,
                    )
                story.count("calls")
                minute += rng.randint(8, 20)
                budget -= 1
                if budget <= 0 or minute > 17 * 60:
                    break
        day += dt.timedelta(days=1)


def _receptions(story: Story) -> None:
    """ACT-7: 商务组 records each customer meeting (one record per customer and meeting)."""
    rng = story.rng("telesales:receptions")
    commerce = story.users["commerce"]
    visitors = [c for c in story.customers if c.stage in ("intent", "deal")][:60]
    for index, customer in enumerate(rng.sample(visitors, min(10, len(visitors)))):
        question, answer, issue = RECEPTION_QUESTIONS[index % len(RECEPTION_QUESTIONS)]
        met = story.moment(story.day(3 + index * 9), rng.randint(9, 15), rng.choice([0, 30]))
        contact = customer.contacts.first()
        with story.at(met + dt.timedelta(hours=2)):
            reception_record(
                actor=commerce,
                customer=customer,
                met_at=met,
                attendees=f"客户：{contact.name if contact else customer.name}；我方：{customer.owner.display_name}、"
                f"{commerce.display_name}",
                questions=question,
                answers=answer,
                key_issues=issue,
            )
        story.count("receptions")
