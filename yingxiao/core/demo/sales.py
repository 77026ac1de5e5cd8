"""A year of selling in the demo (QUO-*, ORD-*, CON-*, SHP-*), written through the sales services.

Catalog and price lists; for about one deal customer in two the whole chain — quote (with its
discount approval or international review), deposit confirmed by finance, order signed off and
planned by the sales office, contract drafted by 商务组 and reviewed by the director, payment plan,
receipts confirmed by finance (some late, some short), invoices, shipment with its checklist and
signed receipt. The last days leave work in every inbox: a discount awaiting approval, an open
non-standard request, a deposit to confirm, an order to sign off, a contract to review, an invoice
to check and a bad-debt write-off to decide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import F, Sum

from yingxiao.sales import services as sales
from yingxiao.sales.models import Contract, Instalment, Order, StockItem
from yingxiao.sales.services import orders as order_services
from yingxiao.sales.services import shipments as shipment_services
from yingxiao.sales.services import stock as stock_services
from yingxiao.sales.services.deposits import deposit_confirm, deposit_register
from yingxiao.sales.services.receivables import confirmed_total

from .story import Story, approve_all, pending_for, scan

if TYPE_CHECKING:
    import random

    from yingxiao.customers.models import Customer
    from yingxiao.org.models import User
    from yingxiao.sales.models import Product, Quote

CENT = Decimal("0.01")
# How much selling the demo writes for its number of customers (a deal is ~25 service calls).
DEALS_PER_CUSTOMER, DEALS_MIN, DEALS_MAX = 0.04, 6, 16
QUOTES_PER_CUSTOMER, QUOTES_MIN, QUOTES_MAX = 0.05, 5, 16
FIRST_FATES = {0: "normal", 1: "slow", 2: "short", 3: "normal"}
PREFERRED_SELLERS = ("rep", "", "rep2", "")


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    model: str
    unit: str
    category: str
    price: int  # list price (CNY) of the first price list
    machine: bool  # a unit with a serial number (stock, deposits), else an accessory sold by quantity


CATALOG: list[Item] = [
    Item("SJ-200", "水井钻机", "SJ-200 型 200 米", "台", "钻机", 186_000, True),
    Item("SJ-400", "水井钻机", "SJ-400 型 400 米履带底盘", "台", "钻机", 268_000, True),
    Item("YX-600", "岩心钻机", "YX-600 全液压", "台", "钻机", 352_000, True),
    Item("CZ-350", "车载钻机", "CZ-350 车载一体", "台", "钻机", 435_000, True),
    Item("DR-500", "地热钻机", "DR-500 地源热泵专用", "台", "钻机", 318_000, True),
    Item("XJ-80", "修井机", "XJ-80 通井修井", "台", "修井设备", 1_280_000, True),
    Item("NB-3", "泥浆泵", "NB-3 三缸", "台", "泥浆设备", 68_000, True),
    Item("KY-15", "螺杆空压机", "KY-15 柴油移动式", "台", "空压机", 98_000, True),
    Item("ZG-89", "钻杆", "Φ89×3000mm", "根", "钻具", 1_150, False),
    Item("YL-190", "牙轮钻头", "Φ190 三牙轮", "个", "钻具", 3_600, False),
    Item("QK-6", "潜孔锤", "6 寸中风压", "个", "钻具", 5_800, False),
    Item("PJ-01", "钻机配件包", "常用易损件一套", "套", "配件", 9_800, False),
]
COST_SHARE = Decimal("0.64")  # confidential costs (QUO-4) at about two thirds of the list price
PRICE_RISE = Decimal("1.03")  # the second price list, in force two months before the anchor

# The signer of an order (ORD-3) is the rep's superior or a head of the order's department; who that
# is follows from the org chart, so the builder asks ``signers_for``.
NONSTANDARD_CONFIGS = [
    "加长桅杆至 9 米，配 2 台泥浆泵并联，适应 600 米深孔作业",
    "底盘改为橡胶履带，整机宽度不超过 2.2 米，便于山区转场",
    "动力改为电动机驱动，附防爆电气柜（现场有瓦斯风险）",
    "钻塔加装自动排管装置，配套 Φ114 钻杆 300 根",
    "高原型：柴油机带增压，适应海拔 4000 米作业",
]
LOGISTICS_NOTES = [
    "货物已装车，{carrier}承运，运单号 {tracking}",
    "车辆已过{city}方向高速收费站，预计三天内到达",
    "已到达{city}中转场，等待二程派送",
    "司机已联系客户{contact}，约定明日上午卸货",
]
CARRIERS = ["德邦物流", "顺丰重货", "中铁快运", "安能物流", "客户自提"]
RECEIPT_REFS = ["电汇", "银行承兑汇票", "网银转账", "对公转账"]


def _money(value: Decimal | float | int) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


class SalesBuilder:
    """Writes the year's deals one customer at a time, each at the moments it happened."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.rng: random.Random = story.rng("sales")
        u = story.users
        self.director, self.finance, self.assistant = u["director"], u["finance"], u["assistant"]
        self.commerce, self.quoter = u["commerce"], u["quoter"]
        self.products: dict[str, Product] = {}
        self.units: dict[str, list[StockItem]] = {}
        self.serial = 0

    # --- catalog (QUO-2, QUO-4) -----------------------------------------------------------------
    def catalog(self) -> None:
        story = self.story
        first = story.day(372)
        with story.at(story.later(first, 0) - dt.timedelta(days=2), 9):
            for item in CATALOG:
                self.products[item.code] = sales.product_create(
                    actor=self.director,
                    code=item.code,
                    name=item.name,
                    model=item.model,
                    unit=item.unit,
                    category=item.category,
                    drawing=f"图号 {item.code}-ZT-01（保密）" if item.machine else "",
                )
            self._price_list(f"{first.year} 年度价格表", first, Decimal("1"))
        second = story.day(62)
        with story.at(second - dt.timedelta(days=3), 15):
            self._price_list(f"{second.year} 年调价价格表（钢材涨价）", second, PRICE_RISE)
        story.count("products", len(CATALOG))
        story.count("price_lists", 2)

    def _price_list(self, name: str, effective: dt.date, factor: Decimal) -> None:
        # A list is priced before it takes effect; from then on it is frozen (QUO-2).
        price_list = sales.price_list_create(
            actor=self.director, name=name, effective_from=effective, note="营销中心统一价格，最低限价见审批权限"
        )
        for item in CATALOG:
            price = _money(Decimal(item.price) * factor)
            sales.price_list_item_set(
                actor=self.director,
                price_list=price_list,
                product=self.products[item.code],
                list_price=price,
                cost=_money(price * COST_SHARE),
            )

    # --- stock (ORD-5, ORD-6) --------------------------------------------------------------------
    def stock(self, needed: int) -> None:
        """Serial-numbered machines in the warehouse (and two at a secondary outlet)."""
        story, rng = self.story, self.rng
        machines = [item for item in CATALOG if item.machine]
        with story.at(story.day(368), 11):
            for index in range(needed + 8):
                item = machines[index % len(machines)] if index < len(machines) else rng.choice(machines)
                self._unit(item)
        placed = story.day(26)
        with story.at(placed, 14):
            for item in machines[:2]:
                unit = self._unit(item)
                stock_services.stock_item_move(
                    actor=self.assistant,
                    item=unit,
                    location_kind=StockItem.Location.OUTLET,
                    location="青州经销网点",
                    placed_on=placed,  # recalled within ORD-6's 30 days: a reminder, no fine
                    keeper=self.story.users["regional"],
                )
        story.count("stock_items", needed + 10)

    def _unit(self, item: Item) -> StockItem:
        self.serial += 1
        unit = stock_services.stock_item_create(
            actor=self.assistant,
            product=self.products[item.code],
            serial_no=f"{item.code}-{self.story.anchor.year - 1}{self.serial:04d}",
            location="总厂成品库",
        )
        self.units.setdefault(item.code, []).append(unit)
        return unit

    def take_unit(self, code: str) -> StockItem:
        units = self.units.get(code) or []
        while units:
            unit = units.pop(0)
            unit.refresh_from_db(fields=["status"])
            if unit.status == StockItem.Status.AVAILABLE and unit.location_kind == StockItem.Location.WAREHOUSE:
                return unit
        with self.story.at(self.story.day(368), 11):
            return self._unit(next(item for item in CATALOG if item.code == code))

    # --- one deal -----------------------------------------------------------------------------------
    def lines(self, machine: Item) -> list[dict[str, object]]:
        rng = self.rng
        rows: list[dict[str, object]] = [{"product": self.products[machine.code].pk, "quantity": "1"}]
        if machine.category == "钻机":
            rows.append({"product": self.products["ZG-89"].pk, "quantity": str(rng.choice([30, 50, 60, 100]))})
            if rng.random() < 0.6:
                rows.append({"product": self.products["YL-190"].pk, "quantity": str(rng.randint(4, 12))})
        if rng.random() < 0.4:
            rows.append({"product": self.products["PJ-01"].pk, "quantity": str(rng.randint(1, 3))})
        return rows

    def quote(
        self,
        rep: User,
        customer: Customer,
        machine: Item,
        day: dt.date,
        *,
        discount: int,
        rows: list[dict[str, object]] | None = None,
    ) -> Quote:
        """A quote of the machine (and its accessories), the machine at ``discount`` %, submitted (QUO-2)."""
        story = self.story
        rows = rows or self.lines(machine)
        lines = [{**row, "discount_pct": str(discount) if i == 0 else "0"} for i, row in enumerate(rows)]
        with story.at(day, 9, self.rng.randint(0, 59)):
            quote = sales.quote_create(
                actor=rep,
                customer=customer,
                lines=lines,
                note=f"含运费至{customer.region or '客户现场'}，质保一年",
                valid_until=story.later(day, 30),
            )
            quote = sales.quote_submit(actor=rep, quote=quote)
        story.count("quotes")
        return quote

    def approve_quote(self, quote: Quote, day: dt.date) -> None:
        """QUO-2 discount tiers and QUO-3 international review, each decided the next working day."""
        for _ in range(2):  # a discount first, then (international) the review
            instance = pending_for(quote.revisions.get(version=quote.version))
            if instance is None:
                return
            with self.story.at(day, 15, self.rng.randint(0, 59)):
                approve_all(instance, note="同意，请按审批价执行")
            quote.refresh_from_db()

    def deal(self, rep: User, customer: Customer, start: dt.date, *, fate: str) -> Contract | None:
        """The whole chain for one customer; ``fate`` decides how the money comes in."""
        story, rng = self.story, self.rng
        machine = rng.choice([item for item in CATALOG if item.machine])
        discount = rng.choice([0, 2, 3, 5, 5, 8])
        rows = self.lines(machine)
        quote = self.quote(rep, customer, machine, start, discount=discount, rows=rows)
        self.approve_quote(quote, story.later(start, 1))

        unit = self.take_unit(machine.code)
        day = story.later(start, 3)
        kind = "small" if rng.random() < 0.5 else "full"
        deposit_amount = 20_000 if kind == "small" else rng.choice([50_000, 80_000, 100_000])
        with story.at(day, 10, rng.randint(0, 59)):
            deposit = deposit_register(
                actor=rep,
                customer=customer,
                item=unit,
                kind=kind,
                amount=str(deposit_amount),
                payer=customer.name,
                note=f"客户确认购买{machine.name}（{unit.serial_no}），{'小定' if kind == 'small' else '大定'}",
            )
        with story.at(story.later(day, 1), 9, 30):
            deposit_confirm(actor=self.finance, deposit=deposit)
        story.count("deposits")

        day = story.later(day, 2)
        order_lines = [
            {**row, "unit_price": str(_money(self._price(int(str(row["product"])), day) * (100 - discount) / 100))}
            if index == 0
            else row
            for index, row in enumerate(rows)  # as quoted
        ]
        with story.at(day, 11, rng.randint(0, 59)):
            order = order_services.order_create(
                actor=rep,
                customer=customer,
                lines=order_lines,
                deposit=deposit,
                delivery_date=story.later(day, 40),
                note=f"按报价单 {quote.number} 下单",
            )
            order = order_services.order_submit(actor=rep, order=order)
        signer = order_services.signers_for(order)[0]
        with story.at(day, 16, rng.randint(0, 59)):
            order = order_services.order_signoff(actor=signer, order=order, approve=True, note="同意，按期交货")
            # rule: ORD-4 — the sales office reviews and plans production the same working day.
            order_services.production_plan_enter(
                actor=self.assistant,
                order=order,
                price_checked=True,
                spec_checked=True,
                model_checked=True,
                planned_start=story.later(day, 2),
                planned_finish=story.later(day, 25),
                note="常规排产",
            )
        story.count("orders")

        contract = self._contract(customer, order, story.later(day, 1), fate=fate, machine=machine)
        self._production(order, day)
        self._shipment(rep, customer, order, story.later(day, 28), machine)
        return contract

    def _price(self, product_pk: int, day: dt.date) -> Decimal:
        from yingxiao.sales.services.common import price_in_force

        product = next(p for p in self.products.values() if p.pk == product_pk)
        return price_in_force(product, "CNY", on=day).list_price

    def _contract(self, customer: Customer, order: Order, day: dt.date, *, fate: str, machine: Item) -> Contract:
        story, rng = self.story, self.rng
        order.refresh_from_db()
        amount = order.total
        shares = [("prepayment", 30, 5), ("progress", 40, 60), ("final", 30, 120)]
        plan, left = [], amount
        for index, (kind, pct, after) in enumerate(shares):
            part = left if index == len(shares) - 1 else _money(amount * pct / 100)
            left -= part
            plan.append({"kind": kind, "due_date": (day + dt.timedelta(days=after)).isoformat(), "amount": str(part)})
        with story.at(day, 9, rng.randint(0, 59)):
            contract = sales.contract_create(
                actor=self.commerce,
                customer=customer,
                title=f"{machine.name}（{machine.model}）购销合同",
                amount=str(amount),
                instalments=plan,
                category=Contract.Category.SALES,
                order=order,
                note="预付款 30%，进度款 40%，尾款 30% 验收后支付",
            )
            contract = sales.contract_submit(actor=self.commerce, contract=contract)
        with story.at(day, 14, rng.randint(0, 59)):
            approve_all(pending_for(contract, "contract_review"), note="条款已审，同意签订")
        signed_on = story.later(day, 1)
        with story.at(signed_on, 10):
            contract = sales.contract_sign(
                actor=self.commerce, contract=contract, signed_on=signed_on, scan=scan(f"{contract.number}.pdf")
            )
        if (story.anchor - signed_on).days > 20:
            with story.at(story.later(signed_on, 3), 16):
                sales.contract_archive(actor=self.commerce, contract=contract)
            story.count("contracts_archived")
        story.count("contracts")
        self._receipts(contract, fate)
        return contract

    def _receipts(self, contract: Contract, fate: str) -> None:
        """Finance confirms the money (ORD-2): on time, late, short, or not at all (``fate``)."""
        last = self.story.clock.last_day
        paid_last = self._paid(contract, fate, last)
        if paid_last is not None:
            # Invoice (CON-6): asked by the rep, checked by 商务组, issued by finance once paid.
            self.invoice(contract, after=paid_last, issue=True)

    def _paid(self, contract: Contract, fate: str, last: dt.date) -> dt.date | None:
        story, rng = self.story, self.rng
        paid_last = None
        for instalment in contract.instalments.order_by("due_date"):
            instalment.refresh_from_db()
            owed = instalment.outstanding
            if owed <= 0:
                continue
            if fate == "slow" and instalment.kind != "prepayment":
                break  # the customer stopped paying after the prepayment
            paid_on = instalment.due_date + dt.timedelta(days=rng.choice([-3, -1, 0, 2, 5, 9, 16, 30]))
            if paid_on > last:
                if instalment.due_date <= last and fate == "normal" and rng.random() < 0.5:
                    paid_on = last  # paid on the last day before today
                else:
                    break
            paid_on = story.clock.open_day(paid_on, not_before=instalment.due_date - dt.timedelta(days=5))
            amount = owed
            if fate == "short" and instalment.kind == "progress":
                amount = _money(owed * Decimal("0.6"))
            with story.at(paid_on, 15, rng.randint(0, 59)):
                sales.receipt_confirm(
                    actor=self.finance,
                    contract=contract,
                    amount=str(amount),
                    received_on=paid_on,
                    reference=f"{rng.choice(RECEIPT_REFS)} {paid_on:%m%d}{rng.randint(100, 999)}",
                )
            story.count("receipts")
            paid_last = paid_on
            if fate == "short" and instalment.kind == "progress":
                break
        return paid_last

    def invoice(self, contract: Contract, *, after: dt.date, issue: bool, day: dt.date | None = None) -> bool:
        """CON-6: the rep asks for an invoice of what was paid and not yet invoiced; checked, then issued."""
        story, rng = self.story, self.rng
        contract.refresh_from_db()
        asked = contract.invoices.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        paid = _money(confirmed_total(contract) - asked)
        day = day or story.later(after, rng.randint(1, 6))
        if paid <= 0 or day > story.clock.last_day or (issue and day >= story.clock.last_day):
            return False
        if day >= story.clock.last_day - dt.timedelta(days=3):
            issue = False  # asked for in the last days: still to be checked
        rep = contract.owner
        with story.at(day, 10, rng.randint(0, 59)):
            invoice = sales.invoice_request_create(
                actor=rep,
                contract=contract,
                amount=str(paid),
                title=contract.customer.name,
                tax_number=f"91{rng.randint(10**15, 10**16 - 1)}",
                bank=rng.choice(["中国工商银行", "中国建设银行", "中国农业银行", "招商银行"]) + "营业部",
                bank_account=str(rng.randint(10**18, 10**19 - 1)),
                address=f"{contract.customer.address or contract.customer.region} {contract.customer.phone}",
            )
        story.count("invoices")
        if not issue:
            return True
        with story.at(day, 15):
            sales.invoice_check(actor=self.commerce, invoice=invoice)
        with story.at(story.later(day, 1), 10):
            sales.invoice_issue(actor=self.finance, invoice=invoice, invoice_number=f"{rng.randint(10**7, 10**8 - 1)}")
        return True

    def _production(self, order: Order, day: dt.date) -> None:
        story = self.story
        steps = [
            (3, "purchasing", "主要外购件（柴油机、液压泵）已到厂", 20),
            (10, "production", "机架焊接完成，转入涂装", 50),
            (18, "outsourcing", "钻塔外协加工完成并验收", 70),
            (24, "production", "总装调试完成，待发货", 100),
        ]
        for offset, kind, note, percent in steps:
            when = story.later(day, offset)
            if when >= story.clock.last_day:
                return
            with story.at(when, 17):
                order_services.progress_add(
                    actor=self.assistant, order=order, kind=kind, note=note, percent=percent, day=when
                )

    def _shipment(self, rep: User, customer: Customer, order: Order, day: dt.date, machine: Item) -> None:
        story, rng = self.story, self.rng
        if day >= story.clock.last_day - dt.timedelta(days=2):
            return  # still in production
        carrier = rng.choice(CARRIERS)
        tracking = f"{rng.randint(10**9, 10**10 - 1)}"
        with story.at(day, 9, rng.randint(0, 59)):
            shipment = shipment_services.shipment_create(
                actor=rep, order=order, carrier=carrier, tracking_no=tracking, address=customer.address
            )
            # rule: SHP-1 — the documents checklist archived and reviewed before dispatch.
            for kind in ("technical", "manual", "certificate", "packing_list"):
                shipment_services.document_upload(
                    actor=self.assistant, shipment=shipment, kind=kind, file=scan(f"{kind}.pdf")
                )
                shipment_services.document_review(actor=self.assistant, shipment=shipment, kind=kind)
            shipment_services.shipment_dispatch(actor=self.assistant, shipment=shipment)
        story.count("shipments")
        city = customer.region or "目的地"
        contact = customer.contacts.first()
        for offset, template in enumerate(LOGISTICS_NOTES, start=1):
            when = story.later(day, offset)
            if when >= story.clock.last_day:
                return
            note = template.format(
                carrier=carrier, tracking=tracking, city=city, contact=contact.name if contact else ""
            )
            with story.at(when, 11):
                shipment_services.logistics_add(actor=rep, shipment=shipment, note=note)
        signed = story.later(day, 6)
        if signed >= story.clock.last_day - dt.timedelta(days=1):
            return
        with story.at(signed, 16):
            # rule: SHP-2 — the signed delivery receipt (签收单) archived.
            shipment_services.receipt_upload(actor=rep, shipment=shipment, file=scan("receipt.pdf"))
        story.count("shipments_delivered")


def build_sales(story: Story) -> None:
    """The sales year of the demo company, then the open work of the last days."""
    builder = SalesBuilder(story)
    builder.catalog()
    deal_customers = _deal_customers(story)
    builder.stock(len(deal_customers) + 6)
    rng = builder.rng
    for index, (customer, start) in enumerate(deal_customers):
        # A few stop paying, a few pay short: the 回款率, the receivables and the bad debts have something
        # to show — always one of each among the early deals, then now and then.
        fate = FIRST_FATES.get(index) or rng.choices(["normal", "slow", "short"], weights=[80, 10, 10])[0]
        builder.deal(customer.owner, customer, start, fate=fate)
    _quotes_only(story, builder)
    _open_work(story, builder)


def _deal_customers(story: Story) -> list[tuple[Customer, dt.date]]:
    """Deal-stage customers of the selling departments, each with the day their deal started.

    About one customer in twenty-five (6 to 16 deals), spread evenly over the year so every month
    has signings and receipts; the last starts twelve days before the anchor, so this month has a
    contract signed too (坏账率 and plan vs actual need this month's revenue).
    """
    rng = story.rng("sales:deals")
    sellers = {"rep", "rep2", "rep3", "rep4", "rep5", "rep6", "rep7", "regional", "regional2", "head", "shanghai_rep"}
    candidates = [c for c in story.customers if c.stage == "deal" and c.owner.username in sellers]
    rng.shuffle(candidates)
    wanted = max(DEALS_MIN, min(DEALS_MAX, round(len(story.customers) * DEALS_PER_CUSTOMER)))
    first, last = 330, 16
    slots = [first - (first - last) * index // max(1, wanted - 1) for index in range(wanted)]
    slots[-1:] = [12]
    chosen: list[tuple[Customer, dt.date]] = []
    for index, days_ago in enumerate(slots):
        day = story.day(days_ago + rng.randint(-3, 3) if days_ago > 20 else days_ago)
        # Every other deal is one of the demo logins' (rep 张伟, rep2 林佳怡): their pages show a pipeline.
        login = PREFERRED_SELLERS[index % len(PREFERRED_SELLERS)]
        ordered = sorted(candidates, key=lambda c, login=login: c.owner.username != login)
        for customer in ordered:
            registered = customer.registered_at.astimezone(story.clock.tz).date()
            if registered + dt.timedelta(days=7) <= day:
                candidates.remove(customer)
                chosen.append((customer, day))
                break
    return chosen


def _quotes_only(story: Story, builder: SalesBuilder) -> None:
    """Intent-stage customers get quotes that are still being discussed (one sent as PDF, QUO-3)."""
    rng = story.rng("sales:quotes")
    sent = 0
    wanted = max(QUOTES_MIN, min(QUOTES_MAX, round(len(story.customers) * QUOTES_PER_CUSTOMER)))
    intent = [c for c in story.customers if c.stage == "intent"]
    for customer in rng.sample(intent, min(wanted, len(intent))):
        registered = customer.registered_at.astimezone(story.clock.tz).date()
        day = max(registered + dt.timedelta(days=3), story.clock.days_ago(90))
        if day >= story.clock.last_day:
            continue
        day = story.clock.open_day(day + dt.timedelta(days=rng.randint(0, 20)), not_before=day)
        if day >= story.clock.last_day:
            continue
        machine = rng.choice([item for item in CATALOG if item.machine])
        quote = builder.quote(customer.owner, customer, machine, day, discount=rng.choice([0, 2, 3, 5]))
        builder.approve_quote(quote, story.later(day, 1))
        if sent < 1 and quote.status == "ready":
            with story.at(story.later(day, 1), 17):
                sales.quote_send(actor=customer.owner, quote=quote)  # archived as a PDF (QUO-3)
            sent += 1
    story.count("quotes_sent", sent)


def _open_work(story: Story, builder: SalesBuilder) -> None:
    """What waits for someone on the anchor day, one item per inbox."""
    rng = story.rng("sales:open")
    rep, finance = story.users["rep"], story.users["finance"]
    own = [c for c in story.customers if c.owner_id == rep.pk and c.stage != "lost"]
    mine = [own[index % len(own)] for index in range(5)]  # the rep's own customers (a small demo has few)
    yesterday = story.clock.last_day

    # QUO-2: a 12 % discount waits for the director's approval.
    big = next(item for item in CATALOG if item.code == "CZ-350")
    quote = builder.quote(rep, mine[0], big, yesterday, discount=12)
    story.count("quotes_awaiting_discount_approval", int(quote.status == "pending_price"))

    # QUO-1: a non-standard configuration, answered once and once still open.
    with story.at(story.day(9), 10):
        answered = sales.quote_request_create(
            actor=rep,
            customer=mine[1],
            product=builder.products["SJ-400"],
            quantity="1",
            configuration=NONSTANDARD_CONFIGS[0],
        )
    with story.at(story.day(9), 16):
        sales.quote_request_answer(
            actor=answered.assignee, request=answered, unit_price="298000", note="含加长桅杆及第二台泥浆泵"
        )
    with story.at(yesterday, 16, 10):  # due today (QUO-1: 8 working hours)
        sales.quote_request_create(
            actor=rep,
            customer=mine[2],
            product=builder.products["YX-600"],
            quantity="2",
            configuration=rng.choice(NONSTANDARD_CONFIGS[1:]),
        )
    story.count("quote_requests", 2)

    # ORD-1/ORD-2: a deposit registered, not yet confirmed by finance.
    with story.at(yesterday, 11):
        deposit_register(
            actor=rep,
            customer=mine[3],
            item=builder.take_unit("SJ-200"),
            kind="small",
            amount="20000",
            payer=mine[3].name,
            note="客户现场交付小定，待财务确认到账",
        )
    # ORD-3: an order waiting for sign-off.
    with story.at(yesterday, 15):
        order = order_services.order_create(actor=rep, customer=mine[4], lines=builder.lines(CATALOG[0]))
        order_services.order_submit(actor=rep, order=order)
    # CON-1: a contract waiting for the director's review.
    signed = Contract.objects.filter(status__in=["signed", "archived"]).order_by("-signed_on", "-pk").first()
    if signed is not None:
        with story.at(yesterday, 16):
            contract = sales.contract_create(
                actor=builder.commerce,
                customer=signed.customer,
                title="配件补充采购合同",
                amount="58800.00",
                instalments=[
                    {"kind": "final", "due_date": (yesterday + dt.timedelta(days=30)).isoformat(), "amount": "58800.00"}
                ],
                category=Contract.Category.SALES,
                note="钻杆及钻头补货",
            )
            sales.contract_submit(actor=builder.commerce, contract=contract)

    # CON-3: a bad debt written off this month (approved) and one waiting for the director.
    overdue = list(
        Instalment.objects.filter(is_effective=True, due_date__lt=story.clock.days_ago(45))
        .exclude(received__gte=F("amount"))
        .order_by("due_date", "pk")[:2]
    )
    for index, instalment in enumerate(overdue):
        day = story.clock.open_day(yesterday - dt.timedelta(days=2 - index), not_before=story.clock.days_ago(20))
        with story.at(day, 10):
            write_off = sales.write_off_request(
                actor=finance,
                instalment=instalment,
                amount=str(_money(instalment.outstanding * Decimal("0.5"))),
                reason="客户经营困难，经多次催收无果，按协议核销一半尾款",
            )
        story.count("write_offs")
        if index == 0:
            with story.at(day, 16):
                approve_all(pending_for(write_off), note="同意核销，纳入坏账台账")
    # CON-6: an invoice request the sales office has not checked yet.
    for contract in Contract.objects.filter(receipts__isnull=False).distinct().order_by("-signed_on", "pk"):
        if builder.invoice(contract, after=yesterday, issue=False, day=yesterday):
            break
