"""Normalisation for first-registration-wins (CUS-2) and for search.

Two registrations are the same customer when their normalised phone, name or e-mail match.
Normalising folds the ways people type the same thing: full-width digits and letters,
"+86", spaces and dashes in phones; Traditional characters, spacing and company suffixes
(有限公司, 有限責任公司, 股份有限公司 …) in names; case in e-mail addresses.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT, RE_HANS
from pypinyin.seg import mmseg

# Longest first, so 股份有限公司 is removed whole rather than leaving 股份.
COMPANY_SUFFIXES = sorted(
    {
        "股份有限公司",
        "有限责任公司",
        "集团有限公司",
        "集团股份有限公司",
        "有限公司",
        "股份公司",
        "集团公司",
        "责任公司",
        "公司",
        "集团",
        "厂",
        "co.,ltd.",
        "co.,ltd",
        "co.ltd",
        "co.,limited",
        "company limited",
        "limited",
        "ltd.",
        "ltd",
        "inc.",
        "inc",
        "corp.",
        "corp",
        "corporation",
        "llc",
        "gmbh",
    },
    key=len,
    reverse=True,
)
_NON_DIGITS = re.compile(r"\D")
_SPACES_AND_PUNCT = re.compile(r"[\s\u3000·•.,，。、'\"“”‘’()（）\[\]【】\-_/\\&＆]+")
# The suffixes as they look once spaces and punctuation are gone, longest first, as ONE pattern
# anchored at the end with at least one character before it: built once, not per name (the loop
# over every suffix was about a third of an import's CPU).
_BARE_SUFFIXES = sorted({_SPACES_AND_PUNCT.sub("", s) for s in COMPANY_SUFFIXES}, key=len, reverse=True)
_SUFFIX = re.compile(r"(?s)^(.+?)(?:" + "|".join(re.escape(s) for s in _BARE_SUFFIXES) + r")$")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified (opencc), after folding full-width forms to half-width."""
    return _t2s().convert(unicodedata.normalize("NFKC", text))


def normalize_phone(raw: str) -> str:
    """Digits only, without the +86 / 0086 country code: '+86 139-1234 5678' → '13912345678'.

    Returns '' when fewer than 5 digits remain (not a phone number worth matching).
    """
    digits = _NON_DIGITS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 5 else ""


def normalize_name(raw: str) -> str:
    """Simplified, lower-case, no spaces or punctuation, company suffix removed.

    '杭州華東機械 有限責任公司' and '杭州华东机械有限公司' both give '杭州华东机械'.
    """
    text = to_simplified(raw or "").lower().strip()
    compact = _SPACES_AND_PUNCT.sub("", text)
    match = _SUFFIX.match(compact)
    return match.group(1) if match else compact


def normalize_email(raw: str) -> str:
    """Lower-cased, trimmed, full-width folded; '' when it does not look like an address."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    return text if "@" in text and "." in text.rsplit("@", 1)[-1] else ""


# pypinyin's own test for "has pinyin", as one pattern that splits a text into its Chinese runs.
_HAN_RUNS = re.compile("(" + RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$") + "+)")
_NOT_KEPT = re.compile(r"[^0-9a-z]+")


def _keep_chars(chars: str) -> list[str]:
    return list(chars)


@lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[str, ...]:
    """pypinyin's syllables of one word of its own segmentation (杭州, 华东, 机械, 有限公司 …)."""
    return tuple(lazy_pinyin([word], errors=_keep_chars))


def _syllables(text: str) -> list[str]:
    """``lazy_pinyin(text, errors=_keep_chars)``, word by word with the words' syllables cached.

    pypinyin splits a text into runs of Chinese and of other characters, segments each Chinese run
    into words (``mmseg``) and converts every word on its own; other characters are kept one by one.
    The same steps here give the same syllables, but a word met before costs a lookup instead of a
    conversion (~0.2 ms a name: most of an import's CPU), and company names share their words.
    """
    syllables: list[str] = []
    for index, run in enumerate(_HAN_RUNS.split(text)):
        if index % 2 == 0:  # between Chinese runs (possibly empty)
            syllables.extend(run)
            continue
        for word in mmseg.seg.cut(run) if PHRASES_DICT else (run,):
            syllables.extend(_word_syllables(word))
    return syllables


def pinyin_forms(name: str) -> tuple[str, str]:
    """('hangzhouhuadongjixie', 'hzhdjx') for 杭州华东机械 — full pinyin and initials, for search.

    Non-Chinese characters are kept (lower-cased) in both forms so 'ABC机械' finds by 'abcjx'.
    The initials are the first letters of the same syllables: one pinyin conversion, not two
    (pinyin is most of an import's CPU).
    """
    syllables = _syllables(to_simplified(name or "").lower())
    full = _NOT_KEPT.sub("", "".join(syllables))
    short = _NOT_KEPT.sub("", "".join(s[0] for s in syllables if s))
    return full, short
