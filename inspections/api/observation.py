"""Observation periods (执法观察期); a flagged one is decided by a person."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import ENFORCEMENT, ENFORCEMENT_AND_ENTERPRISE

from .. import selectors, services
from ..models import ObservationPeriod


class ObservationOpenSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=10, max_value=60)


class ObservationPeriodSerializer(ModelSerializer):
    enterprise = serializers.IntegerField(source="finding.enterprise_id", read_only=True)

    class Meta:
        model = ObservationPeriod
        fields = ["id", "finding", "enterprise", "starts_on", "ends_on", "days", "status", "closed_at"]


class ObservationDecisionSerializer(serializers.Serializer):
    penalty = serializers.BooleanField()
    note = serializers.CharField()


@documented(ObservationPeriodSerializer, "list", "retrieve")
class ObservationPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Observation periods; a flagged one (not rectified at expiry) is decided by a person."""

    serializer_class = ObservationPeriodSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ENFORCEMENT
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.observation_period_list(user=self.request.user)

    @extend_schema(
        request=ObservationDecisionSerializer, responses={200: ObservationPeriodSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = ObservationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.observation_decide(period=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(period).data)
