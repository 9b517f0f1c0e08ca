"""The API's list filters, strict: a query parameter the schema types as a boolean or a number that is not one is
refused (400, naming it), where django-filter would drop it and answer the unfiltered list as if it had been
applied. ``FilterBackend`` is the project's filter backend; every FilterSet of ours derives ``StrictFilterSet``."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
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


class FilterBackend(DjangoFilterBackend):
    filterset_base = StrictFilterSet
