"""Credit repair (信用修复) and the lenient lists: the enterprise applies with its evidence, the department's
officers approve or refuse; each penalty case's repair status; the published lenient lists."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from programs.models import User
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import ENFORCEMENT_AND_ENTERPRISE, ENTERPRISES, STAFF

from .. import repair_files, repair_selectors
from ..models import LenientList, LenientListEntry, PenaltyCase, RepairApplication, RepairEvidence
from ..services import repair as services


class RepairEvidenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RepairEvidence.Kind.choices)
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, row) -> str | None:
        return self.context["request"].build_absolute_uri(repair_files.file_url(row)) if row.file else None


class RepairApplicationSerializer(ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    evidence = RepairEvidenceSerializer(many=True, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = RepairApplication
        fields = [
            "id",
            "case",
            "case_number",
            "enterprise",
            "enterprise_name",
            "department",
            "department_name",
            "rule_name",
            "eligible_on",
            "statement",
            "status",
            "submitted_at",
            "review_due",
            "overdue",
            "reminded_at",
            "escalated_at",
            "decided_at",
            "refusal_reason",
            "evidence",
        ]


class RepairApplySerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="The penalty case's id (one of the enterprise's own).")
    statement = serializers.CharField(help_text="What was corrected.")
    commitment = serializers.BooleanField(help_text="The credit commitment (信用承诺); must be true.")
    rectification = serializers.FileField(required=False, allow_null=True, help_text="Proof of rectification.")
    payment = serializers.FileField(required=False, allow_null=True, help_text="Proof of payment (a fine).")
    other = serializers.FileField(required=False, allow_null=True)
    submission_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class RepairApproveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RepairRefuseSerializer(serializers.Serializer):
    reason = serializers.CharField()


@documented(RepairApplicationSerializer, "list", "retrieve")
class RepairApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Credit repair applications: the enterprise applies (multipart, with its evidence files); an officer of the
    department that decided the penalty approves or refuses with a reason."""

    serializer_class = RepairApplicationSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ENFORCEMENT_AND_ENTERPRISE
    filterset_fields = ["status", "enterprise", "department", "case"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return repair_selectors.repair_application_list(user=self.request.user)

    def _answer(self, application, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data, status=code)

    def _officers_only(self):
        if self.request.user.role == User.Role.ENTERPRISE:
            self.permission_denied(self.request, message=_("Your role does not allow this."))

    @extend_schema(request=RepairApplySerializer, responses={201: RepairApplicationSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        if not (request.user.is_superuser or request.user.role in ENTERPRISES):
            self.permission_denied(request, message=_("Only the penalised enterprise applies for credit repair."))
        data = RepairApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = repair_selectors.repair_case_list(user=request.user).filter(pk=values["case"]).first()
        if case is None:
            raise serializers.ValidationError({"case": [_("No such penalty case of yours.")]})
        evidence = [(kind, values[kind]) for kind in RepairEvidence.Kind.values if values.get(kind)]
        application = services.repair_apply(
            case=case,
            actor=request.user,
            statement=values["statement"],
            commitment=values["commitment"],
            evidence=evidence,
            submission_key=values["submission_key"],
        )
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=RepairApproveSerializer, responses={200: RepairApplicationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        self._officers_only()
        data = RepairApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.repair_approve(application=self.get_object(), actor=request.user, **data.validated_data)
        return self._answer(application)

    @extend_schema(request=RepairRefuseSerializer, responses={200: RepairApplicationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        self._officers_only()
        data = RepairRefuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.repair_refuse(application=self.get_object(), actor=request.user, **data.validated_data)
        return self._answer(application)


class CaseRepairSerializer(ModelSerializer):
    """A penalty case with where its credit repair stands (``repair_state``) and from when it may be applied for."""

    repair_state = serializers.SerializerMethodField()
    eligible_on = serializers.SerializerMethodField()
    application = serializers.SerializerMethodField()

    class Meta:
        model = PenaltyCase
        fields = [
            "id",
            "number",
            "department",
            "penalty_kind",
            "fine_amount",
            "status",
            "decided_at",
            "fulfilled_at",
            "repair_state",
            "eligible_on",
            "application",
        ]

    def _repair(self, case):
        return services.repair_state(case, rules=self.context["rules"])

    def get_repair_state(self, case) -> str:
        return self._repair(case).state

    def get_eligible_on(self, case) -> str | None:
        eligible = self._repair(case).eligible_on
        return eligible.isoformat() if eligible else None

    def get_application(self, case) -> int | None:
        application = self._repair(case).application
        return application.pk if application else None


@documented(CaseRepairSerializer, "list", "retrieve")
class CaseRepairViewSet(viewsets.ReadOnlyModelViewSet):
    """Each penalty case's credit repair status (``none``, ``not_fulfilled``, ``waiting``, ``open``,
    ``submitted``, ``repaired``) and the first day the enterprise may apply."""

    serializer_class = CaseRepairSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ()
    filterset_fields = ["status", "enterprise"]

    def get_queryset(self):
        return (
            repair_selectors.repair_case_list(user=self.request.user)
            .prefetch_related("repair_applications")
            .order_by("-opened_at", "-id")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "rules": services.active_repair_rules()}


class LenientEntryOutSerializer(ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = LenientListEntry
        fields = [
            "id",
            "item",
            "item_code",
            "item_name",
            "outcome",
            "first_violation_only",
            "lookback_days",
            "minor_harm_only",
            "correction_required",
            "conditions",
            "is_active",
        ]


class LenientListSerializer(ModelSerializer):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    entries = LenientEntryOutSerializer(many=True, read_only=True)

    class Meta:
        model = LenientList
        fields = [
            "id",
            "kind",
            "name",
            "issuer",
            "issuer_name",
            "document_number",
            "valid_from",
            "valid_until",
            "is_active",
            "entries",
        ]


@documented(LenientListSerializer, "list", "retrieve")
class LenientListViewSet(viewsets.ReadOnlyModelViewSet):
    """The published lenient lists (首违不罚, 轻微免罚, 不予处罚, 审慎执法) with their items and conditions."""

    serializer_class = LenientListSerializer
    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = ()
    filterset_fields = ["kind", "issuer", "is_active"]

    def get_queryset(self):
        return repair_selectors.lenient_list_list(user=self.request.user)
