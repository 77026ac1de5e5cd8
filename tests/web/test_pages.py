"""Login, the home page per role, and the error pages (in Chinese, phone-width friendly)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_is_chinese_and_fits_a_phone(client):
    html = client.get("/login/").content.decode()
    assert "营销中心管理系统" in html and "用户名" in html and "密码" in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


def test_logging_in_with_the_right_password_opens_the_home_page(client, personas):
    personas.rep.set_password("yingxiao123")
    personas.rep.save()
    response = client.post("/login/", {"username": "rep", "password": "yingxiao123"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "您好，张三" in html
    assert "国内部 · 销售代表" in html


def test_a_wrong_password_shows_a_chinese_error(client, personas):
    response = client.post("/login/", {"username": "rep", "password": "wrong"})
    assert response.status_code == 200
    assert 'data-testid="login-error"' in response.content.decode()
    assert "用户名" in response.content.decode()


def test_logging_out_returns_to_the_login_page(client, personas):
    client.force_login(personas.rep)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("rep", ["客户", "联系记录", "组织架构", "您可以查看本人负责的记录。"], []),
        ("head", ["客户", "您可以查看本部门及下级部门的记录。"], []),
        ("director", ["客户", "您可以查看全公司的记录。"], []),
        ("finance", ["客户", "组织架构"], ["联系记录"]),
        ("admin", ["组织架构", "API 文档"], ["新建客户"]),
    ],
)
def test_home_page_offers_each_role_its_own_work(client, personas, persona, shown, hidden):
    client.force_login(getattr(personas, persona))
    response = client.get("/")
    assert response.status_code == 200
    cards = response.content.decode().split('id="main"', 1)[-1]
    for text in shown:
        assert text in cards, (persona, text)
    for text in hidden:
        assert text not in cards, (persona, text)


def test_home_page_links_all_work(client, personas):
    """No placeholder links: every card and shortcut on the home page opens a page."""
    import re

    for persona in ("rep", "head", "director", "finance", "admin"):
        client.force_login(getattr(personas, persona))
        html = client.get("/").content.decode()
        main = html.split('id="main"', 1)[1]
        for url in set(re.findall(r'href="(/[^"]*)"', main)):
            assert client.get(url).status_code == 200, (persona, url)


def test_an_employee_without_a_position_gets_a_helpful_home_page(client):
    client.force_login(UserFactory(username="newcomer"))
    html = client.get("/").content.decode()
    assert "您还没有岗位" in html


def test_404_page_is_chinese_and_in_the_layout(client, personas):
    client.force_login(personas.rep)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "返回工作台" in html
    assert 'data-testid="main-nav"' in html


def _boom(request):
    raise RuntimeError("boom")


def _denied(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


urlpatterns = [path("boom/", _boom), path("denied/", _denied), path("", include("config.urls"))]


@override_settings(ROOT_URLCONF=__name__)
def test_403_page_is_chinese(client, personas):
    client.force_login(personas.rep)
    response = client.get("/denied/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_is_chinese_and_needs_no_context(personas):
    client = Client(raise_request_exception=False)
    client.force_login(personas.rep)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错了" in html and 'lang="zh-hans"' in html


def test_a_csrf_failure_explains_itself_in_chinese(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.rep)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
