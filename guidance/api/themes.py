"""The themed scenarios one can book, with their departments and checklist items."""

from rest_framework import serializers, viewsets

from inspections.models import InspectionItem
from programs.rest import HasRole, ModelSerializer, documented

from .. import selectors
from ..models import Mode, Theme


class GuidanceItemSerializer(ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["id", "code", "name", "field"]


class GuidanceThemeSerializer(ModelSerializer):
    departments = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    items = GuidanceItemSerializer(many=True, read_only=True)
    modes = serializers.ListField(child=serializers.ChoiceField(choices=Mode.choices), read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "code", "title", "description", "departments", "items", "duration_minutes", "modes"]


@documented(GuidanceThemeSerializer, "list", "retrieve")
class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The themed scenarios one can book, with their departments and checklist items."""

    permission_classes = [HasRole]
    read_roles = "__all__"
    allowed_roles = ()
    serializer_class = GuidanceThemeSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.theme_list()
