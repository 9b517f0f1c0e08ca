"""Live-stream sessions and trainings of a workshop, recorded by organisers and host enterprises."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import WORKSHOP_DECIDERS, WORKSHOP_STAFF, Role

from .. import selectors, services
from ..models import Activity
from ._common import ReasonSerializer, read_reason


class ActivitySerializer(ModelSerializer):
    workshop_name = serializers.CharField(source="workshop.name", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "workshop",
            "workshop_name",
            "kind",
            "title",
            "held_on",
            "sessions",
            "participants",
            "revenue",
            "is_cancelled",
        ]
        read_only_fields = ["is_cancelled"]


@documented(ActivitySerializer, "list", "retrieve", "create")
class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Live-stream sessions (直播) and trainings of a workshop, recorded by organisers and host enterprises.
    Markets are events of several workshops: ``workshop-markets/``."""

    serializer_class = ActivitySerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_STAFF, Role.ENTERPRISE)
    allowed_roles = WORKSHOP_DECIDERS
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["kind", "workshop"]

    def get_queryset(self):
        return selectors.activity_list(user=self.request.user)

    def perform_create(self, serializer):
        workshop = serializer.validated_data["workshop"]
        if not selectors.workshop_list(user=self.request.user).filter(pk=workshop.pk).exists():
            raise serializers.ValidationError({"workshop": [_("You do not manage this workshop.")]})
        serializer.instance = services.activity_record(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=ReasonSerializer, responses={200: ActivitySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = read_reason(request)
        activity = services.activity_cancel(activity=self.get_object(), actor=request.user, reason=reason)
        return Response(self.get_serializer(activity).data)
