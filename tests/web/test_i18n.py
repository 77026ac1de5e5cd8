"""Languages: Simplified Chinese by default, Traditional Chinese and English on request (one switch)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# What the navigation and the home page say in each language.
NAV = {
    "zh-hans": ["工作台", "组织架构", "退出登录", "联系记录"],
    "zh-hant": ["工作臺", "組織架構", "登出", "聯絡記錄"],
    "en": ["Home", "Organisation", "Log out", "Activities"],
}


def test_simplified_chinese_is_the_default(client, personas):
    client.force_login(personas.rep)
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    for word in NAV["zh-hans"]:
        assert word in html


@pytest.mark.parametrize("language", ["zh-hant", "en", "zh-hans"])
def test_the_language_switch_changes_the_navigation(client, personas, language):
    client.force_login(personas.rep)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/org/chart/"})
    assert response.status_code == 302 and response["Location"] == "/org/chart/"
    html = client.get("/").content.decode()
    assert f'<html lang="{language}">' in html
    for word in NAV[language]:
        assert word in html, (language, word)


def test_the_login_page_can_switch_language_before_logging_in(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get("/login/").content.decode()
    assert "Username" in html and "Password" in html
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/login/"})
    assert "使用者名稱" in client.get("/login/").content.decode()


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("zh-TW", "zh-hant"), ("zh-HK,zh;q=0.8", "zh-hant"), ("zh-CN", "zh-hans"), ("en-US", "zh-hans")],
)
def test_pages_follow_the_browser_only_between_chinese_variants(client, accept, lang):
    """An English-language browser still gets the Chinese UI until the person switches."""
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert f'<html lang="{lang}">' in html


def test_the_switch_beats_the_browser_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Username" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "用户名" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()


def test_the_switch_offers_the_three_languages(client, personas):
    client.force_login(personas.rep)
    html = client.get("/").content.decode()
    for code in ("zh-hans", "zh-hant", "en"):
        assert f'data-testid="lang-{code}"' in html


def test_traditional_chinese_catalogs_and_compiled_files_are_up_to_date():
    """Someone edited a zh_Hans .po without running `make messages` if this fails."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_s2twp_uses_taiwan_phrasing():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import i18n
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert i18n.to_traditional("数据范围") == "資料範圍"
    assert i18n.to_traditional("您没有执行此操作的权限。") == "您沒有執行此操作的權限。"
    assert i18n.to_traditional("第 %(start)s 条") == "第 %(start)s 條"
