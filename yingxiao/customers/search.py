"""Customer search: Chinese substrings (Traditional input folds to Simplified), phone digits,
pinyin initials (``hzhd`` → 杭州华东机械) and full pinyin (``hangzhou``).

Designed for index use on a million rows (PostgreSQL): terms of three or more characters are
``LIKE '%term%'`` on pg_trgm GIN-indexed columns; one- and two-character terms, which trigram
indexes cannot serve, match the GIN-indexed token array built from ``search_tokens``. SQLite, the
embedded default, uses plain LIKE for everything; both give the same rows.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import Func, Q, QuerySet, TextField

from .normalize import normalize_name, normalize_phone, pinyin_forms, to_simplified

SHORT_TERM = 2  # terms up to this length go through the token index
_PHONE_LIKE = re.compile(r"[\d\s\-+()（）]+")
_ASCII_WORD = re.compile(r"[0-9a-z\s.\-_']+")
_NON_DIGITS = re.compile(r"\D")
_NON_WORD = re.compile(r"[^0-9a-z]")


def _grams(text: str) -> set[str]:
    return {text[i : i + n] for n in (1, 2) for i in range(len(text) - n + 1)}


def search_fields(name: str, phone: str) -> dict[str, str]:
    """The helper columns of a customer with this name and phone (shared contract, plus tokens).

    Bulk loaders (import, benchmarks) call this too, so every path fills the columns alike.
    """
    name_normalized = normalize_name(name)
    pinyin, initials = pinyin_forms(name)
    tokens = _grams(name_normalized) | _grams(initials) | _grams(pinyin)
    # Column widths (a 200-character name can have more than 600 letters of pinyin).
    return {
        "name_normalized": name_normalized[:200],
        "name_pinyin": pinyin[:600],
        "name_initials": initials[:200],
        "phone_normalized": normalize_phone(phone),
        "search_tokens": " ".join(sorted(tokens)),
    }


class _TokenArray(Func):
    """``string_to_array(search_tokens, ' ')`` — the expression the GIN token index is built on."""

    function = "string_to_array"
    template = "string_to_array(%(expressions)s, ' ')"
    output_field = ArrayField(TextField())


def _phone_term(text: str) -> str:
    """The digits to look for: a +86 / 0086 country code is dropped, as in stored numbers."""
    digits = _NON_DIGITS.sub("", text)
    if text.startswith("+86"):
        return digits[2:]
    if digits.startswith("0086"):
        return digits[4:]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits


def _short(queryset: QuerySet[Any], term: str) -> QuerySet[Any]:
    """Terms of one or two characters: exact membership in the GIN-indexed token array (PostgreSQL)."""
    return queryset.alias(search_tokens_array=_TokenArray("search_tokens")).filter(search_tokens_array__contains=[term])


def apply_search(queryset: QuerySet[Any], raw: str) -> QuerySet[Any]:
    """Narrow ``queryset`` (customers) to those matching the free-text term ``raw``."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if not text:
        return queryset
    on_postgres = connections[queryset.db].vendor == "postgresql"

    if _PHONE_LIKE.fullmatch(text) and any(ch.isdigit() for ch in text):
        digits = _phone_term(text)
        return queryset.filter(phone_normalized__contains=digits) if digits else queryset.none()

    if "@" in text:
        return queryset.filter(email__icontains=text)

    if _ASCII_WORD.fullmatch(text):
        # Latin letters: pinyin initials, full pinyin, or a Latin company name.
        term = _NON_WORD.sub("", text)
        if not term:
            return queryset.none()
        if on_postgres and len(term) <= SHORT_TERM:
            return _short(queryset, term)
        return queryset.filter(
            Q(name_initials__contains=term) | Q(name_pinyin__contains=term) | Q(name_normalized__contains=term)
        )

    # Chinese (Traditional folds to Simplified, company suffixes drop as in the stored name).
    term = normalize_name(text) or re.sub(r"\s+", "", to_simplified(text))
    if not term:
        return queryset.none()
    if on_postgres and len(term) <= SHORT_TERM:
        return _short(queryset, term)
    return queryset.filter(name_normalized__contains=term)
