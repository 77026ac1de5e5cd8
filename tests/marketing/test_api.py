"""Marketing API: the standard checks per persona (ORG-5) and the lifecycle over HTTP (MKT-1…MKT-4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.api.base import ApiResourceChecks, Expect
from yingxiao.customers.relations.invitations import invitation_create
from yingxiao.marketing.models import Campaign, CompetitorEntry, MediaPlan

from .conftest import PLAN, customer_of, photo

ALL = Expect(sees=True, sees_other=True, creates=True, updates=True)


def _campaign(owner, department, **kw):
    data = {**PLAN, **kw}
    return Campaign.objects.create(owner=owner, department=department, **data)


class TestCampaignApi(ApiResourceChecks):
    """rule: MKT-1 — campaigns are scoped like every record (ORG-5): 国内部's head sees 国内部 only."""

    url = "/api/v1/campaigns/"
    model = Campaign
    expect = {
        "director": ALL,
        "head": Expect(sees=True, creates=True, updates=True),
        "rep": Expect(),  # a sales rep has no marketing permission
        "teammate": Expect(),
        "other_rep": Expect(),
        "finance": Expect(sees=True, sees_other=True),  # finance reads money
        "admin": Expect(),
        "resource_director": Expect(),
    }
    bad_create = {
        "dates_in_wrong_order": {**{k: str(v) for k, v in PLAN.items()}, "ends_on": "2026-12-01"},
        "negative_budget": {**{k: str(v) for k, v in PLAN.items()}, "budget": "-1.00"},
        "missing_theme": {k: str(v) for k, v in PLAN.items() if k != "theme"},
        "malformed_json": '{"theme": ',
    }
    bad_update = {
        "negative_budget": {"budget": "-5"},
        "start_after_end": {"starts_on": "2027-01-01"},
    }

    def in_scope(self, p):
        return _campaign(p.rep, p.domestic)

    def out_of_scope(self, p):
        return _campaign(p.other_rep, p.international, theme="海外展会")

    def create_payload(self, p):
        return {k: str(v) for k, v in PLAN.items()}

    def update_payload(self, p, obj):
        return {"budget": "30000.00"}


@pytest.mark.django_db
def test_mkt_1_lifecycle_over_the_api_with_cus_8_refusal(mk, api_client):
    api_client.force_authenticate(mk.mkt)
    created = api_client.post("/api/v1/campaigns/", {k: str(v) for k, v in PLAN.items()}, format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/v1/campaigns/{created.json()['id']}/"
    early = api_client.post(url + "summarise/", {"participants": 1, "feedback": "x", "exposure": 1, "spend": "1"})
    assert early.status_code == 409 and early.json()["code"] == "marketing.bad_transition"
    assert api_client.post(url + "prepare/").status_code == 200
    taken = customer_of(mk.mkt, mk.domestic)
    invitation_create(
        actor=mk.director, customer=taken, event_name=PLAN["theme"], event_date=PLAN["starts_on"], confirmed=True
    )
    refused = api_client.post(url + "invite/", {"customer": taken.pk}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "customers.invitation_taken"
    free = customer_of(mk.mkt, mk.domestic)
    assert api_client.post(url + "invite/", {"customer": free.pk, "confirmed": True}, format="json").status_code == 200
    assert api_client.post(url + "execute/").status_code == 200
    assert (
        api_client.post(url + "attendance/", {"customer": free.pk, "attended": True}, format="json").status_code == 200
    )
    media = api_client.post(url + "media/", {"file": photo(), "caption": "现场"}, format="multipart")
    assert media.status_code == 200, media.json()
    lead = api_client.post(
        url + "leads/", {"customer": free.pk, "kind": "linked", "sales_amount": "5000"}, format="json"
    )
    assert lead.status_code == 200
    done = api_client.post(
        url + "summarise/", {"participants": 30, "feedback": "好", "exposure": 800, "spend": "2000"}, format="json"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "summary" and body["roi"] == "2.50" and body["attributable_sales"] == "5000.00"
    assert [i["attended"] for i in body["invitations"]] == [True]
    assert len(body["media"]) == 1


@pytest.mark.django_db
def test_mkt_1_other_departments_campaign_is_404_over_the_api(mk, api_client):
    campaign = _campaign(mk.mkt, mk.domestic)
    api_client.force_authenticate(mk.other_mkt)
    assert api_client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
    response = api_client.post(f"/api/v1/campaigns/{campaign.pk}/prepare/")
    assert response.status_code == 404
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PLAN


@pytest.mark.django_db
def test_mkt_2_media_plan_api_reports_overspend(mk, api_client):
    api_client.force_authenticate(mk.mkt)
    created = api_client.post(
        "/api/v1/media-plans/", {"year": 2026, "kind": "web", "title": "网络推广", "budget": "1000"}, format="json"
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/media-plans/{created.json()['id']}/"
    item = api_client.post(
        url + "items/", {"name": "搜索广告", "planned_on": "2026-04-01", "planned_cost": "900"}, format="json"
    )
    item_id = item.json()["items"][0]["id"]
    body = api_client.post(url + "complete/", {"item": item_id, "actual_cost": "1200"}, format="json").json()
    assert body["overspent"] is True and body["spend"] == "1200.00" and body["completion"] == "100.0"
    negative = api_client.post(
        "/api/v1/media-plans/", {"year": 2026, "kind": "exhibition", "title": "展会", "budget": "-1"}, format="json"
    )
    assert negative.status_code == 400
    assert MediaPlan.objects.count() == 1
    api_client.force_authenticate(mk.other_mkt)
    assert api_client.get(url).status_code == 404


@pytest.mark.django_db
def test_mkt_3_and_mkt_4_roadshows_and_competitor_entries_over_the_api(mk, api_client):
    api_client.force_authenticate(mk.mkt)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    roadshow = api_client.post(
        "/api/v1/roadshows/", {"held_on": yesterday, "place": "万达广场", "photo": photo()}, format="multipart"
    )
    assert roadshow.status_code == 201, roadshow.json()
    assert roadshow.json()["photos"] == 1
    entry = api_client.post(
        "/api/v1/competitor-entries/",
        {"month": "2026-07", "competitor": "甲公司", "product": "X1", "price": "99.90"},
        format="json",
    )
    assert entry.status_code == 201, entry.json()
    assert CompetitorEntry.objects.get().price == Decimal("99.90")
    bad = api_client.post(
        "/api/v1/competitor-entries/", {"month": "2026-13", "competitor": "甲", "product": "X"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "marketing.bad_month"
    api_client.force_authenticate(mk.other_mkt)
    assert api_client.get(f"/api/v1/roadshows/{roadshow.json()['id']}/").status_code == 404
    assert api_client.get("/api/v1/competitor-entries/").json()["results"] == []
