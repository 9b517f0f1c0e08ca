"""REST endpoints of grids (网格): grids and micro-grids with their people and enterprises, the assignments,
and the grids' indicators. Coordinators lay grids out and assign people (``programs.grids``); a grid manager
reads their own grids; every list comes through ``scope`` (``programs.grid_selectors``)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import grid_selectors, grids
from .api import EnterpriseSerializer
from .filters import StrictFilterSet
from .models import Grid, GridAssignment, MicroGrid, Region, User
from .rest import ERROR_RESPONSES, HasRole, IndicatorQuerySerializer, ModelSerializer, RefuseUnknownFields, documented
from .roles import GRID_ADMINS, GRID_STAFF, STAFF
from .selectors import scope


class PersonSerializer(ModelSerializer):
    """One current assignment as a grid's people list shows it."""

    assignment = serializers.IntegerField(source="pk", read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = GridAssignment
        fields = ["assignment", "user", "username", "name", "role"]

    def get_name(self, assignment) -> str:
        return assignment.user.get_full_name() or assignment.user.get_username()


class GridSerializer(RefuseUnknownFields, ModelSerializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(level=Region.Level.VILLAGE))
    community_name = serializers.CharField(source="community.name", read_only=True)
    micro_grid_count = serializers.IntegerField(read_only=True, default=0)
    enterprise_count = serializers.IntegerField(read_only=True, default=0)
    key_enterprise_count = serializers.IntegerField(read_only=True, default=0)
    people = PersonSerializer(many=True, read_only=True, default=list)

    class Meta:
        model = Grid
        fields = [
            "id",
            "community",
            "community_name",
            "name",
            "code",
            "micro_grid_count",
            "enterprise_count",
            "key_enterprise_count",
            "people",
        ]
        validators = []  # the service validates, on its fields (the unique pairs included)


class MicroGridSerializer(RefuseUnknownFields, ModelSerializer):
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all())
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    enterprise_count = serializers.IntegerField(read_only=True, default=0)
    key_enterprise_count = serializers.IntegerField(read_only=True, default=0)
    people = PersonSerializer(many=True, read_only=True, default=list)

    class Meta:
        model = MicroGrid
        fields = ["id", "grid", "grid_name", "name", "code", "enterprise_count", "key_enterprise_count", "people"]
        validators = []


class GridFilter(StrictFilterSet):
    class Meta:
        model = Grid
        fields = ["community"]


class MicroGridFilter(StrictFilterSet):
    class Meta:
        model = MicroGrid
        fields = ["grid"]


def _refused(field: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(message, code=code)]})


class _GridWrites:
    """The related rows a write names must be ones the caller sees: another area's is refused on its field."""

    def _visible(self, field: str, value, visible):
        if value is not None and not visible.filter(pk=value.pk).exists():
            raise _refused(field, _("Choose one of your own area's records."), "out_of_scope")
        return value


@documented(
    GridSerializer, "list", "retrieve", "create", "partial_update", enterprises=(200, EnterpriseSerializer(many=True))
)
class GridViewSet(
    _GridWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Grids with their counts and people: a coordinator's area's, a grid manager's own. Coordinators create and
    rename them. ``enterprises/``: the grid's enterprises the caller sees, key enterprises first."""

    serializer_class = GridSerializer
    filterset_class = GridFilter
    search_fields = ["name", "code"]
    permission_classes = [HasRole]
    read_roles = GRID_STAFF
    allowed_roles = GRID_ADMINS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return grid_selectors.grid_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = grids.grid_create(
            community=data["community"], name=data["name"], code=data["code"], actor=self.request.user
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "community" in data and data["community"] != serializer.instance.community:
            raise _refused("community", _("A grid stays in its community."), "not_movable")
        fields = {k: v for k, v in data.items() if k in grids.GRID_FIELDS}
        grids.grid_update(grid=serializer.instance, actor=self.request.user, **fields)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @action(detail=True, methods=["get"])
    def enterprises(self, request, pk=None):
        rows = grid_selectors.enterprises_in(user=request.user, grid=self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EnterpriseSerializer(page, many=True, context={"request": request}).data)


@documented(
    MicroGridSerializer,
    "list",
    "retrieve",
    "create",
    "partial_update",
    enterprises=(200, EnterpriseSerializer(many=True)),
)
class MicroGridViewSet(
    _GridWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Micro-grids with their counts and people (their own and their grid's): a coordinator's area's, a grid
    manager's own. ``enterprises/``: the micro-grid's enterprises, key enterprises first."""

    serializer_class = MicroGridSerializer
    filterset_class = MicroGridFilter
    search_fields = ["name", "code", "grid__name"]
    permission_classes = [HasRole]
    read_roles = GRID_STAFF
    allowed_roles = GRID_ADMINS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return grid_selectors.micro_grid_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        grid = self._visible("grid", data["grid"], grid_selectors.grid_list(user=self.request.user))
        serializer.instance = grids.micro_grid_create(
            grid=grid, name=data["name"], code=data["code"], actor=self.request.user
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "grid" in data and data["grid"] != serializer.instance.grid:
            raise _refused("grid", _("A micro-grid stays in its grid."), "not_movable")
        fields = {k: v for k, v in data.items() if k in grids.GRID_FIELDS}
        grids.micro_grid_update(micro_grid=serializer.instance, actor=self.request.user, **fields)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @action(detail=True, methods=["get"])
    def enterprises(self, request, pk=None):
        rows = grid_selectors.enterprises_in(user=request.user, micro_grid=self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EnterpriseSerializer(page, many=True, context={"request": request}).data)


class GridAssignmentSerializer(RefuseUnknownFields, ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    username = serializers.CharField(source="user.username", read_only=True)
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all(), required=False, allow_null=True)
    micro_grid = serializers.PrimaryKeyRelatedField(queryset=MicroGrid.objects.all(), required=False, allow_null=True)

    class Meta:
        model = GridAssignment
        fields = ["id", "user", "username", "grid", "micro_grid", "role", "created_at", "ended_at"]
        read_only_fields = ["created_at", "ended_at"]
        validators = []


@documented(GridAssignmentSerializer, "list", "retrieve", "create", end=200)
class GridAssignmentViewSet(
    _GridWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The people assigned to the grids and micro-grids the caller sees (current assignments). Coordinators
    assign a liaison leader, an instructor or a grid manager (POST; assigning again answers the current one)
    and end an assignment (``end/``: the row stays, with its end time)."""

    serializer_class = GridAssignmentSerializer
    filterset_fields = ["grid", "micro_grid", "role", "user"]
    permission_classes = [HasRole]
    read_roles = GRID_STAFF
    allowed_roles = GRID_ADMINS

    def get_queryset(self):
        return grid_selectors.assignment_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        serializer.instance = grids.grid_assign(
            user=self._visible("user", data["user"], scope(User.objects.filter(role__in=STAFF), user, region="region")),
            role=data["role"],
            grid=self._visible("grid", data.get("grid"), grid_selectors.grid_list(user=user)),
            micro_grid=self._visible("micro_grid", data.get("micro_grid"), grid_selectors.micro_grid_list(user=user)),
            actor=user,
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = grids.grid_unassign(assignment=self.get_object(), actor=request.user)
        return Response(self.get_serializer(assignment).data)


class GridIndicatorView(APIView):
    """The grids' figures for the caller's scope (a region inside it with ``region``), as they stand today:
    grids, micro-grids, enterprises and key enterprises in a micro-grid, and the key enterprises of each grid."""

    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = ()

    @extend_schema(parameters=[IndicatorQuerySerializer], responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES})
    def get(self, request):
        query = IndicatorQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        return Response(grid_selectors.grid_indicators(user=request.user, **query.validated_data))
