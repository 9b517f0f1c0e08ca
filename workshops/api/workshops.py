"""Workshops: staff see their region's, a host enterprise its own, a resident the open ones; organisers create
them and change their status."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import ORGANISERS, WORKSHOP_STAFF, Role

from .. import selectors, services
from ..models import Workshop
from ._common import NO_DELETE, ReasonSerializer, check_village, read_reason


class WorkshopSerializer(RefuseUnknownFields, ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    town_name = serializers.CharField(source="village.parent.name", read_only=True, default=None, allow_null=True)
    host_enterprise_name = serializers.CharField(
        source="host_enterprise.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Workshop
        fields = [
            "id",
            "name",
            "kind",
            "host_enterprise",
            "host_enterprise_name",
            "village",
            "village_name",
            "town_name",
            "address",
            "manager_name",
            "manager_phone",
            "products",
            "description",
            "status",
            "opened_on",
            "closed_on",
        ]
        read_only_fields = ["status", "closed_on"]


@documented(WorkshopSerializer, "list", "retrieve", "create", "partial_update")
class WorkshopViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Workshops: staff see their region's, a host enterprise its own, a resident the open ones.
    Organisers create them and change their status."""

    serializer_class = WorkshopSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_STAFF, Role.ENTERPRISE, Role.RESIDENT)
    allowed_roles = ORGANISERS
    http_method_names = NO_DELETE
    filterset_fields = ["kind", "status", "village"]
    search_fields = ["name", "products"]

    def get_queryset(self):
        return selectors.workshop_list(user=self.request.user)

    def perform_create(self, serializer):
        check_village(self.request.user, serializer.validated_data["village"])
        serializer.instance = services.workshop_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        if "village" in serializer.validated_data:
            check_village(self.request.user, serializer.validated_data["village"])
        serializer.instance = services.workshop_update(
            workshop=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def _status(self, request, to):
        reason = read_reason(request)
        workshop = services.workshop_set_status(workshop=self.get_object(), to=to, actor=request.user, reason=reason)
        return Response(self.get_serializer(workshop).data)

    @extend_schema(request=ReasonSerializer, responses={200: WorkshopSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._status(request, Workshop.Status.OPEN)

    @extend_schema(request=ReasonSerializer, responses={200: WorkshopSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._status(request, Workshop.Status.SUSPENDED)

    @extend_schema(request=ReasonSerializer, responses={200: WorkshopSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._status(request, Workshop.Status.CLOSED)
