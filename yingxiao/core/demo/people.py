"""Training, fines and rewards, evaluations and pay of the demo (HR-9, DIS-1…3, PRF-1…5).

HR's annual training plan with sessions held (attendance and assessment scores) and one to come;
the violations the other modules raised (complaints, meetings, duty posts) plus two recorded by the
director, most approved and some paid to finance, the newest still awaiting approval; last month's
excellent employee; last month's evaluations of the front line, the payroll month closed by HR and
the pay statements issued — some already confirmed by their owners (PRF-5).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum

from yingxiao.approvals.models import Instance
from yingxiao.performance.evaluations import evaluation_finalise, evaluation_prepare, evaluation_score, may_evaluate
from yingxiao.performance.models import EvaluationItem, Reward, Violation
from yingxiao.performance.pay import pay_month_close, pay_profile_set, pay_statement_confirm, pay_statements_issue
from yingxiao.performance.pay_models import PayStatement
from yingxiao.performance.services import reward_record, violation_mark_paid, violation_record
from yingxiao.policy.values import policy_value
from yingxiao.sales.models import Contract, Shipment
from yingxiao.training.models import TrainingPlan
from yingxiao.training.services import attendance_record, plan_create, session_create

from .story import Story, approve_all

EVALUATED = ("rep", "rep2", "rep3", "rep4", "rep5", "rep6", "rep7", "regional", "regional2", "telesales",
             "telesales2", "telesales3", "shanghai_rep", "service")  # fmt: skip
SESSIONS = [
    ("新产品培训：SJ-400 履带式水井钻机", "产品结构、主要参数、与竞品对比", "冯德明", 70),
    ("销售技巧：电话邀约与异议处理", "开场白、需求挖掘、价格异议应对", "黄海燕", 45),
    ("合同与回款管理制度宣讲", "合同审批流程、回款考核、坏账核销", "赵丽娟", 25),
]
PAY = {"director": (15000, 6000), "gm": (20000, 8000), "chairman": (25000, 0)}


def _training(story: Story) -> None:
    """HR-9: the annual plan, three sessions held with attendance and scores, one scheduled."""
    rng = story.rng("people:training")
    hr = story.users["hr"]
    year = story.anchor.year
    start = story.clock.open_day(dt.date(year, 1, 6), not_before=dt.date(year, 1, 1))
    with story.at(min(start, story.clock.last_day), 10):
        plan = plan_create(
            actor=hr,
            period=TrainingPlan.Period.ANNUAL,
            year=year,
            title=f"{year} 年度营销中心培训计划",
            goals="新产品知识全员通过考核；电销人员话术培训；新员工带教",
        )
    story.count("training_plans")
    staff = [
        u for n, u in sorted(story.users.items()) if n.startswith(("rep", "telesales", "regional", "shanghai_rep"))
    ]
    for index, (title, topic, trainer_name, days_ago) in enumerate(SESSIONS):
        day = story.day(days_ago)
        starts = story.moment(day, 14)
        with story.at(story.later(day, 0) - dt.timedelta(days=5), 10):
            session = session_create(
                actor=hr,
                title=title,
                topic=topic,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                plan=plan,
                trainer_name=trainer_name,
                place="二楼培训室",
            )
        with story.at(starts + dt.timedelta(hours=2, minutes=30)):
            for person in staff:
                came = rng.random() > 0.1 or index == 0
                score = rng.randint(62, 98) if came else None
                attendance_record(actor=hr, session=session, person=person, attended=came, score=score)
                story.count("training_attendance")
        story.count("training_sessions")
    starts = story.moment(story.anchor + dt.timedelta(days=7), 14)
    with story.at(story.clock.last_day, 11):
        session_create(
            actor=hr,
            title="安全生产与现场服务规范",
            topic="售后现场安全、服务礼仪",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            plan=plan,
            trainer_name="蔡建华",
            place="二楼培训室",
        )
    story.count("training_sessions")


def _violations(story: Story) -> None:
    """DIS-1: two recorded by hand, then approvals (all but the last days') and payments to finance."""
    u = story.users
    director, finance = u["director"], u["finance"]
    shipment = Shipment.objects.filter(status="delivered").order_by("pk").first()
    manual = [
        ("SHP-3", u["rep6"], "shipment_followup_fine", "发货后未跟踪物流，客户投诉到总经理处，查实属跟进不到位", 18),
        ("SHP-2", u["rep7"], "missing_receipt_fine", "抽查发现一批发货签收单未及时归档", 11),
    ]
    for rule_id, person, param, evidence, days_ago in manual:
        with story.at(story.day(days_ago), 15):
            violation_record(
                actor_or_system=director,
                person=person,
                rule_id=rule_id,
                evidence=evidence,
                amount=policy_value(param),
                subject=shipment,
            )
    cutoff = story.moment(story.day(4), 0)
    pending = Instance.objects.filter(request_type="violation", status=Instance.Status.PENDING).order_by("pk")
    for instance in pending:
        if instance.submitted_at >= cutoff:
            continue  # the newest wait for the director
        submitted = instance.submitted_at.astimezone(story.clock.tz).date()
        with story.at(story.later(submitted, 1), 17):
            approve_all(instance, note="情况属实，按制度处罚")
    approved = Violation.objects.filter(status=Violation.Status.APPROVED).order_by("pk")
    for index, violation in enumerate(approved):
        if index % 3 == 2:
            continue  # not paid yet (DIS-1: within fine_pay_days)
        decided = violation.approved_at or story.moment(story.clock.last_day, 9)
        day = story.later(decided.astimezone(story.clock.tz).date(), 2)
        with story.at(day, 11):
            violation_mark_paid(actor=finance, violation=violation)
    story.count("violations", Violation.objects.count())
    story.count("violations_paid", Violation.objects.filter(status=Violation.Status.PAID).count())


def payday(story: Story) -> dt.date:
    """The early working day of the last demo month on which last month's payroll is done."""
    first = story.clock.last_day.replace(day=1)
    return min(story.clock.open_day(first + dt.timedelta(days=3), not_before=first), story.clock.last_day)


def _last_month(story: Story) -> dt.date:
    """The month the payroll of ``payday`` closes: the one before it, always over by then."""
    return (payday(story).replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _reward(story: Story) -> None:
    """DIS-2: last month's excellent employee — the one who signed the most."""
    month = _last_month(story)
    end = (month + dt.timedelta(days=32)).replace(day=1)
    best = (
        Contract.objects.filter(signed_on__gte=month, signed_on__lt=end)
        .values("owner")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("-total", "owner")
        .first()
    )
    person = next((u for u in story.users.values() if best and u.pk == best["owner"]), story.users["rep2"])
    day = payday(story)
    with story.at(day, 10):
        reward = reward_record(
            actor=story.users["director"],
            person=person,
            kind=Reward.Kind.EXCELLENT_EMPLOYEE,
            reason=f"{month:%Y年%m月}签约额第一，回款及时",
        )
    instance = Instance.objects.filter(request_type="reward", object_id=reward.pk).first()
    if instance is not None:
        with story.at(day, 16):
            approve_all(instance, note="同意表彰")
    story.count("rewards")


def _pay(story: Story) -> None:
    """PRF-1…5: last month's evaluations, HR closes the month and issues the statements."""
    rng = story.rng("people:pay")
    u = story.users
    hr, director = u["hr"], u["director"]
    month = _last_month(story)
    day = payday(story)
    with story.at(day, 9, 30):
        for name, person in sorted(u.items()):
            base, performance = PAY.get(
                name, (rng.choice([5000, 5500, 6000, 7000, 8000]), rng.choice([1500, 2000, 3000]))
            )
            pay_profile_set(actor=hr, person=person, base_pay=base, performance_pay=performance)
        story.count("pay_profiles", len(u))
        for name in EVALUATED:
            person = u[name]
            evaluator = director if may_evaluate(director, person) else hr
            evaluation = evaluation_prepare(actor=evaluator, person=person, month=month)
            manual = {
                item.code: rng.randint(55, 97)
                for item in evaluation.items.all()
                if item.source != EvaluationItem.Source.COMPUTED
            }
            evaluation_score(actor=evaluator, evaluation=evaluation, scores=manual, comment="按月度考核表评分")
            evaluation_finalise(actor=evaluator, evaluation=evaluation)
            story.count("evaluations")
    with story.at(day, 15):
        pay_month_close(actor=hr, month=month)
        story.count("pay_statements", pay_statements_issue(actor=hr, month=month))
    confirm = min(story.later(day, 1), story.clock.last_day)
    with story.at(confirm, 10):
        for index, statement in enumerate(PayStatement.objects.filter(month=month).order_by("person__username")):
            if index % 3 != 1:
                pay_statement_confirm(actor=statement.person, statement=statement)
                story.count("pay_statements_confirmed")


def build_people(story: Story) -> None:
    _training(story)
    _violations(story)
    _reward(story)
    _pay(story)
