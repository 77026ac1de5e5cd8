"""Browser: the language switch (简体 / 繁體 / English) before and after login, and the director's
organisation chart with its vacant head post, read in all three languages.

Screenshots for docs/user-guide.md are written to docs/screenshots/ when YX_SCREENSHOTS=1.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login
from tests.browser.test_customer_flow import shot, switch_language, watch_csp
from tests.personas import build_personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_language_chosen_on_the_login_page_is_kept_after_login(page):
    build_personas()
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "用户名" in page.get_by_test_id("login-form").inner_text()

    switch_language(page, "zh-hant")
    assert "使用者名稱" in page.get_by_test_id("login-form").inner_text()
    assert page.get_by_test_id("lang-zh-hant").get_attribute("aria-pressed") == "true"

    login(page, "rep")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    assert "客戶" in page.get_by_test_id("main-nav").inner_text()

    switch_language(page, "en")
    page.goto("/customers/")  # the choice follows the user from page to page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Customers"


def test_org_director_sees_vacant_head_post_on_the_chart(page):
    build_personas()  # 国际部经理 (a head post) has nobody assigned in these personas
    csp_violations = watch_csp(page)
    login(page, "director")
    page.goto("/org/chart/")
    assert page.locator("h1").inner_text() == "组织架构图"

    international = page.locator(".org-node[data-department=international]").first
    vacant_post = international.locator("li.list-group-item").filter(has_text="国际部经理")
    assert "负责人" in vacant_post.inner_text()  # the head badge
    assert vacant_post.locator(".badge", has_text="暂缺").is_visible()
    # Filled posts show their people, not the badge.
    domestic = page.locator(".org-node[data-department=domestic]").first
    head_post = domestic.locator("li.list-group-item").filter(has_text="国内部经理")
    assert "李经理" in head_post.inner_text() and "暂缺" not in head_post.inner_text()
    shot(page, "org-chart")

    switch_language(page, "zh-hant")
    assert vacant_post.locator(".badge", has_text="暫缺").is_visible()
    assert page.locator("h1").inner_text() == "組織架構圖"
    switch_language(page, "en")
    assert vacant_post.locator(".badge", has_text="Vacant").is_visible()
    assert csp_violations == []
