"""Small helpers for the hand-written PostgreSQL statements of bulk writes (``INSERT … SELECT … FROM unnest``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_SEPARATOR = "\x00"  # no PostgreSQL text holds it


def array_literal(values: Sequence[Any], kind: str = "text") -> str:
    """``values`` as the text of a PostgreSQL array (None: NULL), for an ``%s::kind[]`` parameter.

    Django's psycopg cursor binds parameters client-side and quotes a list element by element in
    Python: at thousands of rows per statement that was most of a bulk write's Python time. This
    text is built by a few string operations over the whole list and quoted once. ``kind`` "text"
    quotes each element (backslash and double quote escaped); numbers (bigint, integer, numeric)
    are their own ``str``."""
    if not values:
        return "{}"
    if kind != "text":
        if None in values:
            return "{" + ",".join(["NULL" if v is None else str(v) for v in values]) + "}"
        return "{" + ",".join(map(str, values)) + "}"
    if any(v is None for v in values):
        return (
            "{"
            + ",".join(
                ["NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]
            )
            + "}"
        )
    # Escaping is per character, so the whole list is escaped at once around a separator.
    body = _SEPARATOR.join(map(str, values)).replace("\\", "\\\\").replace('"', '\\"')
    return '{"' + body.replace(_SEPARATOR, '","') + '"}'
