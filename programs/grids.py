"""Writes of grids (网格): lay out a community's grids and micro-grids, assign people to them, put enterprises
into micro-grids. Coordinators do it (``GRID_ADMINS``) inside their own area; ``actor`` None is the system
(the demo, an import's worker acting for its uploader). Every change writes its audit row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Enterprise, Grid, GridAssignment, MicroGrid, Region, User
from .roles import GRID_ADMINS, STAFF, Role, require_role
from .services import enterprise_update, refuse_unknown_fields, region_scope_check

__all__ = [
    "enterprise_micro_grid_assign",
    "grid_assign",
    "grid_create",
    "grid_unassign",
    "grid_update",
    "micro_grid_create",
    "micro_grid_update",
]

GRID_FIELDS = ("name", "code")


def _allowed(actor: User | None) -> None:
    if actor is not None:
        require_role(actor, *GRID_ADMINS)


def _unique_in_parent(obj, parent_field: str) -> None:
    """The code and the name are each unique in the community (grid) or the grid (micro-grid): refused on the
    field, before the database's constraint would refuse it on none."""
    siblings = type(obj).objects.filter(**{parent_field: getattr(obj, f"{parent_field}_id")}).exclude(pk=obj.pk)
    errors = {}
    if siblings.filter(code=obj.code).exists():
        errors["code"] = ValidationError(_("This code is taken here already."), code="code_taken")
    if siblings.filter(name=obj.name).exists():
        errors["name"] = ValidationError(_("This name is taken here already."), code="name_taken")
    if errors:
        raise ValidationError(errors)


def _saved(obj, *, actor: User | None, action: str, fields: list[str] | None = None):
    _unique_in_parent(obj, "community" if isinstance(obj, Grid) else "grid")
    obj.full_clean()
    obj.save(update_fields=fields)
    data = {"fields": sorted(fields)} if fields else {"code": obj.code}
    audit_record(
        obj=obj, field="updated" if fields else "created", old="", new=obj.name, actor=actor, action=action, data=data
    )
    return obj


def grid_create(*, community: Region, name: str, code: str, actor: User | None) -> Grid:
    """A grid of a village-level community inside the actor's area."""
    _allowed(actor)
    region_scope_check(region=community, actor=actor, field="community")
    if community.level != Region.Level.VILLAGE:
        raise ValidationError(
            {"community": ValidationError(_("A grid belongs to a village or community."), code="not_a_community")}
        )
    with transaction.atomic():
        return _saved(Grid(community=community, name=name, code=code), actor=actor, action="grid.create")


def grid_update(*, grid: Grid, actor: User | None, **fields) -> Grid:
    _allowed(actor)
    refuse_unknown_fields(fields, GRID_FIELDS)
    region_scope_check(region=grid.community, actor=actor, field="community")
    with transaction.atomic():
        locked = Grid.objects.select_for_update().get(pk=grid.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        return _saved(locked, actor=actor, action="grid.update", fields=list(fields)) if fields else locked


def micro_grid_create(*, grid: Grid, name: str, code: str, actor: User | None) -> MicroGrid:
    _allowed(actor)
    region_scope_check(region=grid.community, actor=actor, field="grid")
    with transaction.atomic():
        return _saved(MicroGrid(grid=grid, name=name, code=code), actor=actor, action="micro_grid.create")


def micro_grid_update(*, micro_grid: MicroGrid, actor: User | None, **fields) -> MicroGrid:
    _allowed(actor)
    refuse_unknown_fields(fields, GRID_FIELDS)
    region_scope_check(region=micro_grid.grid.community, actor=actor, field="grid")
    with transaction.atomic():
        locked = MicroGrid.objects.select_for_update().get(pk=micro_grid.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        return _saved(locked, actor=actor, action="micro_grid.update", fields=list(fields)) if fields else locked


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def grid_assign(
    *,
    user: User,
    role: str,
    actor: User | None,
    grid: Grid | None = None,
    micro_grid: MicroGrid | None = None,
) -> GridAssignment:
    """Assign ``user`` to a grid or to one micro-grid (exactly one) as liaison leader, instructor or grid
    manager. A grid manager's assignment is what they see (``programs.selectors.scope``), so only a person of
    the grid manager role is one. The person works in a region that holds the grid's community. Assigning
    someone who already is assigned so returns the current assignment, with no second audit row."""
    _allowed(actor)
    if (grid is None) == (micro_grid is None):
        raise _error("grid", _("Choose a grid or a micro-grid, not both."), "grid_or_micro_grid")
    place_field = "grid" if grid is not None else "micro_grid"
    place = grid if grid is not None else micro_grid
    community = (grid or micro_grid.grid).community
    region_scope_check(region=community, actor=actor, field=place_field)
    if role not in GridAssignment.Role.values:
        raise _error("role", _("Choose one of the roles."), "invalid_choice")
    if not user.is_active or user.role not in STAFF:
        raise _error("user", _("Only an active staff member is assigned to a grid."), "not_staff")
    if role == GridAssignment.Role.GRID_MANAGER and user.role != Role.GRID_MANAGER:
        raise _error("user", _("A grid manager has the grid manager role."), "not_a_grid_manager")
    if user.region is None or not community.code.startswith(user.region.prefix):
        raise _error("user", _("This person works outside the grid's community."), "user_out_of_grid")
    with transaction.atomic():
        type(place).objects.select_for_update().get(pk=place.pk)  # two assigners of one place wait in turn
        current = GridAssignment.objects.current().filter(user=user, role=role, **{place_field: place}).first()
        if current is not None:
            return current
        assignment = GridAssignment.objects.create(user=user, role=role, **{place_field: place})
        audit_record(
            obj=place,
            field=role,  # the history reads "网格管家: — → wang"
            old="",
            new=user.get_username(),
            actor=actor,
            action=f"{place_field}.assign",
            data={"user": user.pk, "role": role, "assignment": assignment.pk},
        )
    return assignment


def grid_unassign(*, assignment: GridAssignment, actor: User | None) -> GridAssignment:
    """End an assignment (the row stays, with its end time); ending an ended one changes nothing."""
    _allowed(actor)
    place = assignment.grid or assignment.micro_grid
    region_scope_check(region=(assignment.grid or assignment.micro_grid.grid).community, actor=actor, field="grid")
    with transaction.atomic():
        ended = GridAssignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(ended_at=timezone.now())
        if ended:
            audit_record(
                obj=place,
                field=assignment.role,
                old=assignment.user.get_username(),
                new="",
                actor=actor,
                action=f"{'grid' if assignment.grid_id else 'micro_grid'}.unassign",
                data={"user": assignment.user_id, "role": assignment.role, "assignment": assignment.pk},
            )
    assignment.refresh_from_db(fields=["ended_at"])
    return assignment


def enterprise_micro_grid_assign(*, enterprise: Enterprise, micro_grid: MicroGrid | None, actor: User | None):
    """Put an enterprise into a micro-grid (None: out of any), through the enterprise update service: checked
    (the micro-grid in the actor's area, of the enterprise's community) and audited with the old and new."""
    _allowed(actor)
    if enterprise.micro_grid_id == (micro_grid.pk if micro_grid else None):
        return enterprise
    return enterprise_update(enterprise=enterprise, actor=actor, micro_grid=micro_grid)
