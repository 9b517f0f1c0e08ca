"""The API's list filters, strict: a query parameter the schema types as a boolean or a number that is not one is
refused (400, naming it), where django-filter would drop it and answer the unfiltered list as if it had been
applied. ``FilterBackend`` is the project's filter backend; every FilterSet of ours derives ``StrictFilterSet``."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

BOOLEAN_SPELLINGS = {"true": True, "1": True, "false": False, "0": False}


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``, any case); anything else is an error, not "no filter"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        try:
            return BOOLEAN_SPELLINGS[str(value).strip().lower()]
        except KeyError:
            raise ValidationError(_("Give true or false."), code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class StrictFilterSet(django_filters.rest_framework.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.NullBooleanField: {"filter_class": StrictBooleanFilter},
    }

    def get_form_class(self):
        """django-filter makes a new form class, and a form field per filter, on every request; they depend only on
        the FilterSet's class and the language (a filter's label is written in it), so the class is made once per
        language (each form still gets copies of its fields, as every Django form does). A filter whose choices are
        computed from the request (a callable ``queryset``) keeps the per-request class."""
        by_language = type(self).__dict__.get("_form_classes")
        if by_language is None:
            by_language = type(self)._form_classes = {}
        language = translation.get_language()
        made = by_language.get(language)
        if made is None:
            made = super().get_form_class()
            if not any(callable(getattr(each, "queryset", None)) for each in self.filters.values()):
                by_language[language] = made
        return made


class FilterBackend(DjangoFilterBackend):
    """The project's filter backend: FilterSets derive ``StrictFilterSet``. A view's ``filterset_fields`` make one
    FilterSet class per view class and model, where django-filter makes a new one on every request (and with it
    the form class ``StrictFilterSet`` keeps)."""

    filterset_base = StrictFilterSet
    _made: dict = {}

    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model)
        made = self._made.get(key)
        if made is None:
            made = FilterBackend._made[key] = super().get_filterset_class(view, queryset)
        return made
