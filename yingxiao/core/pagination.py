"""Pagination that stays fast at any depth on a million rows.

A full ``COUNT(*)`` over a large filtered table costs more than the page itself; we count at
most ``COUNT_CAP`` rows and say "10000+" beyond that, which is what a person reads anyway.

Whether there is a next page never depends on the count: each page fetches one row more than
it shows, so page 1000 of a million rows still links to page 1001, and no query ever counts
past the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageLink, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param

COUNT_CAP = 10_000
MAX_OFFSET = 2**62
# From this offset on, a page first finds its ids alone (an index-only scan over the ordering's
# index), then reads the full rows of just those ids: page 1000 reads 25 rows, not 25,000.
DEEP_OFFSET = 500


def slice_rows(object_list: QuerySet[Any] | Sequence[Any], start: int, stop: int) -> QuerySet[Any] | Sequence[Any]:
    """``object_list[start:stop]``; on an ordered queryset deep in the list, ids first (see DEEP_OFFSET)."""
    if (
        isinstance(object_list, QuerySet)
        and start >= DEEP_OFFSET
        and object_list.ordered
        and not object_list.query.distinct
        and object_list.query.combinator is None
    ):
        ids = object_list.values("pk")[start:stop]
        return object_list.filter(pk__in=Subquery(ids))[: stop - start]
    return object_list[start:stop]


def capped_count(object_list: QuerySet[Any] | Sequence[Any], cap: int | None = None) -> tuple[int, bool]:
    """``(count, exact)``: the number of rows up to ``cap``; ``exact`` is False when there are more.

    On a queryset this is ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``: the database stops reading
    after ``cap + 1`` rows, whatever the table's size.
    """
    cap = COUNT_CAP if cap is None else cap
    if isinstance(object_list, QuerySet):
        # Only the ids: the row's other columns and display joins are not counted.
        n = object_list.order_by().values("pk")[: cap + 1].count()
    else:
        n = len(object_list[: cap + 1])
    return (min(n, cap), n <= cap)


def count_display(count: int, exact: bool) -> str:
    """What a person reads: ``"1234"``, or ``"10000+"`` past the cap."""
    return str(count) if exact else f"{count}+"


class CappedPage(Page):
    """A page that knows whether a next page exists from the row it fetched beyond its end."""

    def __init__(self, object_list: Any, number: int, paginator: CappedPaginator, has_more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def next_page_number(self) -> int:
        if not self.has_more:
            raise EmptyPage(_("That page contains no results"))
        return self.number + 1

    def previous_page_number(self) -> int:
        if self.number <= 1:
            raise EmptyPage(_("That page number is less than 1"))
        return self.number - 1

    def start_index(self) -> int:
        if not self.object_list:
            return 0
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class CappedPaginator(Paginator):
    """A Django paginator whose count stops at ``cap`` and whose pages never need the count."""

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *args: Any,
        cap: int | None = None,
        known_count: tuple[int, bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.known_count = known_count  # (count, exact) the caller already knows: no count query

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        if self.known_count is not None:
            return self.known_count
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self._capped[0]

    @property
    def count_exact(self) -> bool:
        return self._capped[1]

    @property
    def count_display(self) -> str:
        return count_display(self.count, self.count_exact)

    def validate_number(self, number: Any) -> int:
        """A positive integer; whether the page has rows is for ``page`` to find out."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError, OverflowError) as exc:
            raise PageNotAnInteger(_("That page number is not an integer")) from exc
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        if (number - 1) * self.per_page >= MAX_OFFSET:  # no database takes an OFFSET this large
            raise EmptyPage(_("That page contains no results"))
        return number

    def page(self, number: Any) -> CappedPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(slice_rows(self.object_list, bottom, bottom + self.per_page + 1))
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class FastPageNumberPagination(PageNumberPagination):
    """DRF page-number pagination on the capped paginator; ``count_exact`` tells whether count is a floor."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        """As DRF's, with the view's ``count_cap`` and ``known_count`` (set by its filtering) if any,
        and without counting: whether there are other pages comes from the page itself."""
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = CappedPaginator(
            queryset, page_size, cap=getattr(view, "count_cap", None), known_count=getattr(view, "known_count", None)
        )
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(self.invalid_page_message.format(page_number=page_number, message=str(exc))) from exc
        self.display_page_controls = self.template is not None and (self.page.has_next() or self.page.has_previous())
        return list(self.page)

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

    def get_html_context(self) -> dict[str, Any]:
        """Browsable-API links that need no total: first, previous, current, next."""
        base_url = self.request.build_absolute_uri()  # type: ignore[union-attr]
        number = self.page.number
        links = []
        if number > 2:
            links.append(PageLink(remove_query_param(base_url, self.page_query_param), 1, False, False))
        if self.page.has_previous():
            links.append(PageLink(self.get_previous_link(), number - 1, False, False))
        links.append(PageLink(None, number, True, False))
        if self.page.has_next():
            links.append(PageLink(self.get_next_link(), number + 1, False, False))
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(), "page_links": links}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "False when count is a floor: there are more rows than the counted cap.",
        }
        base["required"] = [*base.get("required", []), "count_exact"]
        return base


def paginate(request: HttpRequest, queryset: QuerySet[Any] | Sequence[Any], per_page: int = 25) -> CappedPage:
    """The page a list view shows: ``?page=N`` of ``queryset``; 404 past the last page.

    The page carries what the template needs: ``page.paginator.count_display`` ("10000+"),
    ``page.next_query`` / ``page.previous_query`` (the current query string with ``page``
    replaced, so filters survive), and ``page.has_next()`` without a full count.
    Use it with ``{% include "web/_pagination.html" %}``.
    """
    paginator = CappedPaginator(queryset, per_page)
    raw = request.GET.get("page") or 1
    try:
        page = paginator.page(raw)
    except PageNotAnInteger:
        page = paginator.page(1)
    except InvalidPage as exc:
        raise Http404(str(exc)) from exc
    params = request.GET.copy()
    page.next_query = page.previous_query = ""  # type: ignore[attr-defined]
    if page.has_next():
        params["page"] = str(page.next_page_number())
        page.next_query = "?" + params.urlencode()  # type: ignore[attr-defined]
    if page.has_previous():
        params["page"] = str(page.previous_page_number())
        page.previous_query = "?" + params.urlencode()  # type: ignore[attr-defined]
    return page
