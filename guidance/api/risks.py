"""Rectification items from guidance visits: the enterprise uploads evidence, staff confirm or reject it."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from programs.rest import HasRole, ModelSerializer, PrefetchedListSerializer, documented
from programs.roles import ENFORCEMENT, ENTERPRISES, STAFF, Role

from .. import files, selectors, services
from ..models import Risk
from ._common import GuidanceReasonSerializer


class GuidanceRiskSerializer(ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True, default=None, allow_null=True)
    evidence_file = serializers.SerializerMethodField()

    def get_evidence_file(self, risk) -> str | None:
        """Where the evidence is downloaded (the core's file view, which checks who asks)."""
        url = files.risk_evidence_url(risk)
        return self.context["request"].build_absolute_uri(url) if url else None

    class Meta:
        model = Risk
        fields = [
            "id",
            "booking",
            "session",
            "item",
            "item_name",
            "description",
            "suggestion",
            "deadline",
            "status",
            "evidence_note",
            "evidence_file",
            "evidence_at",
            "rectified_at",
            "created_at",
        ]
        read_only_fields = fields
        list_serializer_class = PrefetchedListSerializer  # a booking's risks, as the list prefetched them


class GuidanceEvidenceSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True)


@documented(GuidanceRiskSerializer, "list", "retrieve", evidence=200, confirm=200, reject=200)
class RiskViewSet(viewsets.ReadOnlyModelViewSet):
    """Rectification items from guidance visits: the enterprise uploads evidence, staff confirm or reject it."""

    permission_classes = [HasRole]
    read_roles = (*STAFF, Role.ENTERPRISE)
    allowed_roles = ENFORCEMENT
    serializer_class = GuidanceRiskSerializer
    filterset_fields = ["status", "booking"]

    def get_queryset(self):
        return selectors.risk_list(user=self.request.user).order_by("created_at", "id")

    @extend_schema(request=GuidanceEvidenceSerializer)
    @action(
        detail=True,
        methods=["post"],
        allowed_roles=ENTERPRISES,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def evidence(self, request, pk=None):
        data = GuidanceEvidenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_submit_evidence(
            risk=self.get_object(),
            actor=request.user,
            note=data.validated_data["note"],
            file=data.validated_data.get("file"),
        )
        return Response(GuidanceRiskSerializer(risk, context={"request": request}).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT)
    def confirm(self, request, pk=None):
        risk = services.risk_confirm(risk=self.get_object(), actor=request.user)
        return Response(GuidanceRiskSerializer(risk, context={"request": request}).data)

    @extend_schema(request=GuidanceReasonSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT)
    def reject(self, request, pk=None):
        data = GuidanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_reject(risk=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        return Response(GuidanceRiskSerializer(risk, context={"request": request}).data)
