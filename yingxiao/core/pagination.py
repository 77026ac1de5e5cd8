"""Pagination that stays fast at any depth on a million rows.

A full ``COUNT(*)`` over a large filtered table costs more than the page itself; we count at
most ``COUNT_CAP`` rows and say "10000+" beyond that, which is what a person reads anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """``(count, exact)``: the number of rows up to ``cap + 1``; ``exact`` is False past the cap."""
    n = queryset.order_by()[: cap + 1].count()
    return (min(n, cap), n <= cap)


class CappedPaginator(Paginator):
    """A Django paginator whose count stops at ``COUNT_CAP`` (pages past the cap still work)."""

    count_exact = True

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        n, self.count_exact = capped_count(self.object_list)
        return n

    def validate_number(self, number: Any) -> int:
        try:
            return super().validate_number(number)
        except Exception:
            if not self.count_exact:
                # Beyond the counted rows: let the page fetch tell whether it is empty.
                return int(number)
            raise

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.count_exact and bottom >= self.count:
            return self._get_page(list(self.object_list[bottom : bottom + self.per_page]), number, self)
        return super().page(number)


class FastPageNumberPagination(PageNumberPagination):
    """DRF page-number pagination on the capped paginator; ``count_exact`` tells whether count is a floor."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count_exact"] = {"type": "boolean"}
        return base
