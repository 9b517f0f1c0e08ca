"""The four-colour grade: its history, its policy, and the enterprises due for inspection."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets

from programs.models import Enterprise
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import COORDINATORS, ENFORCEMENT, ENFORCEMENT_AND_ENTERPRISE, STAFF

from .. import grades, selectors, services
from ..models import GradeChange, GradePolicy


class GradeChangeSerializer(ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = GradeChange
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "old_grade",
            "new_grade",
            "cause",
            "inspection",
            "finding",
            "actor",
            "reason",
            "changed_at",
        ]

    def get_actor(self, change) -> str:
        return change.actor.get_username() if change.actor_id else "scheduler"


@documented(GradeChangeSerializer, "list", "retrieve")
class GradeChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The grade history: staff see their region's, an enterprise user its own (``?enterprise=<id>``)."""

    serializer_class = GradeChangeSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ()
    filterset_fields = ["enterprise", "old_grade", "new_grade", "cause"]

    def get_queryset(self):
        return selectors.grade_change_list(user=self.request.user)


class GradePolicySerializer(RefuseUnknownFields, ModelSerializer):
    class Meta:
        model = GradePolicy
        fields = ["id", "grade", "frequency_days", "sampling_percent", "escalation_grace_days", "updated_at"]
        read_only_fields = ["grade", "updated_at"]


@documented(GradePolicySerializer, "list", "retrieve", "partial_update")
class GradePolicyViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The policy per colour; the coordinator edits it."""

    serializer_class = GradePolicySerializer
    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = COORDINATORS
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.grade_policy_list()

    def perform_update(self, serializer):
        serializer.instance = services.grade_policy_update(
            policy=serializer.instance, actor=self.request.user, **serializer.validated_data
        )


class DueEnterpriseSerializer(ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    last_inspected_at = serializers.DateTimeField(read_only=True, allow_null=True)
    due_on = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "address",
            "region",
            "region_name",
            "grade",
            "last_inspected_at",
            "due_on",
        ]

    def get_due_on(self, enterprise) -> date | None:
        return grades.next_due_on(enterprise, enterprise.last_inspected_at, self.context["policies"])


class DueEnterpriseViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    """Enterprises due for inspection by ``on`` (default today) under the grade policy."""

    serializer_class = DueEnterpriseSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT
    allowed_roles = ()
    filterset_fields = ["grade"]

    def _on(self) -> date:
        value = self.request.query_params.get("on")
        try:
            return date.fromisoformat(value) if value else timezone.localdate()
        except ValueError:
            raise serializers.ValidationError({"on": [_("Give a date as YYYY-MM-DD.")]}) from None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation must not read the policy table
            return Enterprise.objects.none()
        return selectors.due_enterprise_list(user=self.request.user, on=self._on())

    def get_serializer_context(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_serializer_context()
        return {**super().get_serializer_context(), "policies": grades.policies()}

    @extend_schema(
        parameters=[OpenApiParameter("on", date)],
        responses={200: DueEnterpriseSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
