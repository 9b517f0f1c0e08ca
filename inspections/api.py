"""REST endpoints of the inspections app: officers' mobile app, coordinators, and enterprise users (who reach
only their own enterprise's records through the same endpoints)."""

from datetime import date

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.models import Department, Enterprise, Region, User
from programs.rest import ERROR_RESPONSES, STAFF, HasRole
from programs.selectors import scope

from . import grades, selectors, services
from .models import (
    Coordination,
    Finding,
    GradeChange,
    GradePolicy,
    Inspection,
    InspectionItem,
    LenientListEntry,
    ObservationPeriod,
    PlanEntry,
)


def documented(serializer, **extra):
    """The list and detail answers with the API's error answers, for the schema."""
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **ERROR_RESPONSES}),
        retrieve=extend_schema(responses={200: serializer, **ERROR_RESPONSES}),
        **{action: extend_schema(responses={code: serializer, **ERROR_RESPONSES}) for action, code in extra.items()},
    )


COORDINATOR = (User.Role.COORDINATOR,)
OFFICERS = (User.Role.COORDINATOR, User.Role.OFFICER)
WITH_ENTERPRISE = (User.Role.COORDINATOR, User.Role.OFFICER, User.Role.ENTERPRISE)


class InspectionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- Catalogue --------------------------------------------------------------------------------------------


class LenientEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LenientListEntry
        fields = ["kind", "lookback_days", "conditions"]


class ItemSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    lenient_lists = LenientEntrySerializer(source="lenient_entries", many=True, read_only=True)

    class Meta:
        model = InspectionItem
        fields = [
            "id",
            "code",
            "name",
            "department",
            "department_name",
            "field",
            "legal_basis",
            "simple",
            "lenient_lists",
        ]


@documented(ItemSerializer)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The inspection item catalogue (检查事项) with its lenient lists."""

    serializer_class = ItemSerializer
    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = ()
    filterset_fields = ["department", "field", "simple"]
    search_fields = ["code", "name", "field"]

    def get_queryset(self):
        return selectors.item_list(user=self.request.user)


# --- Plans ------------------------------------------------------------------------------------------------


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


class PlanEntryFilter(django_filters.FilterSet):
    class Meta:
        model = PlanEntry
        fields = ["status", "month", "department", "enterprise", "cut_reason"]


@documented(PlanEntrySerializer, create=201)
class PlanEntryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Plan entries: a department drafts and submits them; the coordinator sees a month's and may cut or
    reinstate."""

    serializer_class = PlanEntrySerializer
    permission_classes = [HasRole]
    read_roles = OFFICERS
    allowed_roles = OFFICERS
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


@documented(CoordinationSerializer, create=202)
class CoordinationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Coordinate a month (POST: queued as a task; GET the row to follow its progress)."""

    serializer_class = CoordinationSerializer
    permission_classes = [HasRole]
    read_roles = COORDINATOR
    allowed_roles = COORDINATOR

    def get_queryset(self):
        return selectors.coordination_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coordination = services.coordination_start(actor=request.user, **serializer.validated_data)
        coordination.refresh_from_db()
        return Response(self.get_serializer(coordination).data, status=status.HTTP_202_ACCEPTED)


# --- Findings --------------------------------------------------------------------------------------------------


class UploadedFileSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()

    def get_url(self, row) -> str | None:
        return self.context["request"].build_absolute_uri(row.file.url) if row.file else None


class EvidenceOutSerializer(UploadedFileSerializer):
    note = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class ReinspectionOutSerializer(serializers.Serializer):
    rectified = serializers.BooleanField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class FindingSerializer(serializers.ModelSerializer):
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


# --- Inspections ---------------------------------------------------------------------------------------------


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OfficerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class ItemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.IntegerField(source="department_id")
    simple = serializers.BooleanField()


class InspectionSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_address = serializers.CharField(source="enterprise.address", read_only=True)
    lead_department_name = serializers.CharField(source="lead_department.name", read_only=True)
    departments = DepartmentRefSerializer(many=True, read_only=True)
    officers = OfficerRefSerializer(many=True, read_only=True)
    items = ItemRefSerializer(many=True, read_only=True)
    code = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "enterprise_address",
            "month",
            "week_start",
            "visit_date",
            "is_joint",
            "lead_department",
            "lead_department_name",
            "departments",
            "officers",
            "items",
            "mode",
            "status",
            "code",
            "verify_url",
            "code_shown_at",
            "started_at",
            "completed_at",
            "cancel_reason",
            "summary",
        ]

    def get_code(self, inspection) -> str:
        return services.format_code(inspection.code)

    def get_verify_url(self, inspection) -> str | None:
        if not inspection.code:
            return None
        return self.context["request"].build_absolute_uri(f"/verify/{inspection.code}/")


class InspectionFilter(django_filters.FilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("today", "today"), ("week", "week")], method="filter_when", label="today or week"
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label="assigned to me")

    class Meta:
        model = Inspection
        fields = ["status", "month", "week_start", "enterprise", "is_joint"]

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        week = selectors.inspections_this_week(queryset, today=today)
        if value == "week":
            return week
        return week.filter(visit_date=today) | queryset.filter(status=Inspection.Status.IN_PROGRESS)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(officers=self.request.user) if value else queryset


class ScheduleSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    visit_date = serializers.DateField(required=False, allow_null=True)
    officers = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(role=User.Role.OFFICER), many=True)


class CompleteSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class CheckSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all())
    compliant = serializers.BooleanField(default=True)


class CheckAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    checked_by_department = serializers.IntegerField(source="checked_by_department_id")
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", allow_null=True)
    compliant = serializers.BooleanField()


class FindingCreateSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all())
    severity = serializers.ChoiceField(choices=Finding.Severity.choices)
    description = serializers.CharField()
    deadline = serializers.DateField()
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


@documented(InspectionSerializer)
class InspectionViewSet(viewsets.ReadOnlyModelViewSet):
    """Inspections: officers see their department's (``when=today|week``, ``mine=true``), coordinators their
    region's, an enterprise user its own. Officers schedule, show the code, start, check items, record findings
    and complete."""

    serializer_class = InspectionSerializer
    permission_classes = [HasRole]
    read_roles = WITH_ENTERPRISE
    allowed_roles = OFFICERS
    filterset_class = InspectionFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.inspection_list(user=self.request.user)

    def _answer(self, inspection, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data, status=code)

    @extend_schema(request=ScheduleSerializer, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_schedule(
            inspection=self.get_object(), actor=request.user, **data.validated_data
        )
        return self._answer(inspection)

    @extend_schema(request=None, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="show-code")
    def show_code(self, request, pk=None):
        return self._answer(services.inspection_show_code(inspection=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._answer(services.inspection_start(inspection=self.get_object(), actor=request.user))

    @extend_schema(request=CompleteSerializer, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_complete(
            inspection=self.get_object(), actor=request.user, **data.validated_data
        )
        return self._answer(inspection)

    @extend_schema(request=InspectionReasonSerializer, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = InspectionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_cancel(inspection=self.get_object(), actor=request.user, **data.validated_data)
        return self._answer(inspection)

    @extend_schema(request=CheckSerializer, responses={201: CheckAnswerSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def checks(self, request, pk=None):
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.item_check_record(inspection=self.get_object(), actor=request.user, **data.validated_data)
        return Response(CheckAnswerSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        data = FindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.finding_record(inspection=self.get_object(), actor=request.user, **data.validated_data)
        finding = selectors.finding_list(user=request.user).get(pk=finding.pk)
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data, status=201)


class FindingFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Finding
        fields = ["status", "severity", "enterprise", "inspection", "decision"]

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class FindingDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Finding.Decision.NO_PENALTY, Finding.Decision.PENALTY])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FindingEvidenceSerializer(serializers.Serializer):
    note = serializers.CharField()
    file = serializers.FileField(required=False, allow_null=True)


class ReinspectSerializer(serializers.Serializer):
    rectified = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ObservationOpenSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=10, max_value=60)


class ObservationPeriodSerializer(serializers.ModelSerializer):
    enterprise = serializers.IntegerField(source="finding.enterprise_id", read_only=True)

    class Meta:
        model = ObservationPeriod
        fields = ["id", "finding", "enterprise", "starts_on", "ends_on", "days", "status", "closed_at"]


@documented(FindingSerializer)
class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Findings: officers decide and re-inspect; the enterprise uploads its rectification (``evidence``)."""

    serializer_class = FindingSerializer
    permission_classes = [HasRole]
    read_roles = WITH_ENTERPRISE
    allowed_roles = WITH_ENTERPRISE
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

    @extend_schema(request=ReinspectSerializer, responses={200: FindingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def reinspect(self, request, pk=None):
        self._officers_only()
        data = ReinspectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = self.get_object()
        services.finding_reinspect(finding=finding, actor=request.user, **data.validated_data)
        return self._answer(finding)

    @extend_schema(request=ObservationOpenSerializer, responses={201: ObservationPeriodSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def observation(self, request, pk=None):
        self._officers_only()
        data = ObservationOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.observation_open(finding=self.get_object(), actor=request.user, **data.validated_data)
        return Response(ObservationPeriodSerializer(period).data, status=status.HTTP_201_CREATED)


class ObservationDecisionSerializer(serializers.Serializer):
    penalty = serializers.BooleanField()
    note = serializers.CharField()


@documented(ObservationPeriodSerializer)
class ObservationPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Observation periods; a flagged one (not rectified at expiry) is decided by a person."""

    serializer_class = ObservationPeriodSerializer
    permission_classes = [HasRole]
    read_roles = WITH_ENTERPRISE
    allowed_roles = OFFICERS
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


# --- Grades ----------------------------------------------------------------------------------------------------


class GradeChangeSerializer(serializers.ModelSerializer):
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


@documented(GradeChangeSerializer)
class GradeChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The grade history: staff see their region's, an enterprise user its own (``?enterprise=<id>``)."""

    serializer_class = GradeChangeSerializer
    permission_classes = [HasRole]
    read_roles = WITH_ENTERPRISE
    allowed_roles = ()
    filterset_fields = ["enterprise", "old_grade", "new_grade", "cause"]

    def get_queryset(self):
        return selectors.grade_change_list(user=self.request.user)


class GradePolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = GradePolicy
        fields = ["id", "grade", "frequency_days", "sampling_percent", "escalation_grace_days", "updated_at"]
        read_only_fields = ["grade", "updated_at"]


@documented(GradePolicySerializer, partial_update=200)
class GradePolicyViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The policy per colour; the coordinator edits it."""

    serializer_class = GradePolicySerializer
    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = COORDINATOR
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.grade_policy_list()

    def perform_update(self, serializer):
        serializer.instance = services.grade_policy_update(
            policy=serializer.instance, actor=self.request.user, **serializer.validated_data
        )


class DueEnterpriseSerializer(serializers.ModelSerializer):
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
    read_roles = OFFICERS
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


# --- Indicators ------------------------------------------------------------------------------------------------


class InspectionIndicatorQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    region = serializers.CharField(required=False, help_text="A division code; defaults to the caller's region.")

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("start", today.replace(month=1, day=1))
        attrs.setdefault("end", today)
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        code = attrs.pop("region", None)
        attrs["region"] = get_object_or_404(Region, code=code) if code else None
        return attrs


class IndicatorView(APIView):
    permission_classes = [HasRole]
    read_roles = OFFICERS
    allowed_roles = ()
    selector = None

    @extend_schema(parameters=[InspectionIndicatorQuerySerializer], responses={200: dict, **ERROR_RESPONSES})
    def get(self, request):
        query = InspectionIndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        region = query.validated_data["region"]
        if region is not None and not scope(Region.objects.filter(pk=region.pk), request.user, region="").exists():
            raise serializers.ValidationError({"region": [_("This region is outside yours.")]})
        return Response(type(self).selector(user=request.user, **query.validated_data))


class InspectionIndicatorView(IndicatorView):
    """Plan entries submitted / executed / cut, coordination and reduction rates, joint share, code-shown rate,
    findings by severity, rectified on time."""

    read_roles = OFFICERS
    allowed_roles = ()
    selector = staticmethod(selectors.inspection_indicators)


class GradeIndicatorView(IndicatorView):
    """Enterprises per colour, graded count, green rate, conversions in the period, and the grade map."""

    read_roles = OFFICERS
    allowed_roles = ()
    selector = staticmethod(selectors.grade_indicators)
