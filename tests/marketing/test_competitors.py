"""Competitor intelligence (MKT-4): monthly entries and the quarterly price analysis."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yingxiao.core.errors import BusinessError
from yingxiao.marketing import services
from yingxiao.marketing.models import CompetitorEntry

pytestmark = pytest.mark.django_db


def _entry(actor, month, price, competitor="竞争对手甲", product="X100", **kw):
    return services.competitor_entry_record(
        actor=actor, month=month, competitor=competitor, product=product, price=price, **kw
    )


def test_mkt_4_monthly_entries_give_a_quarterly_price_trend(mk):
    _entry(mk.mkt, "2026-07", "1000")
    _entry(mk.mkt, "2026-07", "1100")  # two sightings in a month: their average
    _entry(mk.mkt, "2026-09", "900", news="七月降价促销")
    _entry(mk.mkt, "2026-10", "500")  # next quarter
    _entry(mk.mkt, "2026-08", None, competitor="竞争对手乙", product="Y", news="新厂投产")
    analysis = services.quarterly_analysis(mk.mkt, services.parse_quarter("2026-Q3"))
    assert len(analysis.trends) == 1
    trend = analysis.trends[0]
    assert trend.prices == [Decimal("1050.00"), None, Decimal("900.00")]
    assert trend.change == Decimal("-14.3")
    assert {e.news for e in analysis.news} == {"七月降价促销", "新厂投产"}
    chart = analysis.chart()
    assert chart["months"] == ["2026-07", "2026-08", "2026-09"]
    assert chart["series"] == [{"name": "竞争对手甲 · X100", "data": [1050.0, None, 900.0]}]


def test_mkt_4_analysis_keeps_to_the_viewers_scope(mk):
    _entry(mk.mkt, "2026-07", "1000")
    _entry(mk.other_mkt, "2026-07", "5000", competitor="海外对手")
    quarter = services.parse_quarter("2026Q3")
    assert [t.competitor for t in services.quarterly_analysis(mk.mkt, quarter).trends] == ["竞争对手甲"]
    assert [t.competitor for t in services.quarterly_analysis(mk.head, quarter).trends] == ["竞争对手甲"]
    assert len(services.quarterly_analysis(mk.director, quarter).trends) == 2
    assert services.quarterly_analysis(mk.rep, quarter).trends == []  # no marketing permission


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"month": "2026-13", "price": "1"}, "marketing.bad_month"),
        ({"month": "七月", "price": "1"}, "marketing.bad_month"),
        ({"month": "2026-07", "price": "-1"}, "marketing.bad_amount"),
        ({"month": "2026-07", "price": None}, "marketing.text_required"),  # neither price nor news
    ],
)
def test_mkt_4_bad_entries_are_refused(mk, kwargs, code):
    with pytest.raises(BusinessError) as error:
        services.competitor_entry_record(actor=mk.mkt, competitor="甲", product="X", **kwargs)
    assert error.value.code == code
    assert not CompetitorEntry.objects.exists()


def test_mkt_4_voided_entries_leave_the_analysis(mk):
    entry = _entry(mk.mkt, "2026-07", "1000")
    services.competitor_entry_void(actor=mk.mkt, entry=entry, reason="录错")
    assert services.quarterly_analysis(mk.mkt, services.parse_quarter("2026-Q3")).trends == []
    with pytest.raises(BusinessError) as error:
        services.parse_quarter("2026-Q5")
    assert error.value.code == "marketing.bad_quarter"
