"""Customer search: Chinese substrings (Traditional input folds to Simplified), phone digits,
pinyin initials (``hzhd`` → 杭州华东机械) and full pinyin (``hangzhou``).

Designed for index use on a million rows (PostgreSQL): terms of three or more characters are
``LIKE '%term%'`` on pg_trgm GIN-indexed columns; one- and two-character terms, which trigram
indexes cannot serve, match the GIN-indexed token array built from ``search_tokens``. SQLite, the
embedded default, uses plain LIKE for everything; both give the same rows.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import CharField, Func, Q, QuerySet, TextField

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


class _Unindexed(Func):
    """``(column || '')``: the same text, which no trigram index serves (see ``apply_search``)."""

    template = "(%(expressions)s || '')"
    output_field = CharField()


def apply_search(queryset: QuerySet[Any], raw: str, *, trigram_index: bool = True) -> QuerySet[Any]:
    """Narrow ``queryset`` (customers) to those matching the free-text term ``raw``.

    ``trigram_index=False`` (for a queryset already narrowed to a few thousand rows, e.g. one
    owner's customers) checks a Latin-letter term (pinyin, initials) on those rows instead of
    intersecting the trigram posting lists of the whole table, which are long for letter runs
    such as ``jia``/``ang``; digit and Chinese terms keep their selective trigram index.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if not text:
        return queryset
    on_postgres = connections[queryset.db].vendor == "postgresql"
    suffix = "_unindexed" if on_postgres and not trigram_index else ""

    def has(column: str, term: str) -> Q:
        return Q(**{f"{column}{suffix}__contains": term})

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
        if suffix:
            columns = ("name_initials", "name_pinyin", "name_normalized")
            queryset = queryset.alias(**{f"{name}{suffix}": _Unindexed(name) for name in columns})
        return queryset.filter(has("name_initials", term) | has("name_pinyin", term) | has("name_normalized", term))

    # Chinese (Traditional folds to Simplified, company suffixes drop as in the stored name).
    term = normalize_name(text) or re.sub(r"\s+", "", to_simplified(text))
    if not term:
        return queryset.none()
    if on_postgres and len(term) <= SHORT_TERM:
        return _short(queryset, term)
    return queryset.filter(name_normalized__contains=term)


# --- plan choice for a searched, ordered page (PostgreSQL) ---------------------------------
# A page is "the newest 25 matches". For a common term the planner's choice — walk the
# registration-date index and keep what matches — stops after a few thousand rows. For a rare
# term the same walk reads a large part of the table, while the search index finds every match
# directly and a top-N sort of them is cheap. Which one a term is comes from the token index's own
# statistics (pg_stats of ``cust_tokens_gin``, cached per process) for short terms, and from a
# capped count for longer ones.
RARE_FREQUENCY = 0.005  # a token in fewer than 0.5 % of customers: read its matches directly
_STATS_SECONDS = 600
_token_stats: dict[str, tuple[float, dict[str, float]]] = {}
_ROWS = " rows"  # not a token (tokens have no spaces): the table's estimated row count


def short_token(raw: str) -> str | None:
    """The token a one- or two-character term is looked up by (None: not a token search)."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if not text or (_PHONE_LIKE.fullmatch(text) and any(ch.isdigit() for ch in text)) or "@" in text:
        return None
    if _ASCII_WORD.fullmatch(text):
        term = _NON_WORD.sub("", text)
    else:
        term = normalize_name(text) or re.sub(r"\s+", "", to_simplified(text))
    return term if term and len(term) <= SHORT_TERM else None


def _token_frequencies(using: str) -> dict[str, float]:
    cached = _token_stats.get(using)
    if cached is not None and time.monotonic() - cached[0] < _STATS_SECONDS:
        return cached[1]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, "
            "(SELECT reltuples FROM pg_class WHERE relname = 'customers_customer') "
            "FROM (SELECT 1) one LEFT JOIN pg_stats s ON s.tablename = 'cust_tokens_gin' LIMIT 1"
        )
        row = cursor.fetchone()
    frequencies = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    frequencies[_ROWS] = float(row[2] or 0) if row else 0.0
    _token_stats[using] = (time.monotonic(), frequencies)
    return frequencies


def table_rows(queryset: QuerySet[Any]) -> float:
    """The customers table's row count per the planner's statistics (PostgreSQL)."""
    return _token_frequencies(queryset.db).get(_ROWS, 0.0)


def token_frequency(queryset: QuerySet[Any], raw: str) -> float | None:
    """Share of customers holding the term's token per the index statistics (None: not a token term)."""
    token = short_token(raw)
    if token is None or connections[queryset.db].vendor != "postgresql":
        return None
    return _token_frequencies(queryset.db).get(token, 0.0)


def matches_first(queryset: QuerySet[Any], ordering: tuple[str, ...]) -> QuerySet[Any]:
    """The same rows and order, written so the planner finds the matches by the search index and
    sorts them (an ORDER BY expression no b-tree index serves), instead of walking the date index."""
    from django.db.models import ExpressionWrapper, F, Value

    exprs = []
    for name in ordering:
        desc = name.startswith("-")
        field = name.lstrip("-")
        if field in ("registered_at", "last_served_at"):
            expr = ExpressionWrapper(
                F(field) + Value(dt.timedelta(0)), output_field=queryset.model._meta.get_field(field)
            )
        else:
            expr = F(field)
        exprs.append(expr.desc() if desc else expr.asc())
    return queryset.order_by(*exprs)
