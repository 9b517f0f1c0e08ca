"""The REST platform every app's API stands on: one error format, pagination, permissions by role."""

import copy
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, permissions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .audit import TransitionError
from .dberrors import is_unique_violation
from .models import Region
from .pagination import CappedPaginator
from .selectors import prefetched_as, scope


@extend_schema_field({"oneOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0}]})
class OptionalEmailField(serializers.EmailField):
    """An email address that may be left empty: the schema says so (an empty string is not ``format: email``,
    and a client generated from the schema would reject the answer otherwise)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class ModelSerializer(serializers.ModelSerializer):
    """REST framework's ModelSerializer, with its fields built from the model once per class and language.

    DRF builds a ModelSerializer's fields from the model's metadata on every instance, that is on every request:
    about 1 ms for twenty fields, more with nested serializers. They depend only on the class (its ``Meta``,
    its declared fields, ``build_*``) and on the language active while they are built: DRF labels a field only
    where its verbose name differs from its name in that language, and writes a unique field's "already exists"
    message as a plain string. So they are built once per class and language, and each instance gets a deep copy,
    the way DRF already copies declared fields. What depends on the request belongs in ``get_fields`` of a
    subclass, which runs on each instance's copy (``inspections.api.requests``), or in ``__init__``. Every model
    serializer of the project derives this one (``tests/programs/test_rest_serializers.py``)."""

    def get_fields(self):
        by_language = type(self).__dict__.get("_fields_built")
        if by_language is None:  # per class, not inherited: a subclass builds its own
            by_language = type(self)._fields_built = {}
        language = translation.get_language()
        built = by_language.get(language)
        if built is None:
            built = by_language[language] = super().get_fields()
        return copy.deepcopy(built)

    @cached_property
    def _readable_fields(self):
        # DRF picks the readable fields out of ``fields`` again for every row it writes; they are the same each time.
        return [field for field in self.fields.values() if not field.write_only]


class RefuseUnknownFields:
    """A serializer mixin: a body naming a field the serializer does not have is refused by name, instead of the
    name being dropped without a word (a typo, a field from another version of the client, a body that is not
    an object of fields at all). Read-only fields sent back as they were read are ignored, as DRF does."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
        return super().to_internal_value(data)


class Pagination(PageNumberPagination):
    """Page-number pagination with a capped count (``API_COUNT_CAP``, 10,000 by default): ``count`` is exact up
    to the cap; past it ``count`` is the cap and ``count_capped`` is true, and ``next``/``previous`` and pages
    asked for by number work as before."""

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        cap = settings.API_COUNT_CAP
        answer["required"] = ["count", "count_capped", "results"]
        properties = answer["properties"]
        properties["count"] = {
            **properties["count"],
            "minimum": 0,
            "description": f"Exact up to {cap:,}; when count_capped is true, at least this many (the rows are not "
            "all counted). Follow `next` to page on.",
        }
        answer["properties"] = {
            "count": properties["count"],
            "count_capped": {
                "type": "boolean",
                "description": f"True when there are more than {cap:,} rows: count is then {cap:,}, a lower bound.",
            },
            **{name: value for name, value in properties.items() if name != "count"},
        }
        return answer

    def paginate_queryset(self, queryset, request, view=None):
        """A ``page`` that is not a whole number from 1 up is refused, naming it (DRF reads an empty one as the
        first page, and the caller would not know its parameter was not understood)."""
        values = request.query_params.getlist(self.page_query_param)
        if values and (len(values) > 1 or not values[0].isascii() or not values[0].isdigit() or int(values[0]) < 1):
            raise exceptions.ValidationError({self.page_query_param: [_("Give one whole number from 1 up.")]})
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        """A ``page_size`` that is not a whole number from 1 to ``max_page_size`` is refused (DRF would quietly
        fall back to the default, and the caller would think it got what it asked for)."""
        values = request.query_params.getlist(self.page_size_query_param)
        if values:
            if len(values) > 1 or not values[0].isascii() or not values[0].isdigit():
                raise exceptions.ValidationError({self.page_size_query_param: [_("Give one whole number.")]})
            if not 1 <= int(values[0]) <= self.max_page_size:
                raise exceptions.ValidationError(
                    {self.page_size_query_param: [_("Give a number from 1 to %d.") % self.max_page_size]}
                )
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


def error_body(*, status: int, code: str, message: str, fields: dict | None = None) -> dict:
    """The one shape of every 4xx answer: ``{"error": {"status", "code", "message", "fields"}}``."""
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}}


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.APIException:
    """A service's ValidationError as the API answers it, keeping the service's error code (``slot_full``,
    ``illegal_transition`` …) so that a client can act on it whatever the language of the message."""
    if hasattr(exc, "error_dict"):
        detail = {
            field: [exceptions.ErrorDetail(str(m), code=e.code or "invalid") for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
        answer = exceptions.ValidationError(detail)
        # One code across the fields (``letter_issued``, ``field_not_settable`` …) is the answer's code too.
        codes = {e.code for errors in exc.error_dict.values() for e in errors if e.code}
        answer.service_code = codes.pop() if len(codes) == 1 else None
        return answer
    code = getattr(exc, "code", None) or (exc.error_list[0].code if exc.error_list else None)
    message = " ".join(str(m) for m in exc.messages)
    if isinstance(exc, TransitionError):
        return Conflict(message, code=code or Conflict.default_code)
    return exceptions.ValidationError({"non_field_errors": [exceptions.ErrorDetail(message, code=code or "invalid")]})


def _messages(value, prefix: str = "") -> list[str]:
    """A field's errors as a flat list of strings, whatever the serializer nested (a list field's errors
    come per item, a nested serializer's per sub-field): ``"2: Enter a number."``."""
    if isinstance(value, dict):
        return [m for key, sub in value.items() for m in _messages(sub, f"{prefix}{key}: ")]
    if isinstance(value, list):
        if all(isinstance(item, (str, exceptions.ErrorDetail)) for item in value):
            return [f"{prefix}{item}" for item in value]
        return [m for i, sub in enumerate(value) if sub for m in _messages(sub, f"{prefix}{i}: ")]
    return [f"{prefix}{value}"]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif is_unique_violation(exc):
        exc = Conflict(_("This record already exists: it was saved a moment ago."), code="already_exists")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields = {}
    if isinstance(detail, dict) and "detail" not in detail:
        fields = {key: _messages(value) for key, value in detail.items()}
        non_field = fields.pop("non_field_errors", None)
        message = str(non_field[0]) if non_field else _("Please correct the fields named below.")
    elif isinstance(detail, list):
        message = " ".join(str(item) for item in detail)
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
    code = getattr(exc, "service_code", None) or getattr(exc, "default_code", "error")
    raw = getattr(exc, "detail", None)
    if isinstance(raw, exceptions.ErrorDetail):
        code = raw.code or code
    elif isinstance(raw, dict) and list(raw) == ["non_field_errors"] and raw["non_field_errors"]:
        code = getattr(raw["non_field_errors"][0], "code", None) or code
    response.data = error_body(status=response.status_code, code=str(code), message=message, fields=fields)
    return response


ERROR_SCHEMA = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "status": serializers.IntegerField(),
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            },
        )
    },
)
ERROR_RESPONSES = {
    400: OpenApiResponse(ERROR_SCHEMA, description="Bad input; `fields` names each bad field."),
    401: OpenApiResponse(ERROR_SCHEMA, description="No or bad token."),
    403: OpenApiResponse(ERROR_SCHEMA, description="Not allowed for this role."),
    404: OpenApiResponse(ERROR_SCHEMA, description="Not found, or not visible to the caller."),
    405: OpenApiResponse(ERROR_SCHEMA, description="This method is not allowed here."),
    409: OpenApiResponse(ERROR_SCHEMA, description="Not allowed in the object's current status."),
    415: OpenApiResponse(ERROR_SCHEMA, description="The body is not in a format this endpoint reads."),
    429: OpenApiResponse(ERROR_SCHEMA, description="Too many requests; retry later."),
}


def api_not_found(request, exception=None, **route_kwargs):
    """Django's 404 for paths no API route matches, in the API's error format."""
    return JsonResponse(error_body(status=404, code="not_found", message=_("Not found.")), status=404)


class HasRole(permissions.BasePermission):
    """Allow the roles a view lists in ``allowed_roles`` (superusers always); reads by anyone signed in when
    the view sets ``read_roles = "__all__"``."""

    message = _("Your role does not allow this.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_superuser:
            return True
        roles = getattr(view, "read_roles", None) if request.method in permissions.SAFE_METHODS else None
        if roles is None:
            roles = getattr(view, "allowed_roles", ())
        return roles == "__all__" or user.role in roles


_STANDARD_ANSWERS = {"list": 200, "retrieve": 200, "create": 201, "update": 200, "partial_update": 200, "destroy": 204}


def documented(serializer, *actions: str, **custom):
    """The schema of a viewset's answers, the error answers included: ``actions`` are standard ones (``list``
    answers many, ``create`` 201, ``destroy`` 204 with no body), ``custom`` are extra actions as
    ``name=status`` (body: the serializer) or ``name=(status, body)``."""
    spec = {}
    for name in actions:
        status = _STANDARD_ANSWERS[name]
        body = serializer(many=True) if name == "list" else (None if status == 204 else serializer)
        spec[name] = extend_schema(responses={status: body, **ERROR_RESPONSES})
    for name, answer in custom.items():
        status, body = answer if isinstance(answer, tuple) else (answer, serializer)
        spec[name] = extend_schema(responses={status: body, **ERROR_RESPONSES})
    return extend_schema_view(**spec)


def money_as_text(value):
    """An indicator answer with its amounts as exact decimal strings, as every serializer in the API writes them
    (DRF's JSON encoder would write a ``Decimal`` as a float)."""
    if isinstance(value, dict):
        return {key: money_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [money_as_text(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


class IndicatorQuerySerializer(serializers.Serializer):
    """The one set of parameters of every indicator endpoint: a period and a region inside the caller's scope."""

    start = serializers.DateField(required=False, help_text="First day; defaults to 1 January of this year.")
    end = serializers.DateField(required=False, help_text="Last day; defaults to today.")
    region = serializers.IntegerField(
        required=False, min_value=1, help_text="A region id inside the caller's scope; defaults to all of it."
    )

    def validate_region(self, value: int) -> Region:
        user = self.context["request"].user
        region = scope(Region.objects.filter(pk=value), user, region="").first()
        if region is None:
            raise serializers.ValidationError(_("This region is outside yours."), code="region_out_of_scope")
        return region

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("end", today)
        attrs.setdefault("start", date(attrs["end"].year, 1, 1))  # the year the period ends in, from 1 January
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]}, code="period_reversed")
        attrs.setdefault("region", None)
        return attrs


# An API list may prefetch its rows' relations into plain lists (``selectors.prefetch_as_list``) rather than into
# the relations' caches: a cache costs a related manager and a cloned queryset per row and relation, and the
# serializer's ``.all()`` a manager again, about a quarter of a page's time. The relations' fields below read that
# list when the instance carries one and otherwise read the relation as DRF does (``.all()``): the same
# serializers also answer for a row read one at a time (retrieve, an action's answer), and so the two give the
# same JSON. The fields are declared with ``many=True`` as usual; ``many_init`` and ``Meta.list_serializer_class``
# are the hooks DRF gives for choosing the class of the list field.


class _ReadsPrefetchedList:
    def get_attribute(self, instance):
        listed = getattr(instance, prefetched_as(self.source), None)
        return super().get_attribute(instance) if listed is None else listed


class PrefetchedManyRelatedField(_ReadsPrefetchedList, serializers.ManyRelatedField):
    """A related field's ``many=True`` list (made by ``_PrefetchedRelatedField.many_init``)."""


class PrefetchedListSerializer(_ReadsPrefetchedList, serializers.ListSerializer):
    """A nested serializer's ``many=True`` field (its ``Meta.list_serializer_class``)."""


class _PrefetchedRelatedField:
    @classmethod
    def many_init(cls, *args, **kwargs):  # as RelatedField.many_init, with the list field above
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return PrefetchedManyRelatedField(child_relation=cls(*args, **kwargs), **list_kwargs)


class PrefetchedSlugRelatedField(_PrefetchedRelatedField, serializers.SlugRelatedField):
    """``SlugRelatedField`` whose ``many=True`` list reads a prefetched list first."""


class PrefetchedPrimaryKeyRelatedField(_PrefetchedRelatedField, serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` whose ``many=True`` list reads a prefetched list first."""
