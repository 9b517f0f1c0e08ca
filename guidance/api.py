"""REST endpoints of the guidance app for the mobile clients: themes, free slots, booking and managing visits
(enterprise users), confirming, holding and following them up (staff), the officers' own visits, indicators."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from inspections.models import InspectionItem
from programs.models import Department, Region, User
from programs.rest import ERROR_RESPONSES, STAFF, HasRole
from programs.selectors import is_staff_role

from . import selectors, services
from .models import Booking, Mode, Risk, Slot, Theme

COORDINATOR = (User.Role.COORDINATOR,)
VISIT_STAFF = (User.Role.COORDINATOR, User.Role.OFFICER)
ENTERPRISE = (User.Role.ENTERPRISE,)


class SlotFull(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "slot_full"
    default_detail = _("This slot is full; please choose another.")


def _call(service, **kwargs):
    """Run a service; a full slot is a 409 ``slot_full`` naming the field, other errors go to the handler."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        if services.is_slot_full(exc):
            raise SlotFull({"slot": exc.message_dict["slot"]}) from exc
        raise


# --- Serializers ------------------------------------------------------------------------------------------


class GuidanceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["id", "code", "name", "field"]


class GuidanceThemeSerializer(serializers.ModelSerializer):
    departments = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    items = GuidanceItemSerializer(many=True, read_only=True)
    modes = serializers.ListField(child=serializers.ChoiceField(choices=Mode.choices), read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "code", "title", "description", "departments", "items", "duration_minutes", "modes"]


class GuidanceSlotSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    free = serializers.IntegerField(read_only=True)
    themes = serializers.PrimaryKeyRelatedField(many=True, queryset=Theme.objects.filter(is_active=True))

    class Meta:
        model = Slot
        fields = ["id", "starts_at", "ends_at", "mode", "capacity", "booked", "free", "region", "region_name", "themes"]
        read_only_fields = ["booked"]


class GuidanceRiskSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "booking",
            "item",
            "item_name",
            "description",
            "suggestion",
            "deadline",
            "status",
            "evidence_note",
            "evidence_file",
            "evidence_at",
            "rectified_at",
            "created_at",
        ]
        read_only_fields = fields


class GuidanceBookingSerializer(serializers.ModelSerializer):
    theme_title = serializers.CharField(source="theme.title", read_only=True)
    slot = GuidanceSlotSerializer(read_only=True)
    departments = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    officers = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    risks = GuidanceRiskSerializer(many=True, read_only=True)

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
            "business_name",
            "credit_code",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
            "needs",
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
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    contact_email = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    needs = serializers.CharField(required=False, allow_blank=True, default="")
    consent = serializers.BooleanField()


class GuidanceRescheduleSerializer(serializers.Serializer):
    slot = serializers.PrimaryKeyRelatedField(queryset=Slot.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class GuidanceReasonSerializer(serializers.Serializer):
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


class GuidanceLetterSerializer(serializers.Serializer):
    number = serializers.CharField(source="letter_number")
    issued_at = serializers.DateTimeField(source="letter_issued_at")
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


# --- Views ------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: GuidanceThemeSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: GuidanceThemeSerializer, **ERROR_RESPONSES}),
)
class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The themed scenarios one can book, with their departments and checklist items."""

    permission_classes = [HasRole]
    read_roles = "__all__"
    allowed_roles = ()
    serializer_class = GuidanceThemeSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.theme_list()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("theme", int, description="Only slots offered for this theme."),
            OpenApiParameter("mode", str, enum=Mode.values),
            OpenApiParameter("region", int, description="Only slots in this region's subtree."),
        ],
        responses={200: GuidanceSlotSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(responses={200: GuidanceSlotSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: GuidanceSlotSerializer, **ERROR_RESPONSES}),
)
class SlotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Free slots (list: future, not full); coordinators publish one-off slots (weekly ones come from templates)."""

    permission_classes = [HasRole]
    read_roles = "__all__"
    allowed_roles = COORDINATOR
    serializer_class = GuidanceSlotSerializer

    def get_queryset(self):
        params = self.request.query_params
        theme = get_object_or_404(Theme, pk=params["theme"]) if params.get("theme", "").isdigit() else None
        region = get_object_or_404(Region, pk=params["region"]) if params.get("region", "").isdigit() else None
        return selectors.slot_free_list(theme=theme, mode=params.get("mode") or None, region=region)

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not self.request.user.is_superuser and not data["region"].code.startswith(self.request.user.region.prefix):
            raise exceptions.PermissionDenied(_("You publish slots in your own region only."))
        serializer.instance = services.slot_publish(actor=self.request.user, **data)


@extend_schema_view(
    list=extend_schema(responses={200: GuidanceBookingSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES}),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bookings as the caller may see them: an enterprise user its own enterprise's, staff their region's (an
    officer those of their department). Enterprise users book, reschedule and cancel; staff confirm, hold
    and follow up the visit."""

    permission_classes = [HasRole]
    read_roles = (*STAFF, User.Role.ENTERPRISE)
    allowed_roles = ENTERPRISE
    serializer_class = GuidanceBookingSerializer
    filterset_fields = ["status", "theme", "mode"]
    search_fields = ["reference", "business_name"]
    ordering_fields = ["created_at", "slot__starts_at"]

    def get_queryset(self):
        return selectors.booking_list(user=self.request.user)

    def _respond(self, booking, code=status.HTTP_200_OK):
        return Response(GuidanceBookingSerializer(selectors.booking_detail(booking=booking)).data, status=code)

    @extend_schema(
        request=GuidanceBookingCreateSerializer, responses={201: GuidanceBookingSerializer, **ERROR_RESPONSES}
    )
    def create(self, request):
        data = GuidanceBookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["mode"] = fields.get("mode") or fields["slot"].mode
        booking = _call(services.booking_create, actor=request.user, **fields)
        return self._respond(booking, status.HTTP_201_CREATED)

    @extend_schema(request=GuidanceRescheduleSerializer, responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=(*VISIT_STAFF, *ENTERPRISE))
    def reschedule(self, request, pk=None):
        data = GuidanceRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = _call(
            services.booking_reschedule, booking=self.get_object(), actor=request.user, **data.validated_data
        )
        return self._respond(booking)

    @extend_schema(request=GuidanceReasonSerializer, responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=(*VISIT_STAFF, *ENTERPRISE))
    def cancel(self, request, pk=None):
        data = GuidanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_cancel(booking=self.get_object(), actor=request.user, **data.validated_data)
        return self._respond(booking)

    @extend_schema(request=GuidanceConfirmSerializer, responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=COORDINATOR)
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

    @extend_schema(request=GuidanceConfirmSerializer, responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=COORDINATOR)
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

    @extend_schema(request=GuidanceCompleteSerializer, responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=VISIT_STAFF)
    def complete(self, request, pk=None):
        data = GuidanceCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_complete(booking=self.get_object(), actor=request.user, **data.validated_data)
        return self._respond(booking)

    @extend_schema(request=GuidanceReasonSerializer, responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="no-show", allowed_roles=VISIT_STAFF)
    def no_show(self, request, pk=None):
        data = GuidanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_mark_no_show(booking=self.get_object(), actor=request.user, **data.validated_data)
        return self._respond(booking)

    @extend_schema(request=GuidanceAdviceSerializer, responses={201: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=VISIT_STAFF)
    def advice(self, request, pk=None):
        data = GuidanceAdviceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = self.get_object()
        services.advice_record(booking=booking, actor=request.user, **data.validated_data)
        return self._respond(booking, status.HTTP_201_CREATED)

    @extend_schema(request=GuidanceRiskCreateSerializer, responses={201: GuidanceRiskSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=VISIT_STAFF)
    def risks(self, request, pk=None):
        data = GuidanceRiskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_record(booking=self.get_object(), actor=request.user, **data.validated_data)
        return Response(GuidanceRiskSerializer(risk).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: GuidanceLetterSerializer, **ERROR_RESPONSES})
    @extend_schema(methods=["POST"], request=None, responses={200: GuidanceLetterSerializer, **ERROR_RESPONSES})
    @action(
        detail=True,
        methods=["get", "post"],
        read_roles=(*STAFF, User.Role.ENTERPRISE),
        allowed_roles=VISIT_STAFF,
    )
    def letter(self, request, pk=None):
        """GET: the recommendation letter (建议书) once issued; POST (staff): issue it."""
        booking = self.get_object()
        if request.method == "POST":
            booking = services.letter_issue(booking=booking, actor=request.user)
        elif not booking.letter_issued_at:
            raise exceptions.NotFound(_("The recommendation letter has not been issued yet."))
        return Response(GuidanceLetterSerializer(selectors.booking_detail(booking=booking)).data)

    @extend_schema(request=GuidanceFeedbackSerializer, responses={200: GuidanceBookingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=ENTERPRISE)
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


@extend_schema_view(
    list=extend_schema(responses={200: GuidanceRiskSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: GuidanceRiskSerializer, **ERROR_RESPONSES}),
)
class RiskViewSet(viewsets.ReadOnlyModelViewSet):
    """Rectification items from guidance visits: the enterprise uploads evidence, staff confirm or reject it."""

    permission_classes = [HasRole]
    read_roles = (*STAFF, User.Role.ENTERPRISE)
    allowed_roles = VISIT_STAFF
    serializer_class = GuidanceRiskSerializer
    filterset_fields = ["status", "booking"]

    def get_queryset(self):
        return selectors.risk_list(user=self.request.user).order_by("created_at", "id")

    @extend_schema(request=GuidanceEvidenceSerializer, responses={200: GuidanceRiskSerializer, **ERROR_RESPONSES})
    @action(
        detail=True,
        methods=["post"],
        allowed_roles=ENTERPRISE,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def evidence(self, request, pk=None):
        data = GuidanceEvidenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_submit_evidence(
            risk=self.get_object(),
            actor=request.user,
            note=data.validated_data["note"],
            file=data.validated_data.get("file"),
        )
        return Response(GuidanceRiskSerializer(risk, context={"request": request}).data)

    @extend_schema(request=None, responses={200: GuidanceRiskSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=VISIT_STAFF)
    def confirm(self, request, pk=None):
        risk = services.risk_confirm(risk=self.get_object(), actor=request.user)
        return Response(GuidanceRiskSerializer(risk, context={"request": request}).data)

    @extend_schema(request=GuidanceReasonSerializer, responses={200: GuidanceRiskSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=VISIT_STAFF)
    def reject(self, request, pk=None):
        data = GuidanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_reject(risk=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        return Response(GuidanceRiskSerializer(risk, context={"request": request}).data)


@extend_schema_view(list=extend_schema(responses={200: GuidanceBookingSerializer(many=True), **ERROR_RESPONSES}))
class OfficerVisitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The visits the signed-in officer is assigned to, soonest first (``?upcoming=true`` for open ones only)."""

    permission_classes = [HasRole]
    read_roles = (User.Role.OFFICER,)
    allowed_roles = ()
    serializer_class = GuidanceBookingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no signed-in officer
            return Booking.objects.none()
        visits = selectors.officer_visit_list(user=self.request.user)
        if self.request.query_params.get("upcoming") in ("1", "true"):
            visits = visits.filter(status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED])
        return visits


class IndicatorsView(APIView):
    """Guidance indicators for the caller's scope: bookings accepted, visits held online / on site, no-shows,
    risks found and rectified, satisfaction; by theme and county. Period defaults to the last 30 days."""

    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = ()

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("region", int, description="A region inside the caller's scope."),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES},
    )
    def get(self, request):
        params = request.query_params
        try:
            end = date.fromisoformat(params["end"]) if params.get("end") else timezone.localdate()
            start = date.fromisoformat(params["start"]) if params.get("start") else end - timedelta(days=29)
        except ValueError as exc:
            raise serializers.ValidationError({"start": [_("Dates are YYYY-MM-DD.")]}) from exc
        if start > end:
            raise serializers.ValidationError({"start": [_("The start is after the end.")]})
        region = get_object_or_404(Region, pk=params["region"]) if params.get("region", "").isdigit() else None
        if region is not None and not is_staff_role(request.user):
            raise exceptions.PermissionDenied()
        return Response(selectors.guidance_indicators(user=request.user, region=region, start=start, end=end))
