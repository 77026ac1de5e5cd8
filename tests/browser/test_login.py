"""Browser: a person logs in and reaches the home page, in Chinese by default."""

import pytest

from tests.browser.conftest import login
from tests.personas import build_personas

pytestmark = pytest.mark.django_db(transaction=True)


def test_rep_logs_in_and_sees_the_chinese_home_page(page):
    build_personas()
    login(page, "rep")
    assert page.get_by_test_id("current-user").inner_text().strip() == "张三"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
