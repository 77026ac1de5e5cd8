"""Language choice: Simplified Chinese unless the person picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language. For the web pages we follow it only
between Chinese variants (a zh-TW or zh-HK browser gets 繁體中文): many staff run an English-language
browser and still expect the Chinese UI. The language switch (a cookie) always wins, and the API
answers in whatever language the request asks for.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, with zh-hans for web pages whose browser asks for a non-Chinese language."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if request.path.startswith("/api/") or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        if not translation.get_language().startswith("zh"):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
