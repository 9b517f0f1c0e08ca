"""Bookings as the mobile clients use them: enterprise users book, reschedule and cancel; staff confirm, assign,
hold and follow up the visit, issue the recommendation letter; the enterprise gives its feedback."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from programs.documents import PdfRenderer, document_response
from programs.models import Department, User
from programs.rest import (
    ERROR_RESPONSES,
    HasRole,
    ModelSerializer,
    OptionalEmailField,
    PrefetchedSlugRelatedField,
    documented,
)
from programs.roles import COORDINATORS, ENFORCEMENT, ENFORCEMENT_AND_ENTERPRISE, ENTERPRISES, STAFF, Role

from .. import selectors, services
from ..models import Booking, Mode, Session, Slot, Theme
from ._common import GuidanceReasonSerializer, call_service
from .letters import (
    GuidanceAdviceSerializer,
    GuidanceLetterReissueSerializer,
    GuidanceLetterSerializer,
    GuidanceRiskCreateSerializer,
)
from .risks import GuidanceRiskSerializer
from .sessions import GuidanceSessionBriefSerializer, GuidanceSessionCreateSerializer, GuidanceSessionSerializer
from .slots import GuidanceSlotSerializer

SESSION_PARAMETER = OpenApiParameter(
    "session", int, description="A session of the booking (its id); default: the booking's first session."
)


# Its relations (here, the slot's themes, the risks, the sessions and their officers) are read from the lists a
# list for the API prefetched, else from the relation (``programs.rest``). (A comment: a docstring would be published
# in the OpenAPI schema.)
class GuidanceBookingSerializer(ModelSerializer):
    theme_title = serializers.CharField(source="theme.title", read_only=True)
    slot = GuidanceSlotSerializer(read_only=True)
    departments = PrefetchedSlugRelatedField(slug_field="name", many=True, read_only=True)
    officers = PrefetchedSlugRelatedField(slug_field="username", many=True, read_only=True)
    risks = GuidanceRiskSerializer(many=True, read_only=True)
    sessions = GuidanceSessionBriefSerializer(many=True, read_only=True)
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
            "sessions",
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


def _session_field():
    """Advice or a risk goes to the session named (one of the booking's), by default the latest held; while the
    first is under way, to the one its recording makes."""
    return serializers.PrimaryKeyRelatedField(queryset=Session.objects.all(), required=False, allow_null=True)


class GuidanceAdviceRecordSerializer(GuidanceAdviceSerializer):
    session = _session_field()


class GuidanceRiskRecordSerializer(GuidanceRiskCreateSerializer):
    session = _session_field()


class GuidanceEvidenceSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True)


class GuidanceFeedbackSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


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
        # The list serializes its page and nothing else: its relations as plain lists (``_booking_queryset``).
        # A detail action gets one booking that services may change, with its relations as managers.
        return selectors.booking_list(user=self.request.user, as_lists=self.action == "list")

    def _respond(self, booking, code=status.HTTP_200_OK):
        detail = selectors.booking_detail(booking=booking)
        # With the request: a risk's evidence link is an absolute URL (GuidanceRiskSerializer).
        return Response(GuidanceBookingSerializer(detail, context=self.get_serializer_context()).data, status=code)

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

    @extend_schema(request=GuidanceAdviceRecordSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT)
    def advice(self, request, pk=None):
        data = GuidanceAdviceRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = self.get_object()
        services.advice_record(booking=booking, actor=request.user, **data.validated_data)
        return self._respond(booking, status.HTTP_201_CREATED)

    @extend_schema(request=GuidanceRiskRecordSerializer)
    @action(detail=True, methods=["post"], allowed_roles=ENFORCEMENT)
    def risks(self, request, pk=None):
        data = GuidanceRiskRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_record(booking=self.get_object(), actor=request.user, **data.validated_data)
        return Response(GuidanceRiskSerializer(risk).data, status=status.HTTP_201_CREATED)

    def _session(self, booking):
        """The session ``?session=<id>`` names (404 when it is not the booking's), by default the first."""
        named = self.request.query_params.get("session", "")
        if named and not named.isdigit():
            raise exceptions.ValidationError({"session": [_("A session is named by its id, a whole number.")]})
        session = selectors.session_of(booking=booking, session_id=named)
        if session is None:
            raise exceptions.NotFound(_("The recommendation letter has not been issued yet."))
        return session

    @extend_schema(methods=["GET"], request=None, parameters=[SESSION_PARAMETER])
    @extend_schema(methods=["POST"], request=None, parameters=[SESSION_PARAMETER])
    @action(detail=True, methods=["get", "post"], read_roles=(*STAFF, Role.ENTERPRISE), allowed_roles=ENFORCEMENT)
    def letter(self, request, pk=None):
        """GET: a session's recommendation letter (建议书) once issued; POST (staff): issue it."""
        booking = self.get_object()
        session = self._session(booking)
        if request.method == "POST":
            booking = services.letter_issue(booking=booking, actor=request.user, session=session)
        elif not session.letter_issued_at:
            raise exceptions.NotFound(_("The recommendation letter has not been issued yet."))
        return self._letter(booking, session)

    def _letter(self, booking, session, code=status.HTTP_200_OK):
        session = selectors.session_list(booking=booking).get(pk=session.pk)
        versions = list(selectors.letter_versions(booking=booking, session=session))
        context = {"versions": versions, "session": session, "request": self.request}
        data = GuidanceLetterSerializer(selectors.booking_detail(booking=booking), context=context).data
        return Response(data, status=code)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: GuidanceSessionSerializer(many=True), **ERROR_RESPONSES},
    )
    @extend_schema(
        methods=["POST"],
        request=GuidanceSessionCreateSerializer,
        responses={201: GuidanceSessionSerializer, **ERROR_RESPONSES},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        read_roles=(*STAFF, Role.ENTERPRISE),
        allowed_roles=ENFORCEMENT,
        pagination_class=None,  # a booking's few sessions, answered whole (and so documented)
    )
    def sessions(self, request, pk=None):
        """GET: the sessions held for the booking, first first. POST (staff): record a session held: on a
        confirmed booking the first (it completes the booking, as ``complete``), on a completed one a follow-up
        (after rectification), held by officers of the booking's departments."""
        booking = self.get_object()
        context = {"request": request}
        if request.method == "GET":
            sessions = selectors.session_list(booking=booking)
            return Response(GuidanceSessionSerializer(sessions, many=True, context=context).data)
        data = GuidanceSessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_record(booking=booking, actor=request.user, **data.validated_data)
        session = selectors.session_list(booking=booking).get(pk=session.pk)
        return Response(GuidanceSessionSerializer(session, context=context).data, status=status.HTTP_201_CREATED)

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
        session = self._session(booking)
        services.letter_reissue(booking=booking, actor=request.user, session=session, **data.validated_data)
        return self._letter(booking, session, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("version", int, description="An earlier version; default: the one in force."),
            SESSION_PARAMETER,
        ],
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
        booking = self.get_object()
        document = selectors.letter_document(
            booking=booking, session=self._session(booking), version=int(version) if version else None
        )
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
