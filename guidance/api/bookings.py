"""Bookings as the mobile clients use them: enterprise users book, reschedule and cancel; staff confirm, assign,
hold and follow up the visit, issue the recommendation letter; the enterprise gives its feedback."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from inspections.models import InspectionItem
from programs.documents import PdfRenderer, document_response
from programs.models import Department, User
from programs.rest import ERROR_RESPONSES, HasRole, OptionalEmailField, documented
from programs.roles import COORDINATORS, ENFORCEMENT, ENFORCEMENT_AND_ENTERPRISE, ENTERPRISES, STAFF, Role

from .. import selectors, services
from ..models import Booking, Mode, Slot, Theme
from ._common import GuidanceReasonSerializer, call_service
from .risks import GuidanceRiskSerializer
from .slots import GuidanceSlotSerializer


class GuidanceBookingSerializer(serializers.ModelSerializer):
    theme_title = serializers.CharField(source="theme.title", read_only=True)
    slot = GuidanceSlotSerializer(read_only=True)
    departments = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    officers = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    risks = GuidanceRiskSerializer(many=True, read_only=True)
    contact_email = OptionalEmailField(read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "reference",
            "status",
            "theme",
            "theme_title",
            "slot",
            "mode",
            "enterprise",
            "unverified_enterprise",
            "business_name",
            "credit_code",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
            "needs",
            "channel",
            "departments",
            "officers",
            "created_at",
            "confirmed_at",
            "completed_at",
            "cancel_reason",
            "summary",
            "letter_number",
            "letter_issued_at",
            "satisfaction",
            "feedback_at",
            "risks",
        ]
        read_only_fields = fields


class GuidanceBookingCreateSerializer(serializers.Serializer):
    theme = serializers.PrimaryKeyRelatedField(queryset=Theme.objects.filter(is_active=True))
    slot = serializers.PrimaryKeyRelatedField(queryset=Slot.objects.all())
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    business_name = serializers.CharField(required=False, allow_blank=True, default="")
    # Staff booking for a caller give the caller's business; an enterprise user's is its own enterprise.
    credit_code = serializers.CharField(required=False, allow_blank=True, default="")
    not_registered = serializers.BooleanField(required=False, default=False)
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    contact_email = OptionalEmailField(default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    needs = serializers.CharField(required=False, allow_blank=True, default="")
    consent = serializers.BooleanField()


class GuidanceRescheduleSerializer(serializers.Serializer):
    slot = serializers.PrimaryKeyRelatedField(queryset=Slot.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class GuidanceConfirmSerializer(serializers.Serializer):
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    officers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=User.Role.OFFICER), many=True, required=False
    )


class GuidanceCompleteSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class GuidanceAdviceSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all(), required=False, allow_null=True)
    text = serializers.CharField(allow_blank=True)


class GuidanceRiskCreateSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(allow_blank=True)
    suggestion = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True)


class GuidanceEvidenceSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True)


class GuidanceFeedbackSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


def _letter_pdf_url(document) -> str:
    return f"/api/v1/guidance/bookings/{document.object_id}/letter/pdf/?version={document.version}"


class GuidanceLetterVersionSerializer(serializers.Serializer):
    """One issued version of the letter: the stored PDF, its hash, and why it replaced the one before."""

    version = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    reason = serializers.CharField()
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, document) -> str:
        return _letter_pdf_url(document)


class GuidanceLetterReissueSerializer(serializers.Serializer):
    reason = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True)
    advice = GuidanceAdviceSerializer(many=True, required=False, default=list)
    risks = GuidanceRiskCreateSerializer(many=True, required=False, default=list)


class GuidanceLetterSerializer(serializers.Serializer):
    """The letter's contents to read, and the issued PDF (``pdf_url``, the version in force, and every version
    in ``versions``, newest first): the PDF is the letter."""

    number = serializers.CharField(source="letter_number")
    issued_at = serializers.DateTimeField(source="letter_issued_at")
    version = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    reference = serializers.CharField()
    business_name = serializers.CharField()
    theme = serializers.CharField(source="theme.title")
    visit_at = serializers.DateTimeField(source="slot.starts_at")
    departments = serializers.SerializerMethodField()
    summary = serializers.CharField()
    advice = serializers.SerializerMethodField()
    risks = GuidanceRiskSerializer(many=True)
    print_url = serializers.SerializerMethodField()

    def get_departments(self, booking) -> list[str]:
        return [d.name for d in booking.departments.all()]

    def get_advice(self, booking) -> list[dict]:
        return [{"item": a.item.name if a.item else None, "text": a.text} for a in booking.advice.all()]

    def get_print_url(self, booking) -> str:
        return f"/guidance/letters/{booking.pk}/"

    def _in_force(self):
        versions = self.context["versions"]
        return versions[0] if versions else None

    def get_version(self, booking) -> int | None:
        return self._in_force().version if self._in_force() else None

    def get_sha256(self, booking) -> str | None:
        return self._in_force().sha256 if self._in_force() else None

    def get_pdf_url(self, booking) -> str | None:
        return _letter_pdf_url(self._in_force()) if self._in_force() else None

    @extend_schema_field(GuidanceLetterVersionSerializer(many=True))
    def get_versions(self, booking) -> list[dict]:
        return GuidanceLetterVersionSerializer(self.context["versions"], many=True).data


@documented(
    GuidanceBookingSerializer,
    "list",
    "retrieve",
    create=201,
    claim=200,
    reschedule=200,
    cancel=200,
    confirm=200,
    assign=200,
    complete=200,
    no_show=200,
    advice=201,
    risks=(201, GuidanceRiskSerializer),
    letter=(200, GuidanceLetterSerializer),
    letter_reissue=(201, GuidanceLetterSerializer),
    feedback=200,
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bookings as the caller may see them: an enterprise user its own enterprise's, staff their region's (an
    officer those of their department). Enterprise users book, reschedule and cancel; staff confirm, hold
    and follow up the visit."""

    permission_classes = [HasRole]
    read_roles = (*STAFF, Role.ENTERPRISE)
    # Booking (``create``): an enterprise user for its enterprise, a coordinator or officer for a caller on the
    # phone (recorded as a phone booking by them); every other write declares its own roles.
    allowed_roles = ENFORCEMENT_AND_ENTERPRISE
    serializer_class = GuidanceBookingSerializer
    filterset_fields = ["status", "theme", "mode"]
    search_fields = ["reference", "business_name"]
    ordering_fields = ["created_at", "slot__starts_at"]

    def get_queryset(self):
        if self.action == "claim":
            return selectors.booking_claimable_list(user=self.request.user)
        return selectors.booking_list(user=self.request.user)

    def _respond(self, booking, code=status.HTTP_200_OK):
        return Response(GuidanceBookingSerializer(selectors.booking_detail(booking=booking)).data, status=code)

    @extend_schema(request=GuidanceBookingCreateSerializer)
    def create(self, request):
        data = GuidanceBookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["mode"] = fields.get("mode") or fields["slot"].mode
        if request.user.role != Role.ENTERPRISE:
            fields["channel"] = Booking.Channel.PHONE
        booking = call_service(services.booking_create, actor=request.user, **fields)
        return self._respond(booking, status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], allowed_roles=ENTERPRISES)
    def claim(self, request, pk=None):
        """An enterprise user makes a booking made without signing in with its credit code the enterprise's."""
        booking = call_service(services.booking_claim, booking=self.get_object(), actor=request.user)
        return self._respond(booking)

    @extend_schema(request=GuidanceRescheduleSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT_AND_ENTERPRISE)
    def reschedule(self, request, pk=None):
        data = GuidanceRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = call_service(
            services.booking_reschedule,
            booking=self.get_object(),
            actor=request.user,
            slot=data.validated_data["slot"],
            reason=data.validated_data["reason"],
        )
        return self._respond(booking)

    @extend_schema(request=GuidanceReasonSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT_AND_ENTERPRISE)
    def cancel(self, request, pk=None):
        data = GuidanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_cancel(
            booking=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._respond(booking)

    @extend_schema(request=GuidanceConfirmSerializer)
    @action(detail=True, methods=["post"], allowed_roles=COORDINATORS)
    def confirm(self, request, pk=None):
        data = GuidanceConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_confirm(
            booking=self.get_object(),
            actor=request.user,
            departments=data.validated_data.get("departments"),
            officers=data.validated_data.get("officers"),
        )
        return self._respond(booking)

    @extend_schema(request=GuidanceConfirmSerializer)
    @action(detail=True, methods=["post"], allowed_roles=COORDINATORS)
    def assign(self, request, pk=None):
        """Change the departments and officers of an open booking."""
        data = GuidanceConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = self.get_object()
        booking = services.booking_assign(
            booking=booking,
            actor=request.user,
            departments=data.validated_data.get("departments", booking.departments.all()),
            officers=data.validated_data.get("officers", booking.officers.all()),
        )
        return self._respond(booking)

    @extend_schema(request=GuidanceCompleteSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT)
    def complete(self, request, pk=None):
        data = GuidanceCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_complete(
            booking=self.get_object(), actor=request.user, summary=data.validated_data["summary"]
        )
        return self._respond(booking)

    @extend_schema(request=GuidanceReasonSerializer)
    @action(detail=True, methods=["post"], url_path="no-show", allowed_roles=ENFORCEMENT)
    def no_show(self, request, pk=None):
        data = GuidanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_mark_no_show(
            booking=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._respond(booking)

    @extend_schema(request=GuidanceAdviceSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT)
    def advice(self, request, pk=None):
        data = GuidanceAdviceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = self.get_object()
        services.advice_record(
            booking=booking, actor=request.user, text=data.validated_data["text"], item=data.validated_data.get("item")
        )
        return self._respond(booking, status.HTTP_201_CREATED)

    @extend_schema(request=GuidanceRiskCreateSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT)
    def risks(self, request, pk=None):
        data = GuidanceRiskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_record(booking=self.get_object(), actor=request.user, **data.validated_data)
        return Response(GuidanceRiskSerializer(risk).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None)
    @extend_schema(methods=["POST"], request=None)
    @action(detail=True, methods=["get", "post"], read_roles=(*STAFF, Role.ENTERPRISE), allowed_roles=ENFORCEMENT)
    def letter(self, request, pk=None):
        """GET: the recommendation letter (建议书) once issued; POST (staff): issue it."""
        booking = self.get_object()
        if request.method == "POST":
            booking = services.letter_issue(booking=booking, actor=request.user)
        elif not booking.letter_issued_at:
            raise exceptions.NotFound(_("The recommendation letter has not been issued yet."))
        return self._letter(booking)

    def _letter(self, booking, code=status.HTTP_200_OK):
        versions = list(selectors.letter_versions(booking=booking))
        data = GuidanceLetterSerializer(selectors.booking_detail(booking=booking), context={"versions": versions}).data
        return Response(data, status=code)

    @extend_schema(request=GuidanceLetterReissueSerializer)
    # Corrections are nested lists: only JSON can carry them (a form body would drop them without a word).
    @action(
        detail=True,
        methods=["post"],
        url_path="letter/reissue",
        allowed_roles=ENFORCEMENT,
        parser_classes=[JSONParser],
    )
    def letter_reissue(self, request, pk=None):
        """A new version of the issued letter with its corrections (more advice or risks, a new summary) and the
        reason; the old version stays readable."""
        data = GuidanceLetterReissueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = self.get_object()
        services.letter_reissue(booking=booking, actor=request.user, **data.validated_data)
        return self._letter(booking, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="An earlier version; default: the one in force.")],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **{(code, "application/json"): answer for code, answer in ERROR_RESPONSES.items()},
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="letter/pdf",
        read_roles=(*STAFF, Role.ENTERPRISE),
        renderer_classes=[*api_settings.DEFAULT_RENDERER_CLASSES, PdfRenderer],
    )
    def letter_pdf(self, request, pk=None):
        """The issued letter as stored (application/pdf, ETag = its SHA-256), never rendered again."""
        version = request.query_params.get("version", "")
        if version and not version.isdigit():
            raise exceptions.ValidationError({"version": [_("A version is a whole number.")]})
        document = selectors.letter_document(booking=self.get_object(), version=int(version) if version else None)
        if document is None:
            raise exceptions.NotFound(_("The recommendation letter has not been issued yet."))
        return document_response(document, request)

    @extend_schema(request=GuidanceFeedbackSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENTERPRISES)
    def feedback(self, request, pk=None):
        data = GuidanceFeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.feedback_submit(
            booking=self.get_object(),
            actor=request.user,
            satisfaction=data.validated_data["satisfaction"],
            comment=data.validated_data["comment"],
        )
        return self._respond(booking)
