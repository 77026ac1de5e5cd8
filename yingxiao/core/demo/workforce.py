"""People's month in the demo (HR-1, HR-2, HR-5, HR-6, HR-7, HR-8, HR-10), through the workforce actions.

A month of clock-ins and clock-outs for everyone, mostly on time with some lateness (the HR-2 tiers
are classified by the service); a leave taken and approved, and one waiting for approval; lunch
and phone duty rosters; weekly meetings with attendance and minutes (one late arrival: an HR-6
violation) and next week's meeting scheduled; daily summaries and weekly reports of the sales staff,
acknowledged by their superiors (HR-8).
"""

from __future__ import annotations

import datetime as dt

from simple_history.utils import bulk_create_with_history

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.org.selectors import superior_of
from yingxiao.workforce.attendance import reclassify_month
from yingxiao.workforce.common import schedule
from yingxiao.workforce.leave import leave_request
from yingxiao.workforce.meetings import (
    meeting_mark_held,
    meeting_record_arrival,
    meeting_schedule,
    meeting_send_minutes,
)
from yingxiao.workforce.models import AttendanceRecord, Leave
from yingxiao.workforce.reports import report_acknowledge, report_submit
from yingxiao.workforce.roster import duty_assign, duty_post_create, duty_report_unattended

from .story import Story, approve_all, pending_for

ATTENDANCE_DAYS = 30  # calendar days of clock-ins back from the anchor
NOT_CLOCKING = {"chairman", "gm", "admin"}
REPORTERS = ("rep", "rep2", "regional", "telesales", "shanghai_rep", "service")
DAILY_TEXT = [
    "上午电话回访老客户{a}家，下午拜访{city}客户一家，跟进{product}报价；明日整理投标资料。",
    "接待来访客户{a}批，介绍{product}性能；完成合同回款催收{b}笔。",
    "整理意向客户跟踪表，更新{a}条跟进记录；与技术部确认非标配置交货期。",
    "外出拜访{city}客户，现场查看施工条件；发出{product}报价单{b}份。",
]
WEEKLY_TEXT = "本周完成拜访{a}次、电话{b}通，新增意向客户{c}家；下周重点跟进{product}项目签约及尾款回收。"
MINUTES = "一、通报上周销售与回款进度；二、各部门汇报重点客户跟进情况；三、布置本周工作：{focus}。"
FOCUS = ["加快尾款回收", "展会客户邀约", "月底前完成合同归档", "投诉处理闭环", "新价格表执行"]


def _workdays(story: Story, first: dt.date, last: dt.date) -> list[dt.date]:
    calendar = BusinessCalendar.load()
    days, day = [], first
    while day <= last:
        if calendar.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _leave(story: Story) -> set[tuple[str, dt.date]]:
    """HR-5: a leave taken two weeks ago (approved up the chain) and one next week still pending."""
    away: set[tuple[str, dt.date]] = set()
    u = story.users
    taken = _workdays(story, story.clock.days_ago(16), story.clock.days_ago(10))[:2]
    if taken:
        with story.at(story.day(20), 11):
            leave = leave_request(
                actor=u["rep5"],
                kind=Leave.Kind.PERSONAL,
                start_date=taken[0],
                end_date=taken[-1],
                reason="回老家处理家事",
                handover=u["rep6"],
            )
        with story.at(story.day(19), 9, 40):
            approve_all(pending_for(leave), note="同意，工作已交接")
        away |= {("rep5", day) for day in taken}
        story.count("leaves")
    coming = _workdays(story, story.anchor + dt.timedelta(days=3), story.anchor + dt.timedelta(days=12))[:3]
    if coming:
        with story.at(story.clock.last_day, 16, 20):
            leave_request(
                actor=u["rep2"],
                kind=Leave.Kind.PERSONAL,
                start_date=coming[0],
                end_date=coming[-1],
                reason="孩子升学办理手续",
                handover=u["rep3"],
            )
        story.count("leaves")
        story.count("leaves_pending")
    return away


def _attendance(story: Story, away: set[tuple[str, dt.date]]) -> None:
    """HR-1/HR-2: everyone's clock-ins; about one in twenty late, now and then leaving early.

    Some 700 clock-ins and clock-outs through the services would take most of the demo's time
    budget, so the records are written in bulk exactly as ``attendance_clock_in``/``_out`` would
    write them (department of the primary post, working day from the business calendar), each
    with its history row dated at the clock-out, and then the service's own ``reclassify_month``
    sets the lateness tiers — the same code, so the tiers are what clocking in would have given.
    """
    rng = story.rng("workforce:attendance")
    hours = schedule()
    calendar = BusinessCalendar.load()
    days = _workdays(story, story.clock.days_ago(ATTENDANCE_DAYS), story.clock.last_day)
    people = [(name, user) for name, user in sorted(story.users.items()) if name not in NOT_CLOCKING]
    rows: list[AttendanceRecord] = []
    for day in days:
        for name, person in people:
            if (name, day) in away:
                continue
            base = story.moment(day, hours.morning_start.hour, hours.morning_start.minute)
            if rng.random() < 0.05:
                clock_in = base + dt.timedelta(minutes=rng.randint(2, 25))  # late (HR-2)
                story.count("late_arrivals")
            else:
                clock_in = base - dt.timedelta(minutes=rng.randint(3, 35))
            end = story.moment(day, hours.afternoon_end.hour, hours.afternoon_end.minute)
            leaving = end + dt.timedelta(minutes=rng.randint(0, 50))
            if rng.random() < 0.015:
                leaving = end - dt.timedelta(minutes=rng.randint(5, 30))
            record = AttendanceRecord(
                person=person,
                day=day,
                department=story.home[name],
                is_workday=calendar.is_workday(day),
                clock_in=clock_in,
                clock_out=leaving,
            )
            record._history_date = leaving  # type: ignore[attr-defined]
            record._history_user = person  # type: ignore[attr-defined]
            rows.append(record)
    bulk_create_with_history(rows, AttendanceRecord, batch_size=1000, default_change_reason="demo")
    months = sorted({day.replace(day=1) for day in days})
    with story.at(story.clock.last_day, 18, 30):
        for _name, person in people:
            for month in months:
                reclassify_month(person, month)  # rule: HR-2 — the service's tiers, in day order
    story.count("attendance_records", len(rows))


def _roster(story: Story) -> None:
    """HR-10: lunch duty at the sales office and phone duty at customer service, last two weeks and next."""
    u = story.users
    posts = [
        (u["assistant"], story.home["assistant"], "lunch", "午间值班（前台）", dt.time(12, 0), dt.time(13, 30),
         ["clerk", "office_leader", "assistant"]),
        (u["service_head"], story.home["service_head"], "phone", "客服热线值班", dt.time(12, 0), dt.time(13, 30),
         ["service", "service_head"]),
    ]  # fmt: skip
    first = story.day(14)
    with story.at(first - dt.timedelta(days=1), 10):
        created = [
            (duty_post_create(actor=head, department=dept, kind=kind, name=name, starts=starts, ends=ends), staff, head)
            for head, dept, kind, name, starts, ends, staff in posts
        ]
        days = _workdays(story, first, story.anchor + dt.timedelta(days=7))
        for post, staff, head in created:
            for index, day in enumerate(days):
                duty_assign(actor=head, post=post, day=day, person=u[staff[index % len(staff)]])
                story.count("duty_assignments")
    story.count("duty_posts", len(created))
    # One empty post found at a spot check: the rostered person's violation (HR-10).
    post, staff, head = created[0]
    assignment = post.assignments.filter(day__lt=story.clock.last_day).exclude(person=head).order_by("-day").first()
    if assignment is not None:
        found = story.moment(assignment.day, 12, 40)
        with story.at(found + dt.timedelta(minutes=5)):
            duty_report_unattended(actor=head, assignment=assignment, note="12:40 巡查前台无人值守", found_at=found)
        story.count("duty_unattended")


def _meetings(story: Story) -> None:
    """HR-6: the director's weekly meeting every Monday, minutes sent; next Monday's is scheduled."""
    rng = story.rng("workforce:meetings")
    u = story.users
    director = u["director"]
    heads = [u[n] for n in ("head", "market_head", "assistant", "service_head", "shanghai", "leader", "resource")]
    mondays = []
    day = story.anchor - dt.timedelta(days=story.anchor.weekday())
    for week in range(4, -1, -1):
        mondays.append(day - dt.timedelta(days=7 * week))
    mondays.append(day + dt.timedelta(days=7))
    late_done = False
    for monday in mondays:
        starts = story.moment(monday, 9, 0)
        with story.at(starts - dt.timedelta(days=3)):
            meeting = meeting_schedule(
                actor=director,
                kind="weekly",
                title=f"营销中心周例会（{monday:%m月%d日}）",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=1, minutes=30),
                attendees=heads,
                place="三楼会议室",
                agenda="上周工作总结、回款进度、本周重点",
            )
        story.count("meetings")
        if starts >= story.moment(story.anchor, 0):
            continue  # still ahead
        for person in heads:
            arrived = starts - dt.timedelta(minutes=rng.randint(6, 15))
            if not late_done and person.username == "shanghai":
                arrived, late_done = starts + dt.timedelta(minutes=7), True  # HR-6: late is a violation
            with story.at(max(arrived, starts - dt.timedelta(minutes=1))):
                meeting_record_arrival(actor=director, meeting=meeting, person=person, arrived_at=arrived)
        with story.at(starts + dt.timedelta(hours=1, minutes=35)):
            meeting_mark_held(actor=director, meeting=meeting)
            meeting_send_minutes(actor=director, meeting=meeting, minutes=MINUTES.format(focus=rng.choice(FOCUS)))


def _reports(story: Story, away: set[tuple[str, dt.date]]) -> None:
    """HR-7/HR-8: daily summaries and weekly reports of the front line, acknowledged the next morning."""
    rng = story.rng("workforce:reports")
    days = _workdays(story, story.clock.days_ago(9), story.clock.last_day)
    for name in REPORTERS:
        person = story.users[name]
        boss = superior_of(person)
        for day in days:
            if (name, day) in away:
                continue
            text = rng.choice(DAILY_TEXT).format(
                a=rng.randint(2, 8),
                b=rng.randint(1, 4),
                city=rng.choice(["青州", "东营", "西安", "大庆"]),
                product=rng.choice(["水井钻机", "岩心钻机", "泥浆泵", "修井机"]),
            )
            with story.at(day, 17, rng.randint(20, 55)):
                report = report_submit(actor=person, kind="daily_summary", day=day, content=text)
            story.count("work_reports")
            if day.weekday() == 5 or day == days[-1]:
                with story.at(day, 17, 58):
                    weekly = report_submit(
                        actor=person,
                        kind="weekly",
                        day=day,
                        content=WEEKLY_TEXT.format(
                            a=rng.randint(4, 12),
                            b=rng.randint(20, 60),
                            c=rng.randint(1, 5),
                            product=rng.choice(["水井钻机", "地热钻机"]),
                        ),
                    )
                story.count("work_reports")
            else:
                weekly = None
            if boss is None or day >= story.clock.last_day:
                continue  # yesterday's reports wait in the superior's inbox
            with story.at(story.later(day, 1), 8, rng.randint(30, 59)):
                report_acknowledge(actor=boss, report=report, comment=rng.choice(["已阅", "好，继续跟进", ""]))
                if weekly is not None:
                    report_acknowledge(actor=boss, report=weekly, comment="已阅，下周重点抓回款")


def build_workforce(story: Story) -> None:
    away = _leave(story)
    _attendance(story, away)
    _roster(story)
    _meetings(story)
    _reports(story, away)
