"""Travel times between villages in the staff admin: set by organisers, one row per pair."""

from django.contrib import admin

from programs.admin import RoleScopedAdmin
from programs.models import Region
from programs.roles import ORGANISERS, WORKSHOP_FIELD_STAFF

from .. import services
from ..models import VillageDistance


@admin.register(VillageDistance)
class VillageDistanceAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_FIELD_STAFF
    edit_roles = ORGANISERS
    scope_paths = {"region": "from_village"}
    region_levels = {"from_village": (Region.Level.VILLAGE,), "to_village": (Region.Level.VILLAGE,)}
    list_display = ["from_village", "to_village", "minutes"]
    list_select_related = ["from_village", "to_village"]
    autocomplete_fields = ["from_village", "to_village"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.pk = services.village_distance_set(
            from_village=data["from_village"], to_village=data["to_village"], minutes=data["minutes"]
        ).pk
