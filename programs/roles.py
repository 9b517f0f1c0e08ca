"""The one role registry: the roles, and which of them do what, named once and imported everywhere (the user
model, API views, admin classes, services). Superusers pass every check."""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    COORDINATOR = "coordinator", gettext_lazy("Coordinator")
    OFFICER = "officer", gettext_lazy("Department officer")
    ORGANISER = "organiser", gettext_lazy("Workshop organiser")
    GRID_WORKER = "grid_worker", gettext_lazy("Community / grid worker")
    GRID_MANAGER = "grid_manager", gettext_lazy("Grid manager")
    ENTERPRISE = "enterprise", gettext_lazy("Enterprise user")
    RESIDENT = "resident", gettext_lazy("Resident")


STAFF = (Role.COORDINATOR, Role.OFFICER, Role.ORGANISER, Role.GRID_WORKER, Role.GRID_MANAGER)
ENFORCEMENT = (Role.COORDINATOR, Role.OFFICER)
ENFORCEMENT_AND_ENTERPRISE = (Role.COORDINATOR, Role.OFFICER, Role.ENTERPRISE)
COORDINATORS = (Role.COORDINATOR,)
WORKSHOP_STAFF = (Role.ORGANISER, Role.GRID_WORKER, Role.COORDINATOR)
WORKSHOP_FIELD_STAFF = (Role.ORGANISER, Role.GRID_WORKER)  # who registers, surveys and visits residents
WORKSHOP_DECIDERS = (Role.ORGANISER, Role.ENTERPRISE)  # who accepts or rejects a registration
ORGANISERS = (Role.ORGANISER,)
ENTERPRISES = (Role.ENTERPRISE,)
# Grids (网格): coordinators lay them out and assign people; a grid manager (网格管家) sees their own grids.
GRID_STAFF = (Role.COORDINATOR, Role.GRID_MANAGER)
GRID_ADMINS = (Role.COORDINATOR,)
# Who serve enterprises between inspections: file a request or an order on an enterprise's behalf.
ENTERPRISE_SERVICE = (Role.COORDINATOR, Role.GRID_MANAGER)


def is_staff_role(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in STAFF)


def require_role(actor, *roles: str) -> None:
    """Refuse a write to anyone but a superuser or one of ``roles``."""
    if not (actor.is_superuser or actor.role in roles):
        raise PermissionDenied(_("Your role does not allow this."))
