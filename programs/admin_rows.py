"""The rows of an admin changelist, written exactly as Django's ``items_for_result`` writes them, with what is the
same on every row worked out once per list instead of once per cell (issue 16).

Django re-derives every column on every row: the field lookup, the empty-value text, the CSS classes, the
change link through ``reverse()`` and the preserved filters, a ``format_html`` per cell, and a boolean's icon
through the static files storage. On a page of 100 rows that was the largest part of a changelist's time outside
SQL. Here a ``_Column`` holds what does not depend on the row; a row only reads its values and formats them.
The output is Django's, character for character: ``tests/programs/test_admin_rows.py`` renders every registered
list both ways and compares. Lists this does not cover (editable lists with their forms, popups, a ``to_field``)
are written by Django's own ``results()``.
"""

import datetime
import html

from django.contrib.admin.templatetags.admin_list import ResultList, _coerce_field_name, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString


def _written(markup: str) -> SafeString:
    """Markup this module wrote from escaped text (``_escaped``) and Django's own field names only."""
    return SafeString(markup)


def _escaped(shown) -> str:
    """``conditional_escape``, without its check for lazy arguments on every cell (the same text)."""
    if hasattr(shown, "__html__"):
        return shown.__html__()
    return html.escape(str(shown))


def _class_attribute(classes: list[str]):
    return _written(' class="{}"'.format(" ".join(classes)))


# A stand-in for the primary key in the change link, reversed once per list (letters only: no URL quoting).
PK_MARK = "pkmarkforadminrows"


class _Column:
    """One ``list_display`` entry: how its value is found, how it is displayed, its classes and its link."""

    def __init__(self, cl, field_name, index: int, first: bool):
        self.name = field_name
        self.model_admin = cl.model_admin
        self.empty = cl.model_admin.get_empty_value_display()
        self.link = _link_in_col(first, field_name, cl)
        self.field = None
        self.attr = None  # the admin's method or the callable, when the same for every row
        self.kind = "lookup"  # anything else: Django's ``lookup_field`` on each row
        try:
            self.field = _get_non_gfk_field(cl.lookup_opts, field_name)
            self.kind = "field"
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(field_name):
                self.kind, self.attr = "callable", field_name
            elif hasattr(cl.model_admin, field_name) and field_name != "__str__":
                self.kind, self.attr = "callable", getattr(cl.model_admin, field_name)
        classes = [f"field-{_coerce_field_name(field_name, index)}"]
        self.base_class = _class_attribute(classes)
        # A value that is not a model field's (the row checkbox has a class of its own).
        value_classes = ["action-checkbox"] if field_name == "action_checkbox" else classes
        self.value_class = _class_attribute(value_classes)
        self.value_class_nowrap = _class_attribute([*value_classes, "nowrap"])
        field = self.field
        if field is not None and not field.auto_created:
            if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
                classes = [*classes, "nowrap"]
            self.field_class = _class_attribute(classes)
            self.many_to_one = isinstance(field.remote_field, models.ManyToOneRel)
            # A boolean's icon and a choice's label depend on the value alone: worked out once per value.
            self.memo = {} if (field.flatchoices or isinstance(field, models.BooleanField)) else None
        self.values_memo: dict = {}

    def cell(self, result) -> tuple[str, str]:
        """The cell's text (escaped) and its class attribute, as ``items_for_result`` makes them."""
        empty = self.empty
        try:
            if self.kind == "field":
                field, attr, value = self.field, None, getattr(result, self.name)
            elif self.kind == "callable":
                field, attr, value = None, self.attr, self.attr(result)
            else:
                field, attr, value = lookup_field(self.name, result, self.model_admin)
        except ObjectDoesNotExist:
            return _escaped(empty), self.base_class
        empty = getattr(attr, "empty_value_display", empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if field is None or field.auto_created:
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            if boolean and (value is None or isinstance(value, bool)):
                key = (type(value), value, empty)
                if key not in self.values_memo:
                    self.values_memo[key] = _escaped(display_for_value(value, empty, boolean))
                text = self.values_memo[key]
            else:
                text = _escaped(display_for_value(value, empty, boolean))
            if isinstance(value, (datetime.date, datetime.time)):
                return text, self.value_class_nowrap
            return text, self.value_class
        if self.many_to_one:
            related = getattr(result, field.name)
            return _escaped(empty if related is None else related), self.field_class

        def shown() -> str:
            return _escaped(display_for_field(value, field, empty, avoid_link=self.link))

        if self.memo is None:
            return shown(), self.field_class
        key = (type(value), value)  # True and 1 are one key of a dict, but an icon's alt text differs
        try:
            if key not in self.memo:
                self.memo[key] = shown()
            return self.memo[key], self.field_class
        except TypeError:  # a value that cannot be a key (a list of choices): displayed each time
            return shown(), self.field_class


def _link_in_col(is_first: bool, field_name, cl) -> bool:
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return field_name in cl.list_display_links


def _change_link(cl):
    """The change link of a row (``None``: the text without a link, as Django writes it when the change view does
    not reverse). With Django's own ``url_for_result`` and an integer key, reversed and given the preserved
    filters once per list; otherwise as Django makes it, row by row."""
    preserved = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}

    def link_of_row(result) -> str | None:
        try:
            return escape(add_preserved_filters(preserved, cl.url_for_result(result)))
        except NoReverseMatch:
            return None

    if getattr(cl.url_for_result, "__func__", None) is not ChangeList.url_for_result:
        return link_of_row  # a ChangeList of the admin's own, which may link elsewhere
    try:
        url = reverse(
            f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
            args=(PK_MARK,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return lambda result: None
    head, _mark, tail = escape(add_preserved_filters(preserved, url)).partition(PK_MARK)
    key = cl.pk_attname

    def link(result) -> str | None:
        pk = getattr(result, key)
        if type(pk) is int:
            return head + str(pk) + tail
        return link_of_row(result)  # a key that may need quoting

    return link


def result_rows(cl):
    """The changelist's rows as ``results(cl)`` yields them: a list of safe cells per row."""
    if cl.formset or cl.is_popup or cl.to_field:
        yield from results(cl)
        return
    columns, first = [], True
    for index, field_name in enumerate(cl.list_display):
        column = _Column(cl, field_name, index, first)
        if column.link:
            column.tag = "th" if first else "td"
            first = False
        columns.append(column)
    link = _change_link(cl) if any(column.link for column in columns) else (lambda result: None)
    for result in cl.result_list:
        cells = []
        for column in columns:
            text, class_attribute = column.cell(result)
            if column.link:
                url = link(result)
                if url is not None:
                    text = f'<a href="{url}">{text}</a>'
                cells.append(_written(f"<{column.tag}{class_attribute}>{text}</{column.tag}>"))
            else:
                cells.append(_written(f"<td{class_attribute}>{text}</td>"))
        yield ResultList(None, cells)
