"""Positions (共富岗位): organisers manage their region's, a host enterprise its own workshops' (用工直通车);
residents see the open ones and those in their 15-minute circle."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import WORKSHOP_DECIDERS, WORKSHOP_STAFF, Role

from .. import selectors, services
from ..models import Position, Resident
from ._common import NO_DELETE, ReasonSerializer, read_reason


class PositionSerializer(RefuseUnknownFields, ModelSerializer):
    workshop_name = serializers.CharField(source="workshop.name", read_only=True)
    village = serializers.IntegerField(source="workshop.village_id", read_only=True)
    village_name = serializers.CharField(source="workshop.village.name", read_only=True)
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "workshop",
            "workshop_name",
            "village",
            "village_name",
            "title",
            "category",
            "description",
            "openings",
            "accepted_count",
            "places_left",
            "pay_amount",
            "pay_unit",
            "seasonal_start",
            "seasonal_end",
            "accessible",
            "status",
        ]
        read_only_fields = ["accepted_count", "status"]


class MatchSerializer(PositionSerializer):
    travel_minutes = serializers.IntegerField(read_only=True)

    class Meta(PositionSerializer.Meta):
        fields = [*PositionSerializer.Meta.fields, "travel_minutes"]


@documented(PositionSerializer, "list", "retrieve", "create", "partial_update")
class PositionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Positions (共富岗位). Organisers manage their region's; a host enterprise manages its own workshops'
    positions (用工直通车); residents see the open ones and those near them."""

    serializer_class = PositionSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_STAFF, Role.ENTERPRISE, Role.RESIDENT)
    allowed_roles = WORKSHOP_DECIDERS
    http_method_names = NO_DELETE
    filterset_fields = ["category", "accessible", "workshop", "status", "pay_unit"]
    search_fields = ["title", "workshop__name"]

    def get_queryset(self):
        return selectors.position_list(user=self.request.user)

    def _check_workshop(self, workshop):
        if not selectors.workshop_list(user=self.request.user).filter(pk=workshop.pk).exists():
            raise serializers.ValidationError({"workshop": [_("You do not manage this workshop.")]})

    def perform_create(self, serializer):
        self._check_workshop(serializer.validated_data["workshop"])
        serializer.instance = services.position_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        if "workshop" in fields:
            self._check_workshop(fields["workshop"])
        serializer.instance = services.position_update(position=serializer.instance, actor=self.request.user, **fields)

    @extend_schema(request=ReasonSerializer, responses={200: PositionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        reason = read_reason(request)
        position = services.position_close(position=self.get_object(), actor=request.user, reason=reason)
        return Response(self.get_serializer(position).data)

    @extend_schema(request=ReasonSerializer, responses={200: PositionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        reason = read_reason(request)
        position = services.position_reopen(position=self.get_object(), actor=request.user, reason=reason)
        return Response(self.get_serializer(position).data)

    @extend_schema(request=None, responses={200: MatchSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=False, methods=["get"], url_path="near-me", read_roles=(Role.RESIDENT,), pagination_class=None)
    def near_me(self, request):
        """The open positions in the caller's 15-minute circle that fit their wish to work, best first."""
        resident = Resident.objects.select_related("village").filter(user=request.user).first()
        if resident is None:
            raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
        return Response(MatchSerializer(selectors.positions_matching(resident=resident), many=True).data)
