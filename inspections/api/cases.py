"""Penalty cases (行政处罚案件), handled online (轻案零跑): the officers open, serve, answer, submit, decide and
close; the enterprise reads its own cases, confirms receipt of their documents and states its defence."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.filters import StrictFilterSet
from programs.models import Enterprise, User
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import ENFORCEMENT_AND_ENTERPRISE, ENTERPRISES
from programs.selectors import enterprise_list

from ..case_selectors import case_documents_in_force, case_list
from ..models import CaseDefence, CaseReview, Finding, InspectionItem, PenaltyCase
from ..services import case_receipt
from ..services import cases as case_services
from ..services.case_documents import CASE_DOCUMENT_KINDS, DECISION, NOTICE, case_document_title


class CaseDefenceSerializer(ModelSerializer):
    class Meta:
        model = CaseDefence
        fields = ["id", "statement", "submitted_at", "answer", "accepted", "answered_at"]


class CaseReviewSerializer(ModelSerializer):
    class Meta:
        model = CaseReview
        fields = ["id", "kind", "filed_on", "body", "outcome", "outcome_on", "note"]


class CaseDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(CASE_DOCUMENT_KINDS))
    title = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="The PDF as issued.")
    received_at = serializers.DateTimeField(allow_null=True, help_text="When receipt was confirmed (电子送达).")


class PenaltyCaseListSerializer(serializers.ListSerializer):
    """A page of cases reads the documents in force of all its cases in one query, not two per case."""

    def to_representation(self, data):
        cases = list(data.all() if hasattr(data, "all") else data)
        self.context["case_documents"] = case_documents_in_force(cases, CASE_DOCUMENT_KINDS)
        self.context["case_documents_of"] = {case.pk for case in cases}
        return super().to_representation(cases)


class PenaltyCaseSerializer(ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    defence_open = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    defences = CaseDefenceSerializer(many=True, read_only=True)
    reviews = CaseReviewSerializer(many=True, read_only=True)

    class Meta:
        model = PenaltyCase
        list_serializer_class = PenaltyCaseListSerializer
        fields = [
            "id",
            "number",
            "enterprise",
            "enterprise_name",
            "department",
            "department_name",
            "item",
            "item_code",
            "item_name",
            "finding",
            "inspection",
            "legal_basis",
            "facts",
            "procedure",
            "penalty_kind",
            "fine_amount",
            "status",
            "opened_at",
            "notice_issued_at",
            "notice_served_at",
            "defence_deadline",
            "defence_waived_at",
            "defence_open",
            "approved_at",
            "decided_at",
            "decision_served_at",
            "fulfilled_at",
            "closed_at",
            "cancel_reason",
            "zero_trip",
            "documents",
            "defences",
            "reviews",
        ]

    def get_defence_open(self, case) -> bool:
        return case_services.defence_open(case)

    @extend_schema_field(CaseDocumentSerializer(many=True))
    def get_documents(self, case) -> list[dict]:
        request = self.context["request"]
        in_force = self.context.get("case_documents")
        if in_force is None or case.pk not in self.context.get("case_documents_of", ()):
            in_force = case_documents_in_force([case], CASE_DOCUMENT_KINDS)
        rows = []
        for kind in CASE_DOCUMENT_KINDS:
            issued = in_force.get((case.pk, kind))
            if issued is None:
                continue
            rows.append(
                {
                    "kind": kind,
                    "title": case_document_title(kind),
                    "number": issued.number,
                    "issued_at": issued.issued_at,
                    "url": request.build_absolute_uri(reverse("inspections:case-document", args=[case.pk, kind])),
                    "received_at": case.notice_served_at if kind == NOTICE else case.decision_served_at,
                }
            )
        return CaseDocumentSerializer(rows, many=True).data


class CaseOpenSerializer(serializers.Serializer):
    finding = serializers.PrimaryKeyRelatedField(queryset=Finding.objects.all(), required=False, allow_null=True)
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none(), required=False)
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all(), required=False)
    procedure = serializers.ChoiceField(choices=PenaltyCase.Procedure.choices)
    penalty_kind = serializers.ChoiceField(choices=PenaltyCase.PenaltyKind.choices)
    fine_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=0)
    facts = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # only an enterprise the officer may see (the schema needs no user)
            self.fields["enterprise"].queryset = enterprise_list(user=request.user)

    def validate(self, data):
        if data.get("finding") is None:
            missing = {n: [_("Required without a finding.")] for n in ("enterprise", "item") if not data.get(n)}
            if missing:
                raise serializers.ValidationError(missing, code="required")
        return data


class CaseReceiptSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[NOTICE, DECISION])


class CaseDefenceInSerializer(serializers.Serializer):
    statement = serializers.CharField(max_length=5000)


class CaseAnswerSerializer(serializers.Serializer):
    defence = serializers.IntegerField()
    answer = serializers.CharField()
    accepted = serializers.BooleanField()


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CaseServedOtherwiseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[NOTICE, DECISION])
    note = serializers.CharField()
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CaseReviewInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseReview.Kind.choices)
    filed_on = serializers.DateField()
    body = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseReviewOutcomeSerializer(serializers.Serializer):
    review = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=CaseReview.Outcome.choices)
    outcome_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PenaltyCaseFilter(StrictFilterSet):
    class Meta:
        model = PenaltyCase
        fields = ["status", "procedure", "penalty_kind", "enterprise", "zero_trip"]


OFFICERS = (User.Role.OFFICER,)
ENTERPRISE_ACTIONS = {"receipt", "defence", "waive_defence"}


def _post(request_serializer):
    return extend_schema(request=request_serializer, responses={200: PenaltyCaseSerializer, **ERROR_RESPONSES})


@documented(PenaltyCaseSerializer, "list", "retrieve", "create")
class PenaltyCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Penalty cases: an officer sees its department's, a coordinator its region's, an enterprise its own."""

    serializer_class = PenaltyCaseSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    filterset_class = PenaltyCaseFilter

    @property
    def allowed_roles(self):
        """Who writes depends on the move: the enterprise confirms receipt and states its defence; the
        department's officers do the rest (coordinators read)."""
        return ENTERPRISES if getattr(self, "action", None) in ENTERPRISE_ACTIONS else OFFICERS

    def get_queryset(self):
        return case_list(user=self.request.user).prefetch_related("defences", "reviews")

    def _answer(self, case, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data, status=code)

    def _data(self, serializer_class):
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=CaseOpenSerializer)
    def create(self, request):
        data = self._data(CaseOpenSerializer)
        penalty = {k: data[k] for k in ("procedure", "penalty_kind", "fine_amount")}
        if data.get("finding") is not None:
            case = case_services.case_open_from_finding(
                finding=data["finding"],
                actor=request.user,
                facts=data["facts"],
                legal_basis=data["legal_basis"],
                **penalty,
            )
        else:
            case = case_services.case_open(
                enterprise=data["enterprise"],
                item=data["item"],
                actor=request.user,
                facts=data["facts"],
                legal_basis=data["legal_basis"],
                **penalty,
            )
        return self._answer(case, status.HTTP_201_CREATED)

    # --- The officer's moves -------------------------------------------------------------------------------

    @_post(None)
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        return self._answer(case_services.case_notify(case=self.get_object(), actor=request.user))

    @_post(CaseAnswerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        case = self.get_object()
        data = self._data(CaseAnswerSerializer)
        defence = case.defences.filter(pk=data["defence"]).first()
        if defence is None:
            raise serializers.ValidationError({"defence": [_("Not a statement of this case.")]}, code="invalid")
        case_services.case_defence_answer(
            defence=defence, actor=request.user, answer=data["answer"], accepted=data["accepted"]
        )
        return self._answer(case)

    @_post(None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(case_services.case_submit(case=self.get_object(), actor=request.user))

    @_post(CaseReasonSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        note = self._data(CaseReasonSerializer)["reason"]
        return self._answer(case_services.case_decide(case=self.get_object(), actor=request.user, note=note))

    @_post(CaseReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        reason = self._data(CaseReasonSerializer)["reason"]
        return self._answer(case_services.case_return(case=self.get_object(), actor=request.user, reason=reason))

    @_post(None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(case_services.case_close(case=self.get_object(), actor=request.user))

    @_post(CaseReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = self._data(CaseReasonSerializer)["reason"]
        return self._answer(case_services.case_cancel(case=self.get_object(), actor=request.user, reason=reason))

    @_post(CaseReasonSerializer)
    @action(detail=True, methods=["post"], url_path="office-visit")
    def office_visit(self, request, pk=None):
        note = self._data(CaseReasonSerializer)["reason"]
        return self._answer(
            case_services.case_record_office_visit(case=self.get_object(), actor=request.user, note=note)
        )

    @_post(CaseServedOtherwiseSerializer)
    @action(detail=True, methods=["post"], url_path="served-otherwise")
    def served_otherwise(self, request, pk=None):
        data = self._data(CaseServedOtherwiseSerializer)
        case = case_receipt.case_served_otherwise(
            case=self.get_object(), actor=request.user, kind=data["kind"], note=data["note"], at=data["at"]
        )
        return self._answer(case)

    @_post(CaseReviewInSerializer)
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        case = self.get_object()
        case_services.review_record(case=case, actor=request.user, **self._data(CaseReviewInSerializer))
        return self._answer(case)

    @_post(CaseReviewOutcomeSerializer)
    @action(detail=True, methods=["post"], url_path="review-outcome")
    def review_outcome(self, request, pk=None):
        case = self.get_object()
        data = self._data(CaseReviewOutcomeSerializer)
        review = case.reviews.filter(pk=data.pop("review")).first()
        if review is None:
            raise serializers.ValidationError({"review": [_("Not a review of this case.")]}, code="invalid")
        case_services.review_conclude(review=review, actor=request.user, **data)
        return self._answer(case)

    # --- The enterprise's moves ----------------------------------------------------------------------------

    @_post(CaseReceiptSerializer)
    @action(detail=True, methods=["post"])
    def receipt(self, request, pk=None):
        kind = self._data(CaseReceiptSerializer)["kind"]
        return self._answer(case_receipt.case_receipt_confirm(case=self.get_object(), actor=request.user, kind=kind))

    @_post(CaseDefenceInSerializer)
    @action(detail=True, methods=["post"])
    def defence(self, request, pk=None):
        case = self.get_object()
        case_services.case_defence_submit(case=case, actor=request.user, **self._data(CaseDefenceInSerializer))
        return self._answer(case)

    @_post(None)
    @action(detail=True, methods=["post"], url_path="waive-defence")
    def waive_defence(self, request, pk=None):
        return self._answer(case_services.case_defence_waive(case=self.get_object(), actor=request.user))
