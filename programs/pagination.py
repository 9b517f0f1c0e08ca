"""A paginator whose count does not scan the whole set: the API's lists (``programs.rest.Pagination``) and the
admin's changelists (``RoleScopedAdmin``) count at most ``API_COUNT_CAP + 1`` rows."""

from django.conf import settings
from django.core.paginator import EmptyPage, Page
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property


class CappedPage(Page):
    """A page past a capped count: whether another page follows is known from the one extra row fetched."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more


class CappedPaginator(DjangoPaginator):
    """Django's paginator with a count that does not scan the whole set: at most ``cap + 1`` rows are counted
    (a COUNT over a LIMITed subquery). Up to the cap the count is exact; past it ``count`` is the cap,
    ``capped`` is true, and pages are still served by number: a page is fetched with one row more than it
    holds, which says whether a next page exists; a page with no rows (past the first) is an EmptyPage."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap: int | None = None):
        # Positional as Django's own: the admin's ``get_paginator`` passes them so.
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = settings.API_COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query") and hasattr(rows, "order_by"):
            if not rows.query.distinct_fields:  # DISTINCT ON needs its ordering; anything else counts unordered
                rows = rows.order_by()
            return rows[: self.cap + 1].count()
        return len(rows)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self):
        return min(self._counted, self.cap)

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)  # raises PageNotAnInteger
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number  # past the cap: whether the page has rows is known only when it is fetched

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        # Kept for the admin's page line (templates/admin/pagination.html), which gets the paginator, not the page.
        self.current = CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)
        return self.current
