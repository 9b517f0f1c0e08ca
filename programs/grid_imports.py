"""Grid assignments from a spreadsheet (网格划分): one row per enterprise or person of a micro-grid or grid.

A row names the community by its division code and the grid by its code (with its name when the grid is new);
a micro-grid likewise. With a credit code it puts that enterprise into the micro-grid; with an account
(username) and a duty (包联领导 / 指导员 / 网格管家) it assigns that person to the micro-grid, or to the grid
when the row names no micro-grid. Grids and micro-grids not on record are created. Every save goes through
``programs.grids``, as the admin's and the API's do; the preview names each bad row's field."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import grids
from .imports import Column, Importer, register
from .models import Enterprise, Grid, GridAssignment, MicroGrid, Region, User
from .roles import GRID_ADMINS, STAFF
from .selectors import scope
from .spreadsheets import SeenKeys
from .validators import normalize_credit_code

DUTIES = {
    "包联领导": GridAssignment.Role.LIAISON_LEADER,
    "包联": GridAssignment.Role.LIAISON_LEADER,
    "指导员": GridAssignment.Role.INSTRUCTOR,
    "网格管家": GridAssignment.Role.GRID_MANAGER,
    **{role.value: role for role in GridAssignment.Role},
}


@register
class GridAssignmentImporter(Importer):
    kind = "grid_assignments"
    label = gettext_lazy("Grid assignments")
    roles = GRID_ADMINS
    columns: ClassVar[list[Column]] = [
        Column("community_code", "社区区划代码", required=True),
        Column("grid_code", "网格编码", required=True),
        Column("grid_name", "网格名称"),
        Column("micro_grid_code", "微网格编码"),
        Column("micro_grid_name", "微网格名称"),
        Column("credit_code", "统一社会信用代码"),
        Column("username", "人员账号"),
        Column("duty", "职责"),
    ]

    def __init__(self, actor, **kwargs):
        super().__init__(actor, **kwargs)
        villages = scope(Region.objects.filter(level=Region.Level.VILLAGE), actor, region="")
        self.communities = {r.code: r for r in villages}
        # What is on record and what the file names so far: {(community id, code): name}
        self.grids = {(g.community_id, g.code): g.name for g in Grid.objects.filter(community__in=villages)}
        self.micro_grids = {
            (m.grid.community_id, m.grid.code, m.code): m.name
            for m in MicroGrid.objects.filter(grid__community__in=villages).select_related("grid")
        }
        self.enterprises = scope(Enterprise.objects.select_related("region"), actor, region="region", enterprise="pk")
        self.people = scope(User.objects.filter(role__in=STAFF, is_active=True), actor, region="region")
        self.chunk_enterprises: dict[str, Enterprise] = {}
        self.chunk_people: dict[str, User] = {}
        self.seen = SeenKeys()  # the file's enterprises so far

    def prepare(self, rows):
        codes = {normalize_credit_code(values.get("credit_code", "")) for values in rows} - {""}
        self.chunk_enterprises = {e.credit_code: e for e in self.enterprises.filter(credit_code__in=codes).order_by()}
        names = {values.get("username", "").strip() for values in rows} - {""}
        self.chunk_people = {
            u.username: u for u in self.people.filter(username__in=names).select_related("region").order_by()
        }

    def _named(self, known: dict, key: tuple, name: str, field: str, errors: dict) -> str:
        """The grid's (micro-grid's) name: as on record or as the file named it first; a new one needs a name."""
        if key in known:
            if name and name != known[key]:
                message = _("%(code)s is named %(name)s on record or earlier in the file.")
                errors[field] = message % {"code": key[-1], "name": known[key]}
            return known[key]
        if not name:
            errors[field] = _("Name the new grid or micro-grid.")
        elif len(name) > 100:
            errors[field] = _("At most 100 characters.")
        elif any(k[:-1] == key[:-1] and other == name for k, other in known.items()):
            errors[field] = _("Another code has this name here already.")
        return name

    def clean_row(self, values):
        errors = {}
        community = self.communities.get(values["community_code"].strip())
        if community is None:
            errors["community_code"] = _("No village or community of yours has this division code.")
            raise ValidationError(errors)
        grid_code, micro_code = values["grid_code"].strip(), values.get("micro_grid_code", "").strip()
        grid_key = (community.pk, grid_code)
        grid_name = self._named(self.grids, grid_key, values.get("grid_name", "").strip(), "grid_name", errors)
        micro_key = (*grid_key, micro_code)
        micro_name = ""
        if micro_code:
            name = values.get("micro_grid_name", "").strip()
            micro_name = self._named(self.micro_grids, micro_key, name, "micro_grid_name", errors)
        enterprise = self._enterprise(values, community, micro_code, errors)
        person, duty = self._person(values, community, errors)
        if errors:
            raise ValidationError(errors)
        self.grids.setdefault(grid_key, grid_name)  # later rows of the file find the grid by its code
        if micro_code:
            self.micro_grids.setdefault(micro_key, micro_name)
        return {
            "community": community,
            "grid": (grid_code, grid_name),
            "micro_grid": (micro_code, micro_name) if micro_code else None,
            "enterprise": enterprise,
            "person": person,
            "duty": duty,
        }

    def _enterprise(self, values, community, micro_code, errors) -> Enterprise | None:
        code = normalize_credit_code(values.get("credit_code", ""))
        if not code:
            return None
        enterprise = self.chunk_enterprises.get(code)
        if enterprise is None:
            errors["credit_code"] = _("No enterprise of your region has this credit code.")
        elif not enterprise.region.code.startswith(community.prefix):
            errors["credit_code"] = _("The enterprise lies outside this community.")
        elif not micro_code:
            errors["micro_grid_code"] = _("An enterprise goes into a micro-grid: give its code.")
        return enterprise

    def _person(self, values, community, errors) -> tuple[User | None, str]:
        username, duty_text = values.get("username", "").strip(), values.get("duty", "").strip()
        if not username:
            if duty_text:
                errors["username"] = _("Name the person of this duty.")
            return None, ""
        person, duty = self.chunk_people.get(username), DUTIES.get(duty_text, "")
        if not duty:
            errors["duty"] = _("Write 包联领导, 指导员 or 网格管家.")
        if person is None:
            errors["username"] = _("No staff member of your region has this account.")
        elif duty == GridAssignment.Role.GRID_MANAGER and person.role != User.Role.GRID_MANAGER:
            errors["username"] = _("A grid manager has the grid manager role.")
        elif person.region is None or not community.code.startswith(person.region.prefix):
            errors["username"] = _("This person works outside the grid's community.")
        return person, duty

    def check_duplicates(self, cleaned):
        errors = []
        for row in cleaned:
            if row["enterprise"] is not None and self.seen.add(row["enterprise"].pk):
                message = _("%(code)s appears twice in the file.") % {"code": row["enterprise"].credit_code}
                errors.append({"row": row["_row"], "column": "统一社会信用代码", "message": message})
        return errors

    def _grid(self, community, code, name) -> Grid:
        grid = Grid.objects.filter(community=community, code=code).first()
        return grid or grids.grid_create(community=community, name=name, code=code, actor=self.actor)

    def _micro_grid(self, grid, code, name) -> MicroGrid:
        micro_grid = MicroGrid.objects.filter(grid=grid, code=code).first()
        return micro_grid or grids.micro_grid_create(grid=grid, name=name, code=code, actor=self.actor)

    def save(self, rows):
        for row in rows:
            grid = self._grid(row["community"], *row["grid"])
            micro_grid = self._micro_grid(grid, *row["micro_grid"]) if row["micro_grid"] else None
            if row["enterprise"] is not None:
                grids.enterprise_micro_grid_assign(
                    enterprise=row["enterprise"], micro_grid=micro_grid, actor=self.actor
                )
            if row["person"] is not None:
                place = {"micro_grid": micro_grid} if micro_grid else {"grid": grid}
                grids.grid_assign(user=row["person"], role=row["duty"], actor=self.actor, **place)
        return len(rows)
