"""Region pickers of the staff admin: they offer only the editor's own area, name each place by its path
("岱山县 东沙镇 东海村": twenty villages share a name), search instead of listing thousands, and refuse a
place outside the editor's area on the field (the rule is ``services.region_scope_check``)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Region, User
from .selectors import scope, subtree_lookup

# A place is named by itself and its two parents: a village by its county and town, a town by its city and county.
PATH_DEPTH = 3
PATH_RELATED = "parent__parent"


def region_path(region: Region) -> str:
    names, node = [region.name], region
    # parent_id first: the third name's parent is not loaded (``PATH_RELATED``), and is not needed.
    while len(names) < PATH_DEPTH and node.parent_id is not None:
        node = node.parent
        names.append(node.name)
    return " ".join(reversed(names))


def regions_for_picker(user: User, levels: tuple[str, ...] = ()):
    """The places ``user`` may choose: their own region's subtree (everything for a superuser)."""
    regions = scope(Region.objects.select_related(PATH_RELATED), user, region="")
    return regions.filter(level__in=levels) if levels else regions


class _OfferedChoices(ModelChoiceIterator):
    def __init__(self, field):
        super().__init__(field)
        self.queryset = field.offered


class RegionChoiceField(forms.ModelChoiceField):
    """A region field that offers the editor's own area, shows the place path, and refuses on the field, with
    the reason, a place outside the editor's area or of another level than the picker's."""

    iterator = _OfferedChoices

    def __init__(self, queryset, *args, actor: User | None = None, levels: tuple[str, ...] = (), **kwargs):
        self.actor, self.levels = actor, tuple(levels)
        self.offered = regions_for_picker(actor, self.levels) if actor is not None else queryset
        super().__init__(queryset.select_related(PATH_RELATED), *args, **kwargs)

    def label_from_instance(self, obj):
        return region_path(obj)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.levels and value.level not in self.levels:
            names = "、".join(str(Region.Level(level).label) for level in self.levels)
            raise ValidationError(_("Choose a place of this level: %(levels)s.") % {"levels": names}, code="level")
        try:
            services.region_scope_check(region=value, actor=self.actor)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["region"], code="region_out_of_scope") from exc


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete: a region picker searches only the user's area (and the picker's level, as its
    admin declares in ``region_levels``) and answers with place paths; other models keep their admin's scope."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.model_admin.model is not Region:
            return queryset
        source_admin = self.admin_site._registry.get(self.source_field.model)
        levels = getattr(source_admin, "region_levels", {}).get(self.source_field.name, ())
        allowed = regions_for_picker(self.request.user, levels)
        return queryset.filter(pk__in=allowed.values("pk")).select_related(PATH_RELATED)

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Region):
            result["text"] = region_path(obj)
        return result


class RegionListFilter(admin.SimpleListFilter):
    """``?in_region=<division code>``: the rows of one place of the user's area (the dashboard's figures link
    here). The sidebar drills down, never lists a province's thousands of places: the places one level below
    the chosen one (below the user's own region at first), the chosen one, and a link one level up, all inside
    the user's area."""

    title = _("region")
    parameter_name = "in_region"
    path = ""  # the lookup from the listed model to its region
    MAX_LINKS = 200  # a town's villages fit; a larger level is reached by drilling down

    def lookups(self, request, model_admin):
        own_id = request.user.region_id
        chosen = self._chosen_inside(request.user.region if own_id is not None else None) if self.value() else None
        if chosen is None and own_id is None:
            places = Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY]).order_by("code")
            return [(place.code, place.name) for place in places[: self.MAX_LINKS]]
        links = []
        if chosen is not None and chosen.parent_id is not None and chosen.pk != own_id:
            parent = chosen.parent
            links.append((parent.code, f"↑ {parent.name}"))
        if chosen is not None:
            links.append((chosen.code, chosen.name))
        children = Region.objects.filter(parent_id=chosen.pk if chosen else own_id).order_by("code")[: self.MAX_LINKS]
        links += [(place.code, f"└ {place.name}" if chosen is not None else place.name) for place in children]
        return links

    def _chosen_inside(self, own: Region | None) -> Region | None:
        """The chosen place, if it is one of ``own``'s area (any place for a user without a region)."""
        code = self.value()
        if not code or not code.isdigit() or len(code) != 12:
            return None
        if own is not None and not code.startswith(own.prefix):
            return None
        return Region.objects.select_related("parent").filter(code=code).first()

    def queryset(self, request, queryset):
        code = self.value()
        path = self.path
        if not code or not path or not code.isdigit() or len(code) != 12:
            return queryset
        return queryset.filter(**{subtree_lookup(path): Region.prefix_of(code)})


def region_list_filter(path: str) -> type[RegionListFilter]:
    """The region filter of a list whose rows reach their region through ``path`` (``"enterprise__region"``)."""
    return type("RegionListFilter", (RegionListFilter,), {"path": path})
