"""Plan entries and the coordination of a month."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.filters import StrictFilterSet
from programs.models import Department, Enterprise, Region
from programs.rest import (
    ERROR_RESPONSES,
    HasRole,
    ModelSerializer,
    PrefetchedPrimaryKeyRelatedField,
    RefuseUnknownFields,
    documented,
)
from programs.roles import COORDINATORS, ENFORCEMENT

from .. import selectors, services
from ..models import Coordination, InspectionItem, PlanEntry, YearPlan
from ..services import plans as plan_services
from ._common import InspectionReasonSerializer


class PlanEntrySerializer(ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    items = PrefetchedPrimaryKeyRelatedField(queryset=InspectionItem.objects.filter(is_active=True), many=True)
    year_plan = serializers.PrimaryKeyRelatedField(
        queryset=YearPlan.objects.all(),
        required=False,
        allow_null=True,
        help_text="The department's drafted or returned year plan the entry joins; empty for an entry outside one.",
    )
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
            "year_plan",
            "delegated",
            "cut_reason",
            "cut_note",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = [
            "status",
            "inspection",
            "year_plan",
            "delegated",
            "cut_reason",
            "cut_note",
            "submitted_at",
            "decided_at",
        ]


class PlanEntryFilter(StrictFilterSet):
    class Meta:
        model = PlanEntry
        fields = ["status", "month", "department", "enterprise", "cut_reason", "year_plan"]


class MonthEntrySerializer(RefuseUnknownFields, serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    items = serializers.PrimaryKeyRelatedField(
        queryset=InspectionItem.objects.filter(is_active=True), many=True, allow_empty=False
    )
    mode = serializers.ChoiceField(choices=PlanEntry.Mode.choices, default=PlanEntry.Mode.ON_SITE)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MonthSubmissionSerializer(RefuseUnknownFields, serializers.Serializer):
    """A department's whole month in one request."""

    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, help_text="Defaults to the caller's department."
    )
    month = serializers.DateField(help_text="Any day of the month; stored as its first day.")
    year_plan = serializers.PrimaryKeyRelatedField(
        queryset=YearPlan.objects.all(),
        required=False,
        allow_null=True,
        help_text="A drafted or returned year plan of the department: the entries join it as drafts, submitted "
        "when the plan is published. Without it the entries are submitted at once.",
    )
    entries = MonthEntrySerializer(many=True, allow_empty=False)


class MonthEntryAnswerSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's index in ``entries``.")
    created = serializers.BooleanField(help_text="False: the department already had an entry for the enterprise.")
    entry = PlanEntrySerializer()


class MonthSubmissionAnswerSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    entries = MonthEntryAnswerSerializer(many=True)


def _named_by_row(detail) -> dict:
    """DRF's nested errors (``{"entries": {1: {"enterprise": [...]}}}``) named ``entries[1].enterprise``."""
    rows = detail.get("entries") if isinstance(detail, dict) else None
    if isinstance(rows, list):
        rows = dict(enumerate(rows))
    if not isinstance(rows, dict) or not all(isinstance(row, dict) for row in rows.values()):
        return detail
    named = {key: value for key, value in detail.items() if key != "entries"}
    for index, row in sorted(rows.items()):
        named.update({f"entries[{index}].{field}": errors for field, errors in row.items()})
    return named


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
            year_plan=self._own_year_plan(data.get("year_plan")),
        )

    def _own_year_plan(self, year_plan):
        if (
            year_plan is not None
            and not selectors.year_plan_list(user=self.request.user).filter(pk=year_plan.pk).exists()
        ):
            raise serializers.ValidationError({"year_plan": [_("No year plan of yours has this id.")]})
        return year_plan

    def _answer(self, entry):
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(
        request=MonthSubmissionSerializer,
        responses={201: MonthSubmissionAnswerSerializer, 200: MonthSubmissionAnswerSerializer, **ERROR_RESPONSES},
        description="A department submits its month's entries in one request, all or none: each bad row is "
        "named in `fields` as `entries[<index>].<field>` (e.g. `entries[3].enterprise`). Sent again (with the "
        "same `Idempotency-Key` header the first answer is replayed; without it) nothing is created twice: a row "
        "whose department, enterprise and month already have an entry answers with it, `created: false`. "
        "201 when an entry was created, 200 when every row already had one.",
    )
    @action(detail=False, methods=["post"], url_path="submit-month")
    def submit_month(self, request):
        data = MonthSubmissionSerializer(data=request.data)
        if not data.is_valid():
            raise serializers.ValidationError(_named_by_row(data.errors))
        data = data.validated_data
        user = request.user
        department = data.get("department") or user.department
        if department is None:
            raise serializers.ValidationError({"department": [_("Choose the planning department.")]})
        year_plan = self._own_year_plan(data.get("year_plan"))
        answered = plan_services.plan_month_submit(
            department=department, month=data["month"], rows=data["entries"], actor=user, year_plan=year_plan
        )
        entries = {entry.pk: entry for entry in self.get_queryset().filter(pk__in=[e.pk for e, _c in answered])}
        rows = [
            {"index": index, "created": created, "entry": PlanEntrySerializer(entries[entry.pk]).data}
            for index, (entry, created) in enumerate(answered)
        ]
        created = sum(1 for row in rows if row["created"])
        body = {"created": created, "existing": len(rows) - created, "entries": rows}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

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


class CoordinationSerializer(ModelSerializer):
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


class YearPlanSerializer(RefuseUnknownFields, ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, help_text="Defaults to the caller's department."
    )
    department_name = serializers.CharField(source="department.name", read_only=True)
    head = serializers.PrimaryKeyRelatedField(source="department.head", read_only=True, allow_null=True)
    months = serializers.SerializerMethodField(
        help_text="Month by month: entries, planned (submitted by publishing), pending, executed, cut, "
        "coordination_rate, reduction_rate."
    )

    class Meta:
        model = YearPlan
        fields = [
            "id",
            "department",
            "department_name",
            "head",
            "year",
            "status",
            "return_reason",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "published_at",
            "months",
        ]
        read_only_fields = [f for f in fields if f not in ("department", "year")]
        validators = []  # one plan per department and year: the service says so, on ``year``

    @extend_schema_field(
        inline_serializer(
            name="YearPlanMonth",
            many=True,
            fields={
                "month": serializers.DateField(),
                "entries": serializers.IntegerField(),
                "planned": serializers.IntegerField(),
                "pending": serializers.IntegerField(),
                "executed": serializers.IntegerField(),
                "cut": serializers.IntegerField(),
                "coordination_rate": serializers.FloatField(allow_null=True),
                "reduction_rate": serializers.FloatField(allow_null=True),
            },
        )
    )
    def get_months(self, plan):
        return selectors.year_plan_months(plan)


class YearPlanFilter(StrictFilterSet):
    class Meta:
        model = YearPlan
        fields = ["status", "year", "department"]


@documented(YearPlanSerializer, "list", "retrieve", "create")
class YearPlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A department's year plan (年计划): drafted and submitted by its officers, approved (or returned with a
    reason) by the department head, published by the head or a coordinator; publishing submits its entries to
    the coordination of their months. Entries are added with ``plan-entries/`` (``year_plan``) or
    ``plan-entries/submit-month/``; ``months`` shows what each month's coordination made of them."""

    serializer_class = YearPlanSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT
    allowed_roles = ENFORCEMENT
    filterset_class = YearPlanFilter

    def get_queryset(self):
        return selectors.year_plan_list(user=self.request.user)

    def perform_create(self, serializer):
        user = self.request.user
        department = serializer.validated_data.get("department") or user.department
        if department is None:
            raise serializers.ValidationError({"department": [_("Choose the planning department.")]})
        serializer.instance = plan_services.year_plan_create(
            department=department, year=serializer.validated_data["year"], actor=user
        )

    def _answer(self, plan):
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(request=None, responses={200: YearPlanSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(plan_services.year_plan_submit(plan=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses={200: YearPlanSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._answer(plan_services.year_plan_approve(plan=self.get_object(), actor=request.user))

    @extend_schema(request=InspectionReasonSerializer, responses={200: YearPlanSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_plan(self, request, pk=None):
        data = InspectionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plan_services.year_plan_return(plan=self.get_object(), actor=request.user, **data.validated_data)
        return self._answer(plan)

    @extend_schema(request=None, responses={200: YearPlanSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._answer(plan_services.year_plan_publish(plan=self.get_object(), actor=request.user))
