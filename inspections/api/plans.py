"""Plan entries and the coordination of a month."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.filters import StrictFilterSet
from programs.models import Department, Enterprise, Region
from programs.rest import ERROR_RESPONSES, HasRole, documented
from programs.roles import COORDINATORS, ENFORCEMENT

from .. import selectors, services
from ..models import Coordination, InspectionItem, PlanEntry
from ._common import InspectionReasonSerializer


class PlanEntrySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    items = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.filter(is_active=True), many=True)
    cut_reason = serializers.CharField(
        read_only=True, help_text="Empty, or duplicate, leave_alone, coordinator, inspection_cancelled."
    )

    class Meta:
        model = PlanEntry
        fields = [
            "id",
            "department",
            "department_name",
            "enterprise",
            "enterprise_name",
            "items",
            "month",
            "mode",
            "note",
            "status",
            "inspection",
            "delegated",
            "cut_reason",
            "cut_note",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = ["status", "inspection", "delegated", "cut_reason", "cut_note", "submitted_at", "decided_at"]


class PlanEntryFilter(StrictFilterSet):
    class Meta:
        model = PlanEntry
        fields = ["status", "month", "department", "enterprise", "cut_reason"]


@documented(PlanEntrySerializer, "list", "retrieve", "create")
class PlanEntryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Plan entries: a department drafts and submits them; the coordinator sees a month's and may cut or
    reinstate."""

    serializer_class = PlanEntrySerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT
    allowed_roles = ENFORCEMENT
    filterset_class = PlanEntryFilter

    def get_queryset(self):
        return selectors.plan_entry_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        department = data.get("department") or user.department
        if department is None:
            raise serializers.ValidationError({"department": [_("Choose the planning department.")]})
        enterprise = data["enterprise"]
        if not selectors.scope(Enterprise.objects.filter(pk=enterprise.pk), user, region="region").exists():
            raise serializers.ValidationError({"enterprise": [_("This enterprise is outside your region.")]})
        serializer.instance = services.plan_entry_create(
            department=department,
            enterprise=enterprise,
            items=data["items"],
            month=data["month"],
            mode=data.get("mode", PlanEntry.Mode.ON_SITE),
            note=data.get("note", ""),
            actor=user,
        )

    def _answer(self, entry):
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=None, responses={200: PlanEntrySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(services.plan_entry_submit(entry=self.get_object(), actor=request.user))

    @extend_schema(request=InspectionReasonSerializer, responses={200: PlanEntrySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = InspectionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.plan_entry_withdraw(entry=self.get_object(), actor=request.user, **data.validated_data)
        return self._answer(entry)

    @extend_schema(request=InspectionReasonSerializer, responses={200: PlanEntrySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def cut(self, request, pk=None):
        data = InspectionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.plan_entry_cut(entry=self.get_object(), actor=request.user, **data.validated_data))

    @extend_schema(request=InspectionReasonSerializer, responses={200: PlanEntrySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        data = InspectionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.plan_entry_reinstate(entry=self.get_object(), actor=request.user, **data.validated_data)
        return self._answer(entry)


class CoordinationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = Coordination
        fields = [
            "id",
            "region",
            "month",
            "status",
            "total",
            "processed",
            "progress",
            "executed",
            "cut",
            "inspections_created",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = [f for f in fields if f not in ("region", "month")]


@documented(CoordinationSerializer, "list", "retrieve", create=202)
class CoordinationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Coordinate a month (POST: queued as a task; GET the row to follow its progress)."""

    serializer_class = CoordinationSerializer
    permission_classes = [HasRole]
    read_roles = COORDINATORS
    allowed_roles = COORDINATORS

    def get_queryset(self):
        return selectors.coordination_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coordination = services.coordination_start(actor=request.user, **serializer.validated_data)
        coordination.refresh_from_db()
        return Response(self.get_serializer(coordination).data, status=status.HTTP_202_ACCEPTED)
