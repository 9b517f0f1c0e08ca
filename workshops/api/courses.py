"""Courses (技能课程, 智聘): organisers and grid workers announce them, residents enrol (or a worker for them),
give the place back, and staff record attendance."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import WORKSHOP_FIELD_STAFF, WORKSHOP_STAFF, Role

from .. import offer_selectors, selectors, services
from ..models import Category, Course, CourseEnrolment, Resident
from ._common import ReasonSerializer, check_village, read_reason


class CourseSerializer(RefuseUnknownFields, ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    places_left = serializers.IntegerField(read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "region",
            "region_name",
            "workshop",
            "category",
            "description",
            "place",
            "starts_on",
            "ends_on",
            "schedule",
            "capacity",
            "enrolled_count",
            "places_left",
            "status",
        ]
        read_only_fields = ["enrolled_count", "status"]


class EnrolmentSerializer(ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    resident_name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = CourseEnrolment
        fields = [
            "id",
            "course",
            "course_title",
            "resident",
            "resident_name",
            "status",
            "attendance",
            "enrolled_at",
            "attendance_recorded_at",
        ]
        read_only_fields = fields


class EnrolSerializer(serializers.Serializer):
    resident = serializers.PrimaryKeyRelatedField(
        queryset=Resident.objects.all(), required=False, help_text="Staff: the resident; a resident: themself."
    )


class AttendanceSerializer(serializers.Serializer):
    # A choice, not a boolean: a form post without the field must be refused, not read as "absent".
    attendance = serializers.ChoiceField(
        choices=[CourseEnrolment.Attendance.ATTENDED, CourseEnrolment.Attendance.ABSENT]
    )


class CourseStatusSerializer(ReasonSerializer):
    status = serializers.ChoiceField(choices=Course.Status.choices)


@documented(CourseSerializer, "list", "retrieve", "create", status=200)
class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Courses (技能课程). Residents see the open ones and enrol; organisers and grid workers announce their
    region's and enrol residents; a host enterprise reads its workshops'."""

    serializer_class = CourseSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_STAFF, Role.ENTERPRISE, Role.RESIDENT)
    allowed_roles = WORKSHOP_FIELD_STAFF
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "category", "region", "workshop"]
    search_fields = ["title"]

    def get_queryset(self):
        return offer_selectors.course_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        check_village(self.request.user, data["region"], field="region")
        workshop = data.get("workshop")
        if workshop is not None and not selectors.workshop_list(user=self.request.user).filter(pk=workshop.pk).exists():
            raise serializers.ValidationError({"workshop": [_("You do not manage this workshop.")]})
        serializer.instance = services.course_create(actor=self.request.user, **data)

    @extend_schema(request=CourseStatusSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def status(self, request, pk=None):
        """Close enrolment (``closed``), open it again (``open``) or cancel the course (``cancelled``, reason)."""
        data = CourseStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_set_status(
            course=self.get_object(), to=data.validated_data["status"], actor=request.user, reason=read_reason(request)
        )
        return Response(self.get_serializer(course).data)

    @extend_schema(
        request=EnrolSerializer, responses={201: EnrolmentSerializer, 200: EnrolmentSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], allowed_roles=(*WORKSHOP_FIELD_STAFF, Role.RESIDENT))
    def enrol(self, request, pk=None):
        """Enrol (a resident: themself; staff: a resident of their region). Asking again returns the place (200)."""
        course = self.get_object()
        data = EnrolSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if user.role == Role.RESIDENT:
            resident = Resident.objects.filter(user=user).first()
            if resident is None:
                raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
        else:
            resident = data.validated_data.get("resident")
            if resident is None:
                raise serializers.ValidationError({"resident": [_("Choose the resident.")]})
            if not selectors.resident_list(user=user).filter(pk=resident.pk).exists():
                raise serializers.ValidationError({"resident": [_("This resident is outside your region.")]})
        enrolment, created = services.course_enrol(course=course, resident=resident, actor=user)
        return Response(
            EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@documented(EnrolmentSerializer, "list", "retrieve", cancel=200, attendance=200)
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Course enrolments: a resident's own, the enrolments on a worker's region's courses; attendance recorded
    by organisers and grid workers."""

    serializer_class = EnrolmentSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_FIELD_STAFF, Role.RESIDENT)
    allowed_roles = (*WORKSHOP_FIELD_STAFF, Role.RESIDENT)
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["course", "status", "attendance"]

    def get_queryset(self):
        return offer_selectors.enrolment_list(user=self.request.user)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        enrolment = services.course_enrolment_cancel(
            enrolment=self.get_object(), actor=request.user, reason=read_reason(request)
        )
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(request=AttendanceSerializer)
    @action(detail=True, methods=["post"], allowed_roles=WORKSHOP_FIELD_STAFF)
    def attendance(self, request, pk=None):
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.course_attendance_record(
            enrolment=self.get_object(),
            attended=data.validated_data["attendance"] == CourseEnrolment.Attendance.ATTENDED,
            actor=request.user,
        )
        return Response(self.get_serializer(enrolment).data)
