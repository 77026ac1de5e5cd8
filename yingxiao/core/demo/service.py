"""Complaints and after-sales of the demo (CMP-1…8), written through the service app's actions.

Complaints from customers who bought something, at every stage of their lifecycle: closed with a
survey (most in time, one late), verified, executing with progress messages to the customer, a
solution waiting for the director, responsibility defined, and one received yesterday. Attributable
ones become CMP-6 violations when the solution is approved. After-sales staff log installations,
maintenance jobs and visits; the last month's after-sales report goes to the sales director (CMP-8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yingxiao.sales.models import Contract
from yingxiao.service import sla
from yingxiao.service.aftersales import aftersales_record, aftersales_report_generate, aftersales_report_submit
from yingxiao.service.models import AfterSalesRecord, Complaint
from yingxiao.service.services import (
    complaint_assign,
    complaint_close,
    complaint_intake,
    complaint_progress,
    may_handle,
    solution_decide,
    solution_propose,
    survey_record,
)

from .story import Story

if TYPE_CHECKING:
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User

# Stages a complaint reaches in the demo, oldest complaints furthest along.
CLOSED, VERIFYING, EXECUTING, SOLUTION, ASSIGNED, RECEIVED = range(6)


@dataclass(frozen=True)
class Case:
    category: str
    cause: str
    matter: str
    responsibility: str
    plan: str
    measures: str
    progress: str
    attributable: bool = False


CASES: list[Case] = [
    Case(
        "quality",
        "product_defect",
        "新购钻机液压系统漏油，钻进至 80 米时动力头压力不足，无法继续施工。",
        "液压管路接头装配扭矩不足，属生产装配质量问题。",
        "24 小时内派售后工程师到现场更换接头并检测系统压力。",
        "更换全部高压管路接头，免费更换液压油一桶，延长液压系统质保半年。",
        "售后工程师已到现场，正在更换管路接头。",
        attributable=True,
    ),
    Case(
        "service",
        "response",
        "报修电话打了三次都说会回电，两天没人联系，影响工地进度。",
        "客服接报后未按时派单，回访不及时。",
        "客服部主管当天致歉，重新派单并每日跟进。",
        "明确报修 4 小时内响应，派单后电话告知客户工程师姓名及到达时间。",
        "已电话致歉，工程师明早到达。",
        attributable=True,
    ),
    Case(
        "quality",
        "wrong_spec",
        "收到的钻杆规格与合同不符，合同为 Φ89，实际发货为 Φ73。",
        "发货清单核对环节遗漏，仓库按旧单备货。",
        "补发正确规格钻杆，错发钻杆由物流回收。",
        "三日内补发 Φ89 钻杆，运费由公司承担，错发货物上门取回。",
        "补发钻杆已发出，运单已告知客户。",
    ),
    Case(
        "other",
        "delivery",
        "设备到货时钻塔油漆多处刮伤，包装破损。",
        "运输途中捆扎不牢，承运商责任。",
        "向承运商索赔，并安排补漆。",
        "派人上门补漆，承运商赔付的款项冲抵客户尾款。",
        "补漆材料已寄出，约定周五上门。",
    ),
    Case(
        "service",
        "attitude",
        "业务员承诺的操作培训一直没有安排，打电话态度也不好。",
        "业务员跟进不到位，服务态度问题。",
        "部门经理带队上门道歉并安排两天现场培训。",
        "安排两天现场操作培训，由技术员和业务员共同到场。",
        "培训日期已与客户确认。",
        attributable=True,
    ),
    Case(
        "quality",
        "installation",
        "安装调试后第三天空压机频繁停机报警。",
        "现场安装时供油管路走向不当，造成进气温度过高。",
        "售后工程师到场重新布置管路并调整参数。",
        "重新布置供油管路，加装散热风扇，回访一周运行情况。",
        "管路已调整，客户正在试运行。",
    ),
    Case(
        "other",
        "documents",
        "发票抬头开错，客户财务无法入账。",
        "开票信息录入错误。",
        "作废重开，快递寄送。",
        "作废原发票并重开，顺丰到付寄回原票。",
        "新发票已开具寄出。",
    ),
    Case(
        "quality",
        "product_defect",
        "泥浆泵缸套使用不到两个月磨损严重，出水量明显下降。",
        "缸套材质批次问题，供应商来料不合格。",
        "免费更换同批次缸套，并向供应商追责。",
        "更换缸套两套，赠送易损件一套，质保期重新计算。",
        "缸套已发货，工程师随货到场更换。",
    ),
]
_ORDER = [CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, VERIFYING, EXECUTING, EXECUTING, SOLUTION, ASSIGNED, RECEIVED]
SURVEY_COMMENTS = ["处理及时，满意", "问题已解决，希望以后注意", "工程师态度很好", "解决了，但等的时间长了点"]
AFTERSALES_JOBS = {
    "installation": ("设备到场安装调试，培训机手两名", "调试合格，客户签字验收"),
    "maintenance": ("定期保养：更换机油、滤芯，检查液压系统", "运行正常"),
    "visit": ("回访设备使用情况，了解施工进度和配件需求", "客户满意，提出采购钻头意向"),
}


class ServiceBuilder:
    def __init__(self, story: Story) -> None:
        self.story = story
        self.rng = story.rng("service")
        self.service = story.users["service"]

    def handler(self, complaint: Complaint) -> User:
        """The head of the responsible department when it can act, else the sales director (CMP-2)."""
        head = sla.acting_head(complaint.responsible_department)
        if head is not None and may_handle(head, complaint):
            return head
        return self.story.users["director"]

    def complaint(self, customer: Customer, case: Case, received: dt.datetime, stage: int) -> Complaint:
        story, rng = self.story, self.rng
        contact = customer.contacts.first()
        quality: dict[str, object] = {}
        if case.category == "quality":
            # CMP-1: a quality complaint names invoice, product, spec, quantity, grade and purchase date.
            contract = Contract.objects.filter(customer=customer, signed_on__isnull=False).order_by("signed_on").first()
            assert contract is not None  # complaints come from customers who bought
            invoice = contract.invoices.filter(status="issued").order_by("pk").first()
            product, _sep, spec = contract.title.removesuffix("购销合同").partition("（")
            quality = {
                "invoice_no": invoice.invoice_number if invoice else contract.number,
                "product": product,
                "spec": spec.rstrip("）") or "标准型",
                "quantity": "1",
                "grade": "合格品",
                "purchase_date": contract.signed_on,
            }
        with story.at(received):
            complaint = complaint_intake(
                actor=self.service,
                customer=customer,
                complainant=contact.name if contact else customer.name,
                contact=(contact.phone if contact else "") or customer.phone,
                matter=case.matter,
                category=case.category,
                channel=Complaint.Channel.PHONE,
                **quality,
            )
        story.count("complaints")
        if stage == RECEIVED:
            return complaint
        day = received.astimezone(story.clock.tz).date()
        handler = self.handler(complaint)
        with story.at(story.later(day, 0) if received.hour < 15 else story.later(day, 1), 16):
            complaint_assign(
                actor=handler,
                complaint=complaint,
                cause=case.cause,
                responsibility=case.responsibility,
                plan=case.plan,
                responsible_person=customer.owner,
            )
        if stage == ASSIGNED:
            return complaint
        day = story.later(day, 1)
        with story.at(day, 10):
            solution = solution_propose(
                actor=handler,
                complaint=complaint,
                measures=case.measures,
                deadline=story.later(day, 5) + dt.timedelta(days=2),
                attributable=case.attributable,
                attributed_to=customer.owner if case.attributable else None,
            )
        if stage == SOLUTION:
            return complaint
        low, high = (300, 800) if case.category == "quality" else (50, 100)
        with story.at(day, 16):
            solution.approval.refresh_from_db()
            solution_decide(
                actor=solution.approval.current_approver,
                complaint=complaint,
                decision="approve",
                note="同意方案，按期落实",
                fine_amount=rng.randrange(low, high + 1, 50) if case.attributable else None,
            )
        complaint.refresh_from_db()
        day = story.later(day, 1)
        with story.at(day, 11):
            complaint_progress(actor=self.service, complaint=complaint, message=case.progress, channel="电话")
        if stage == EXECUTING:
            return complaint
        late = stage == CLOSED and rng.random() < 0.2
        day = story.later(day, 6 if late else 2)
        with story.at(day, 15):
            survey_record(
                actor=self.service,
                complaint=complaint,
                satisfaction=rng.choice([5, 4, 4, 3]),
                resolved=True,
                comments=rng.choice(SURVEY_COMMENTS),
            )
        if stage == VERIFYING:
            return complaint
        with story.at(day, 17):
            complaint_close(actor=self.service, complaint=complaint, note="客户确认问题解决，结案")
        story.count("complaints_closed")
        return complaint

    def aftersales(self, customers: list[Customer]) -> None:
        story, rng = self.story, self.rng
        staff = [story.users["service"], story.users["aftersales"]]
        for customer in customers:
            contract = Contract.objects.filter(customer=customer, signed_on__isnull=False).order_by("signed_on").first()
            if contract is None:
                continue
            day = story.later(contract.signed_on, 30)
            for kind in ("installation", "maintenance", "visit"):
                if day >= story.clock.last_day:
                    break
                description, result = AFTERSALES_JOBS[kind]
                actor = rng.choice(staff)
                with story.at(day, 14):
                    aftersales_record(
                        actor=actor,
                        customer=customer,
                        kind=kind,
                        description=description,
                        served_on=day,
                        product=rng.choice(["水井钻机", "岩心钻机", "泥浆泵", "空压机"]),
                        result=result,
                    )
                story.count("aftersales_records")
                day = story.later(day, rng.randint(45, 90))
        # CMP-8: last month's report, sent to the sales director before the 29th.
        head = story.users["service_head"]
        this_month = story.clock.last_day.replace(day=1)
        last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
        sent = min(story.clock.open_day(this_month, not_before=last_month), story.clock.last_day)
        if AfterSalesRecord.objects.filter(department=story.home["service_head"], served_on__gte=last_month).exists():
            with story.at(sent, 10):
                report = aftersales_report_generate(
                    actor=head,
                    department=story.home["service_head"],
                    month=last_month,
                    notes="本月安装、保养按计划完成",
                )
                aftersales_report_submit(actor=head, report=report)
            story.count("aftersales_reports")


def build_service(story: Story) -> None:
    builder = ServiceBuilder(story)
    buyers = [c for c in story.customers if Contract.objects.filter(customer=c, signed_on__isnull=False).exists()]
    rng = builder.rng
    for index, stage in enumerate(_ORDER):
        if not buyers:
            break
        customer = buyers[(index * 7) % len(buyers)]
        case = CASES[index % len(CASES)]
        # The older the complaint, the further along; the new one came in yesterday.
        days_ago = {CLOSED: 25 + 12 * index, VERIFYING: 9, EXECUTING: 6, SOLUTION: 3, ASSIGNED: 2, RECEIVED: 1}[stage]
        day = story.day(days_ago)
        builder.complaint(customer, case, story.moment(day, rng.randint(9, 16), rng.randint(0, 59)), stage)
    builder.aftersales(buyers)
