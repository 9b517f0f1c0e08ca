"""Findings: the officers' decision and re-inspection, the enterprise's rectification evidence."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from programs.filters import StrictBooleanFilter, StrictFilterSet
from programs.models import Grade, User
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import ENFORCEMENT_AND_ENTERPRISE

from .. import files, selectors, services
from ..models import Finding, LenientListEntry
from .observation import ObservationOpenSerializer, ObservationPeriodSerializer


class UploadedFileSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()

    def get_url(self, row) -> str | None:
        return self.context["request"].build_absolute_uri(files.file_url(row)) if row.file else None


class EvidenceOutSerializer(UploadedFileSerializer):
    note = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class ReinspectionOutSerializer(serializers.Serializer):
    rectified = serializers.BooleanField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class FindingSerializer(ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    department = serializers.IntegerField(source="item.department_id", read_only=True)
    lenient_list = serializers.CharField(source="lenient_entry.kind", read_only=True, default=None, allow_null=True)
    photos = UploadedFileSerializer(many=True, read_only=True)
    evidence = EvidenceOutSerializer(many=True, read_only=True)
    reinspections = ReinspectionOutSerializer(many=True, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "enterprise",
            "enterprise_name",
            "item",
            "item_code",
            "item_name",
            "department",
            "severity",
            "description",
            "deadline",
            "overdue",
            "status",
            "recorded_at",
            "rectified_at",
            "lenient_proposed",
            "lenient_list",
            "decision",
            "decision_note",
            "decided_at",
            "photos",
            "evidence",
            "reinspections",
        ]


class ReinspectAnswerSerializer(FindingSerializer):
    enterprise_grade = serializers.ChoiceField(
        choices=Grade.choices,
        source="enterprise.grade",
        read_only=True,
        help_text="The colour after the re-inspection.",
    )

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "enterprise_grade"]


class FindingFilter(StrictFilterSet):
    overdue = StrictBooleanFilter(method="filter_overdue")

    class Meta:
        model = Finding
        fields = ["status", "severity", "enterprise", "inspection", "decision"]

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class FindingDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Finding.Decision.NO_PENALTY, Finding.Decision.PENALTY])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lenient_entry = serializers.PrimaryKeyRelatedField(
        queryset=LenientListEntry.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="For no penalty: the lenient list entry that applies (by default the one proposed).",
    )


class FindingEvidenceSerializer(serializers.Serializer):
    note = serializers.CharField()
    file = serializers.FileField(required=False, allow_null=True)


class ReinspectSerializer(serializers.Serializer):
    rectified = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


@documented(FindingSerializer, "list", "retrieve")
class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Findings: officers decide and re-inspect; the enterprise uploads its rectification (``evidence``)."""

    serializer_class = FindingSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ENFORCEMENT_AND_ENTERPRISE
    filterset_class = FindingFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.finding_list(user=self.request.user)

    def _answer(self, finding):
        return Response(self.get_serializer(self.get_queryset().get(pk=finding.pk)).data)

    def _officers_only(self):
        if self.request.user.role == User.Role.ENTERPRISE:
            self.permission_denied(self.request, message=_("Your role does not allow this."))

    @extend_schema(request=FindingDecisionSerializer, responses={200: FindingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        self._officers_only()
        data = FindingDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.finding_decide(finding=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=FindingEvidenceSerializer, responses={200: FindingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        data = FindingEvidenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = self.get_object()
        services.evidence_submit(finding=finding, actor=request.user, **data.validated_data)
        return self._answer(finding)

    @extend_schema(request=ReinspectSerializer, responses={200: ReinspectAnswerSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def reinspect(self, request, pk=None):
        """Re-inspect; the answer carries the enterprise's colour after it (``enterprise_grade``)."""
        self._officers_only()
        data = ReinspectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = self.get_object()
        services.finding_reinspect(finding=finding, actor=request.user, **data.validated_data)
        answer = self.get_queryset().get(pk=finding.pk)
        return Response(ReinspectAnswerSerializer(answer, context=self.get_serializer_context()).data)

    @extend_schema(request=ObservationOpenSerializer, responses={201: ObservationPeriodSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def observation(self, request, pk=None):
        self._officers_only()
        data = ObservationOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.observation_open(finding=self.get_object(), actor=request.user, **data.validated_data)
        return Response(ObservationPeriodSerializer(period).data, status=status.HTTP_201_CREATED)
