"""REST endpoints of the workshops app, for the mobile clients: grid workers survey residents and recommend
them, organisers and host enterprises decide, residents see positions near them and their registrations."""

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.models import Region, User
from programs.rest import ERROR_RESPONSES, HasRole
from programs.selectors import scope
from programs.validators import normalize_id_number

from . import selectors, services
from .models import Activity, Category, Employment, IncomeRecord, Position, Registration, Resident, Workshop
from .privacy import resident_view

ORGANISER = User.Role.ORGANISER
GRID_WORKER = User.Role.GRID_WORKER
ENTERPRISE = User.Role.ENTERPRISE
RESIDENT = User.Role.RESIDENT
COORDINATOR = User.Role.COORDINATOR
WORKSHOP_STAFF = (ORGANISER, GRID_WORKER)
NO_DELETE = ["get", "post", "patch", "head", "options"]


def _region_in_reach(user: User, region: Region) -> bool:
    return scope(Region.objects.filter(pk=region.pk), user, region="").exists()


def _check_village(user: User, village: Region, field: str = "village") -> None:
    if not _region_in_reach(user, village):
        raise serializers.ValidationError({field: [_("This village is outside your region.")]})


def documented(serializer, *actions):
    """Declare every answer of the standard actions, the error ones included, in the OpenAPI schema."""
    success = {"list": 200, "retrieve": 200, "create": 201, "partial_update": 200}
    spec = {}
    for name in actions:
        body = serializer(many=True) if name == "list" else serializer
        spec[name] = extend_schema(responses={success[name]: body, **ERROR_RESPONSES})
    return extend_schema_view(**spec)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- Workshops ------------------------------------------------------------------------------------


class WorkshopSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    town_name = serializers.CharField(source="village.parent.name", read_only=True, default=None)
    host_enterprise_name = serializers.CharField(source="host_enterprise.name", read_only=True, default=None)

    class Meta:
        model = Workshop
        fields = [
            "id",
            "name",
            "kind",
            "host_enterprise",
            "host_enterprise_name",
            "village",
            "village_name",
            "town_name",
            "address",
            "manager_name",
            "manager_phone",
            "products",
            "description",
            "status",
            "opened_on",
            "closed_on",
        ]
        read_only_fields = ["status", "closed_on"]


@documented(WorkshopSerializer, "list", "retrieve", "create", "partial_update")
class WorkshopViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Workshops: staff see their region's, a host enterprise its own, a resident the open ones.
    Organisers create them and change their status."""

    serializer_class = WorkshopSerializer
    permission_classes = [HasRole]
    read_roles = (ORGANISER, GRID_WORKER, COORDINATOR, ENTERPRISE, RESIDENT)
    allowed_roles = (ORGANISER,)
    http_method_names = NO_DELETE
    filterset_fields = ["kind", "status", "village"]
    search_fields = ["name", "products"]

    def get_queryset(self):
        return selectors.workshop_list(user=self.request.user)

    def perform_create(self, serializer):
        _check_village(self.request.user, serializer.validated_data["village"])
        serializer.instance = services.workshop_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        if "village" in serializer.validated_data:
            _check_village(self.request.user, serializer.validated_data["village"])
        serializer.instance = services.workshop_update(
            workshop=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def _status(self, request, to):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workshop = services.workshop_set_status(
            workshop=self.get_object(), to=to, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(workshop).data)

    @extend_schema(request=ReasonSerializer, responses={200: WorkshopSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._status(request, Workshop.Status.OPEN)

    @extend_schema(request=ReasonSerializer, responses={200: WorkshopSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._status(request, Workshop.Status.SUSPENDED)

    @extend_schema(request=ReasonSerializer, responses={200: WorkshopSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._status(request, Workshop.Status.CLOSED)


# --- Positions ------------------------------------------------------------------------------------


class PositionSerializer(serializers.ModelSerializer):
    workshop_name = serializers.CharField(source="workshop.name", read_only=True)
    village = serializers.IntegerField(source="workshop.village_id", read_only=True)
    village_name = serializers.CharField(source="workshop.village.name", read_only=True)
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "workshop",
            "workshop_name",
            "village",
            "village_name",
            "title",
            "category",
            "description",
            "openings",
            "accepted_count",
            "places_left",
            "pay_amount",
            "pay_unit",
            "seasonal_start",
            "seasonal_end",
            "accessible",
            "status",
        ]
        read_only_fields = ["accepted_count", "status"]


class MatchSerializer(PositionSerializer):
    travel_minutes = serializers.IntegerField(read_only=True)

    class Meta(PositionSerializer.Meta):
        fields = [*PositionSerializer.Meta.fields, "travel_minutes"]


@documented(PositionSerializer, "list", "retrieve", "create", "partial_update")
class PositionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Positions (共富岗位). Organisers manage their region's; a host enterprise manages its own workshops'
    positions (用工直通车); residents see the open ones and those near them."""

    serializer_class = PositionSerializer
    permission_classes = [HasRole]
    read_roles = (ORGANISER, GRID_WORKER, COORDINATOR, ENTERPRISE, RESIDENT)
    allowed_roles = (ORGANISER, ENTERPRISE)
    http_method_names = NO_DELETE
    filterset_fields = ["category", "accessible", "workshop", "status", "pay_unit"]
    search_fields = ["title", "workshop__name"]

    def get_queryset(self):
        return selectors.position_list(user=self.request.user)

    def _check_workshop(self, workshop):
        if not selectors.workshop_list(user=self.request.user).filter(pk=workshop.pk).exists():
            raise serializers.ValidationError({"workshop": [_("You do not manage this workshop.")]})

    def perform_create(self, serializer):
        self._check_workshop(serializer.validated_data["workshop"])
        serializer.instance = services.position_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        if "workshop" in fields:
            self._check_workshop(fields["workshop"])
        serializer.instance = services.position_update(position=serializer.instance, actor=self.request.user, **fields)

    @extend_schema(request=ReasonSerializer, responses={200: PositionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        position = services.position_close(
            position=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(position).data)

    @extend_schema(request=ReasonSerializer, responses={200: PositionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        position = services.position_reopen(
            position=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(position).data)

    @extend_schema(request=None, responses={200: MatchSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=False, methods=["get"], url_path="near-me", read_roles=(RESIDENT,), pagination_class=None)
    def near_me(self, request):
        """The open positions in the caller's 15-minute circle that fit their wish to work, best first."""
        resident = Resident.objects.select_related("village").filter(user=request.user).first()
        if resident is None:
            raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
        return Response(MatchSerializer(selectors.positions_matching(resident=resident), many=True).data)


# --- Residents ------------------------------------------------------------------------------------


class CategoriesField(serializers.MultipleChoiceField):
    """Wished categories as a list in the order given; a bad one is a flat error message, as every error is."""

    def __init__(self, **kwargs):
        super().__init__(choices=Category.choices, **kwargs)

    def to_internal_value(self, data):
        chosen = super().to_internal_value(data)
        return [value for value in dict.fromkeys(data) if value in chosen]

    def to_representation(self, value):
        return list(value)


class ResidentSerializer(serializers.ModelSerializer):
    """Sensitive fields are shown in full only to those with a need to know (see ``workshops.privacy``)."""

    village_name = serializers.CharField(source="village.name", read_only=True)
    wished_categories = CategoriesField(required=False)
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "village",
            "village_name",
            "has_disability",
            "is_low_income",
            "wants_work",
            "wished_categories",
            "surveyed_on",
            "grid_worker",
            "has_account",
        ]
        read_only_fields = ["surveyed_on", "grid_worker"]
        # Uniqueness is the service's to judge (through full_clean), with a message that does not echo the number.
        extra_kwargs = {"id_number": {"validators": []}}

    def get_has_account(self, resident) -> bool:
        return resident.user_id is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.update(resident_view(self.context["request"].user, instance))
        return data

    def validate_id_number(self, value):
        return normalize_id_number(value)


class SurveySerializer(serializers.Serializer):
    wants_work = serializers.BooleanField()
    wished_categories = CategoriesField()
    surveyed_on = serializers.DateField(required=False)
    has_disability = serializers.BooleanField(required=False)
    is_low_income = serializers.BooleanField(required=False)


@documented(ResidentSerializer, "list", "retrieve", "create", "partial_update")
class ResidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Residents: organisers and grid workers of the region register and survey them; a resident reads
    their own record (``/residents/me/``). Nobody else reads residents."""

    serializer_class = ResidentSerializer
    permission_classes = [HasRole]
    read_roles = (ORGANISER, GRID_WORKER, RESIDENT)
    allowed_roles = WORKSHOP_STAFF
    http_method_names = NO_DELETE
    filterset_fields = ["village", "wants_work"]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.resident_list(user=self.request.user)

    def perform_create(self, serializer):
        _check_village(self.request.user, serializer.validated_data["village"])
        serializer.instance = services.resident_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        if "id_number" in fields:
            raise serializers.ValidationError({"id_number": [_("An ID number is not changed once recorded.")]})
        if "village" in fields:
            _check_village(self.request.user, fields["village"])
        serializer.instance = services.resident_update(resident=serializer.instance, actor=self.request.user, **fields)

    @extend_schema(request=None, responses={200: ResidentSerializer, **ERROR_RESPONSES})
    @action(detail=False, methods=["get"], read_roles=(RESIDENT,))
    def me(self, request):
        resident = self.get_queryset().filter(user=request.user).first()
        if resident is None:
            raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
        return Response(self.get_serializer(resident).data)

    @extend_schema(request=SurveySerializer, responses={200: ResidentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def survey(self, request, pk=None):
        """Record a willingness survey (就业意愿摸排): wish to work, in which categories, on which day."""
        data = SurveySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resident = services.resident_survey(resident=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(resident).data)

    @extend_schema(request=None, responses={200: MatchSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        """Open positions in the resident's 15-minute circle that fit their wish to work, best first."""
        return Response(MatchSerializer(selectors.positions_matching(resident=self.get_object()), many=True).data)


# --- Registrations --------------------------------------------------------------------------------


class RegistrationSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    position_title = serializers.CharField(source="position.title", read_only=True)
    workshop_name = serializers.CharField(source="position.workshop.name", read_only=True)
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.all(), required=False)
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    channel = serializers.ChoiceField(choices=Registration.Channel.choices, required=False)
    consent = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Registration
        fields = [
            "id",
            "reference",
            "resident",
            "resident_name",
            "position",
            "position_title",
            "workshop_name",
            "channel",
            "status",
            "baseline_monthly_income",
            "note",
            "reason",
            "consent",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["reference", "status", "reason", "status_changed_at", "created_at"]
        # One active registration per resident and position is the service's rule: asking again returns it.
        validators = []


class EmploySerializer(serializers.Serializer):
    start_date = serializers.DateField()
    wage = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)
    wage_unit = serializers.ChoiceField(choices=Position.PayUnit.choices, required=False)


class IncomeRecordSerializer(serializers.ModelSerializer):
    increase = serializers.SerializerMethodField()

    class Meta:
        model = IncomeRecord
        fields = ["id", "month", "income", "increase"]

    def get_increase(self, record) -> str:
        return str(record.income - record.employment.registration.baseline_monthly_income)


class EmploymentSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="registration.resident.name", read_only=True)
    position_title = serializers.CharField(source="registration.position.title", read_only=True)
    workshop_name = serializers.CharField(source="registration.position.workshop.name", read_only=True)
    baseline_monthly_income = serializers.DecimalField(
        source="registration.baseline_monthly_income", max_digits=9, decimal_places=2, read_only=True
    )
    income_records = IncomeRecordSerializer(many=True, read_only=True)

    class Meta:
        model = Employment
        fields = [
            "id",
            "registration",
            "resident_name",
            "position_title",
            "workshop_name",
            "start_date",
            "end_date",
            "wage",
            "wage_unit",
            "baseline_monthly_income",
            "income_records",
        ]


DECIDERS = (ORGANISER, ENTERPRISE)


@extend_schema_view(
    list=extend_schema(responses={200: RegistrationSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: RegistrationSerializer, **ERROR_RESPONSES}),
    create=extend_schema(
        description="Registers a resident for a position; asking again returns the active registration (200).",
        responses={201: RegistrationSerializer, 200: RegistrationSerializer, **ERROR_RESPONSES},
    ),
)
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Registrations (报名). A resident registers themself (with consent) and withdraws; a grid worker or
    organiser registers a resident, recommends and records the home visit; the organiser or the host
    enterprise accepts, rejects (with a reason) and records the start of work."""

    serializer_class = RegistrationSerializer
    permission_classes = [HasRole]
    read_roles = (ORGANISER, GRID_WORKER, ENTERPRISE, RESIDENT)
    allowed_roles = (ORGANISER, GRID_WORKER, ENTERPRISE, RESIDENT)
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "channel", "position", "resident"]

    def get_queryset(self):
        return selectors.registration_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        user = request.user
        if user.role == ENTERPRISE and not user.is_superuser:
            self.permission_denied(request, message=_("An enterprise records decisions, not registrations."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if user.role == RESIDENT:
            resident = Resident.objects.filter(user=user).first()
            if resident is None:
                raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
            channel = Registration.Channel.SELF
        else:
            if "resident" not in data:
                raise serializers.ValidationError({"resident": [_("Choose the resident.")]})
            resident = data["resident"]
            if not selectors.resident_list(user=user).filter(pk=resident.pk).exists():
                raise serializers.ValidationError({"resident": [_("This resident is outside your region.")]})
            default = Registration.Channel.GRID_WORKER if user.role == GRID_WORKER else Registration.Channel.COMMUNITY
            channel = data.get("channel", default)
        registration, created = services.registration_submit(
            resident=resident,
            position=data["position"],
            channel=channel,
            actor=user,
            baseline_monthly_income=data.get("baseline_monthly_income", 0),
            note=data.get("note", ""),
            consent=data.get("consent", False),
        )
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(
            self.get_serializer(registration).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def _reason(self, request) -> str:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["reason"]

    def _answer(self, registration):
        return Response(self.get_serializer(self.get_queryset().get(pk=registration.pk)).data)

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=WORKSHOP_STAFF)
    def recommend(self, request, pk=None):
        return self._answer(
            services.registration_recommend(
                registration=self.get_object(), actor=request.user, note=self._reason(request)
            )
        )

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="home-visit", allowed_roles=WORKSHOP_STAFF)
    def home_visit(self, request, pk=None):
        return self._answer(
            services.registration_record_home_visit(
                registration=self.get_object(), actor=request.user, note=self._reason(request)
            )
        )

    @extend_schema(request=None, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=DECIDERS)
    def accept(self, request, pk=None):
        return self._answer(services.registration_accept(registration=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=DECIDERS)
    def reject(self, request, pk=None):
        return self._answer(
            services.registration_reject(
                registration=self.get_object(), actor=request.user, reason=self._reason(request)
            )
        )

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=(ORGANISER, GRID_WORKER, RESIDENT))
    def withdraw(self, request, pk=None):
        return self._answer(
            services.registration_withdraw(
                registration=self.get_object(), actor=request.user, reason=self._reason(request)
            )
        )

    @extend_schema(request=EmploySerializer, responses={201: EmploymentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=DECIDERS)
    def employ(self, request, pk=None):
        data = EmploySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        employment = services.registration_employ(
            registration=self.get_object(), actor=request.user, **data.validated_data
        )
        employment = selectors.employment_list(user=request.user).get(pk=employment.pk)
        return Response(EmploymentSerializer(employment).data, status=status.HTTP_201_CREATED)


class IncomeSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="Any day of the month; stored as its first day.")
    income = serializers.DecimalField(max_digits=9, decimal_places=2)


class EndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


@documented(EmploymentSerializer, "list", "retrieve")
class EmploymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Employments with their monthly income records and the increase over the baseline."""

    serializer_class = EmploymentSerializer
    permission_classes = [HasRole]
    read_roles = (ORGANISER, GRID_WORKER, ENTERPRISE, RESIDENT)
    allowed_roles = DECIDERS
    filterset_fields = ["registration__position__workshop"]

    def get_queryset(self):
        return selectors.employment_list(user=self.request.user)

    @extend_schema(request=IncomeSerializer, responses={200: EmploymentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def income(self, request, pk=None):
        """Record (or correct) the income of one month."""
        data = IncomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        employment = self.get_object()
        services.income_record(employment=employment, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=employment.pk)).data)

    @extend_schema(request=EndSerializer, responses={200: EmploymentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        employment = services.employment_end(employment=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=employment.pk)).data)


# --- Activities -----------------------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
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
            "stalls",
            "visitors",
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
    """Markets (大市集), live-stream sessions and trainings, recorded by organisers and host enterprises."""

    serializer_class = ActivitySerializer
    permission_classes = [HasRole]
    read_roles = (ORGANISER, GRID_WORKER, COORDINATOR, ENTERPRISE)
    allowed_roles = DECIDERS
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
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.activity_cancel(
            activity=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(activity).data)


# --- Indicators -----------------------------------------------------------------------------------


class IndicatorQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, help_text="12-digit division code; default: the caller's region.")
    start = serializers.DateField(required=False, help_text="Default: 1 January of this year.")
    end = serializers.DateField(required=False, help_text="Default: today.")
    breakdown = serializers.BooleanField(required=False, default=False, help_text="Add the regions one level below.")

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("start", date(today.year, 1, 1))
        attrs.setdefault("end", today)
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        return attrs


class WorkshopIndicatorsView(APIView):
    """Workshops, people employed, low-income people employed, average monthly income increase, activities
    and their revenue, for a region (within the caller's) and period, computed from the records."""

    permission_classes = [HasRole]
    read_roles = (ORGANISER, GRID_WORKER, COORDINATOR)
    allowed_roles = (ORGANISER, GRID_WORKER, COORDINATOR)

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str),
            OpenApiParameter("start", date),
            OpenApiParameter("end", date),
            OpenApiParameter("breakdown", bool),
        ],
        responses={200: dict, **ERROR_RESPONSES},
    )
    def get(self, request):
        query = IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        code = query.validated_data.get("region")
        if code:
            region = get_object_or_404(Region, code=code)
            inside = user.is_superuser or (
                user.region_id is not None
                and (region.code.startswith(user.region.prefix) or user.region.code.startswith(region.prefix))
            )
            if not inside:
                raise serializers.ValidationError({"region": [_("This region is outside yours.")]})
        else:
            region = user.region
        period = {"start": query.validated_data["start"], "end": query.validated_data["end"]}
        body = selectors.workshop_indicators(user=user, region=region, **period)
        if query.validated_data["breakdown"] and region is not None:
            body["breakdown"] = selectors.workshop_indicators_by_region(user=user, parent=region, **period)
        return Response(_money_as_text(body))


def _money_as_text(value):
    """Amounts go out as exact decimal strings, as every serializer in the API writes them."""
    if isinstance(value, dict):
        return {key: _money_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_money_as_text(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value
