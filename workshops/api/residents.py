"""Residents: organisers and grid workers of the region register and survey them; a resident reads their own
record. Sensitive fields are shown in full only to those with a need to know (``workshops.privacy``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import WORKSHOP_FIELD_STAFF, Role
from programs.validators import normalize_id_number

from .. import selectors, services
from ..models import Category, Resident
from ..privacy import resident_view
from ._common import NO_DELETE, check_village
from .positions import MatchSerializer


class CategoriesField(serializers.MultipleChoiceField):
    """Wished categories as a list in the order given; a bad one is a flat error message, as every error is."""

    def __init__(self, **kwargs):
        super().__init__(choices=Category.choices, **kwargs)

    def to_internal_value(self, data):
        chosen = super().to_internal_value(data)
        return [value for value in dict.fromkeys(data) if value in chosen]

    def to_representation(self, value):
        return list(value)


class ResidentSerializer(RefuseUnknownFields, ModelSerializer):
    """Sensitive fields are shown in full only to those with a need to know (see ``workshops.privacy``)."""

    village_name = serializers.CharField(source="village.name", read_only=True)
    wished_categories = CategoriesField(required=False)
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "village",
            "village_name",
            "has_disability",
            "is_low_income",
            "wants_work",
            "wished_categories",
            "surveyed_on",
            "grid_worker",
            "has_account",
        ]
        read_only_fields = ["surveyed_on", "grid_worker"]
        # Uniqueness is the service's to judge (through full_clean), with a message that does not echo the number.
        extra_kwargs = {"id_number": {"validators": []}}

    def get_has_account(self, resident) -> bool:
        return resident.user_id is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.update(resident_view(self.context["request"].user, instance))
        return data

    def validate_id_number(self, value):
        return normalize_id_number(value)


class SurveySerializer(serializers.Serializer):
    wants_work = serializers.BooleanField()
    wished_categories = CategoriesField()
    surveyed_on = serializers.DateField(required=False)
    has_disability = serializers.BooleanField(required=False)
    is_low_income = serializers.BooleanField(required=False)


@documented(ResidentSerializer, "list", "retrieve", "create", "partial_update")
class ResidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Residents: organisers and grid workers of the region register and survey them; a resident reads
    their own record (``/residents/me/``). Nobody else reads residents."""

    serializer_class = ResidentSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_FIELD_STAFF, Role.RESIDENT)
    allowed_roles = WORKSHOP_FIELD_STAFF
    http_method_names = NO_DELETE
    filterset_fields = ["village", "wants_work"]
    search_fields = ["name"]
    # Explicit: nothing sensitive (ID number, disability, low income, phone) sorts a list.
    ordering_fields = ["name", "surveyed_on", "created_at"]

    def get_queryset(self):
        return selectors.resident_list(user=self.request.user)

    def perform_create(self, serializer):
        check_village(self.request.user, serializer.validated_data["village"])
        serializer.instance = services.resident_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        if "id_number" in fields:
            raise serializers.ValidationError({"id_number": [_("An ID number is not changed once recorded.")]})
        if "village" in fields:
            check_village(self.request.user, fields["village"])
        serializer.instance = services.resident_update(resident=serializer.instance, actor=self.request.user, **fields)

    @extend_schema(request=None, responses={200: ResidentSerializer, **ERROR_RESPONSES})
    @action(detail=False, methods=["get"], read_roles=(Role.RESIDENT,))
    def me(self, request):
        resident = self.get_queryset().filter(user=request.user).first()
        if resident is None:
            raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
        return Response(self.get_serializer(resident).data)

    @extend_schema(request=SurveySerializer, responses={200: ResidentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def survey(self, request, pk=None):
        """Record a willingness survey (就业意愿摸排): wish to work, in which categories, on which day."""
        data = SurveySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resident = services.resident_survey(resident=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(resident).data)

    @extend_schema(request=None, responses={200: MatchSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        """Open positions in the resident's 15-minute circle that fit their wish to work, best first."""
        return Response(MatchSerializer(selectors.positions_matching(resident=self.get_object()), many=True).data)
