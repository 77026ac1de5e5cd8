"""Marketing of the demo (MKT-1…5), through the marketing actions.

The market department's autumn product show went the whole way — plan, preparation tasks,
invitations (through the customers app's CUS-8 check), execution with attendance, photos and leads,
summary — and next month's open day is being planned. The year's exhibition plan has items done and
to come, roadshows are recorded with photos (MKT-3), and competitor prices are collected (MKT-4).
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from yingxiao.marketing.services.campaigns import (
    attendance_record,
    campaign_create,
    campaign_execute,
    campaign_invite,
    campaign_prepare,
    campaign_summarise,
    lead_record,
    media_upload,
    task_add,
    task_done,
)
from yingxiao.marketing.services.intel import competitor_entry_record
from yingxiao.marketing.services.media import media_item_add, media_item_complete, media_plan_create, roadshow_record

from .story import Story

ROADSHOW_PLACES = ["青州农机市场", "东营石油装备城", "潍坊水利工程现场会", "济南建材市场", "临沂农资大集", "淄博工业园"]
COMPETITORS = [("恒力重工", "HL-300 水井钻机", 172_000), ("远东机械", "YD-400 履带钻机", 255_000)]
EXHIBITIONS = [
    ("中国国际石油石化技术装备展览会（北京）", 3, 68_000),
    ("全国农业机械及零部件展览会", 6, 42_000),
    ("地源热泵行业年会（郑州）", 9, 25_000),
    ("山东国际水利装备展", 11, 30_000),
]


def _png(seed: int) -> bytes:
    """A tiny valid PNG (one coloured pixel) standing in for an event photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    pixel = bytes([0, seed % 256, (seed * 7) % 256, (seed * 13) % 256])
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b"")


def photo(name: str, seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png(seed), content_type="image/png")


def _campaigns(story: Story) -> None:
    rng = story.rng("marketing:campaigns")
    market, director = story.users["market"], story.users["director"]
    show = story.day(40)
    planned = story.day(70)
    with story.at(planned, 10):
        campaign = campaign_create(
            actor=market,
            theme=f"{show.year} 秋季新品钻机现场演示会",
            audience="山东、河北打井施工队及地勘单位老客户",
            content="SJ-400 履带钻机现场打井演示、技术讲座、订货优惠",
            place="青州总厂演示场",
            starts_on=show,
            ends_on=show,
            budget="60000",
        )
        tasks = [
            task_add(
                actor=market,
                campaign=campaign,
                title=title,
                owner=story.users[owner],
                due_on=show - dt.timedelta(days=days),
            )
            for title, owner, days in (("印制邀请函和产品手册", "market", 20), ("场地布置与演示机调试", "web", 5))
        ]
    with story.at(story.later(planned, 7), 11):
        campaign_prepare(actor=market, campaign=campaign)
    invitees = [
        c for c in story.customers if c.stage in ("intent", "deal") and c.department and c.department.code == "domestic"
    ][:10]
    with story.at(story.later(planned, 10), 15):
        for customer in invitees:
            campaign_invite(actor=director, campaign=campaign, customer=customer, confirmed=rng.random() < 0.8)
            story.count("campaign_invitations")
        for task in tasks:
            task_done(actor=market, task=task)
    with story.at(show, 8, 30):
        campaign_execute(actor=market, campaign=campaign)
    with story.at(show, 17):
        for index, customer in enumerate(invitees):
            attendance_record(actor=market, campaign=campaign, customer=customer, attended=index % 4 != 3)
        for number in range(3):
            media_upload(actor=market, campaign=campaign, file=photo(f"show{number}.png", number), caption="现场演示")
        for customer in invitees[:3]:
            lead_record(actor=director, campaign=campaign, customer=customer, kind="linked", sales_amount="0")
            story.count("campaign_leads")
    with story.at(story.later(show, 5), 16):
        campaign_summarise(
            actor=market,
            campaign=campaign,
            participants=46,
            exposure=3200,
            spend="52800",
            feedback="演示效果好，客户对履带底盘和钻进速度认可度高；现场签订意向 3 份",
        )
    story.count("campaigns")
    # The next one, still a plan.
    coming = story.anchor + dt.timedelta(days=25)
    with story.at(story.clock.last_day, 10):
        campaign_create(
            actor=market,
            theme="年终老客户答谢会暨新年订货会",
            audience="成交客户及重点意向客户",
            content="年度回顾、新年订货政策发布、抽奖",
            place="青州宾馆会议中心",
            starts_on=coming,
            ends_on=coming,
            budget="80000",
        )
    story.count("campaigns")


def _media_and_roadshows(story: Story) -> None:
    rng = story.rng("marketing:media")
    market, web = story.users["market"], story.users["web"]
    year = story.anchor.year
    start = min(story.clock.open_day(dt.date(year, 1, 8), not_before=dt.date(year, 1, 1)), story.clock.last_day)
    with story.at(start, 10):
        plan = media_plan_create(
            actor=market, year=year, kind="exhibition", title=f"{year} 年度展会计划", budget="180000"
        )
        items = [
            (
                media_item_add(
                    actor=market, plan=plan, name=name, planned_on=dt.date(year, month, 15), planned_cost=str(cost)
                ),
                month,
                cost,
            )
            for name, month, cost in EXHIBITIONS
        ]
    for item, month, cost in items:
        day = dt.date(year, month, 18)
        if day >= story.clock.last_day:
            continue
        with story.at(day, 17):
            media_item_complete(
                actor=market, item=item, actual_cost=str(int(cost * rng.uniform(0.85, 1.1))), completed_on=day
            )
    story.count("media_plans")
    # MKT-3: roadshows with photos, four last month and some this month.
    this_month = story.anchor.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    days = [last_month + dt.timedelta(days=d) for d in (3, 10, 17, 24)]
    days += [d for d in (this_month + dt.timedelta(days=2), this_month + dt.timedelta(days=9)) if d < story.anchor]
    for index, day in enumerate(days):
        day = story.clock.open_day(day, not_before=day - dt.timedelta(days=3))
        actor = market if index % 2 == 0 else web
        with story.at(day, 18):
            roadshow_record(
                actor=actor,
                held_on=day,
                place=ROADSHOW_PLACES[index % len(ROADSHOW_PLACES)],
                note="展出 SJ-200、泥浆泵，发放资料约 200 份",
                photos=[photo(f"roadshow{index}.png", index + 10)],
            )
        story.count("roadshows")
    # MKT-4: competitor prices collected monthly.
    for back in (2, 1, 0):
        month = (this_month - dt.timedelta(days=28 * back)).replace(day=1)
        day = min(story.clock.open_day(month + dt.timedelta(days=12), not_before=month), story.clock.last_day)
        for name, product, price in COMPETITORS:
            with story.at(day, 15):
                competitor_entry_record(
                    actor=market,
                    month=month,
                    competitor=name,
                    product=product,
                    price=str(int(price * rng.uniform(0.95, 1.05))),
                    news="本月推出以旧换新活动" if back == 0 else "",
                    source="经销商反馈",
                )
            story.count("competitor_entries")


def build_marketing(story: Story) -> None:
    _campaigns(story)
    _media_and_roadshows(story)
