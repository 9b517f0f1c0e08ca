"""Grids (网格) of a community: a grid, its micro-grids (微网格), and the people assigned to them.

An enterprise belongs to at most one micro-grid (``Enterprise.micro_grid``); its grid is reached through it.
People are assigned to a grid or to one micro-grid as liaison leader (包联领导), instructor (指导员) or grid
manager (网格管家). A grid manager's assignments decide which enterprises they see: ``programs.selectors.scope``.
Written only by ``programs.grids``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Grid(models.Model):
    """A grid of a community (社区 / 村, the village-level region), e.g. one of the 118 工业社区's five."""

    community = models.ForeignKey(
        "programs.Region",
        on_delete=models.PROTECT,
        related_name="grids",
        verbose_name=_("community"),
        help_text=_("The village / community the grid belongs to."),
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        pgettext_lazy("grid", "code"), max_length=30, help_text=_("Unique in the community, e.g. G01.")
    )

    class Meta:
        ordering = ["community__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="grid_unique_code_in_community"),
            models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name_in_community"),
        ]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self):
        return self.name


class MicroGridQuerySet(models.QuerySet):
    def managed_by(self, user) -> "MicroGridQuerySet":
        """The micro-grids ``user`` is grid manager of: every micro-grid of a grid assigned to them, and the
        micro-grids assigned to them directly."""
        mine = GridAssignment.objects.current().filter(user=user, role=GridAssignment.Role.GRID_MANAGER)
        return self.filter(
            Q(grid__in=mine.filter(grid__isnull=False).values("grid"))
            | Q(pk__in=mine.filter(micro_grid__isnull=False).values("micro_grid"))
        )


class MicroGrid(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="micro_grids", verbose_name=_("grid"))
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        pgettext_lazy("grid", "code"), max_length=30, help_text=_("Unique in the grid, e.g. G01-03.")
    )

    objects = MicroGridQuerySet.as_manager()

    class Meta:
        ordering = ["grid__community__code", "grid__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="micro_grid_unique_code_in_grid"),
            models.UniqueConstraint(fields=["grid", "name"], name="micro_grid_unique_name_in_grid"),
        ]
        verbose_name = _("micro-grid")
        verbose_name_plural = _("micro-grids")

    def __str__(self):
        return f"{self.grid.name} {self.name}"


class GridAssignmentQuerySet(models.QuerySet):
    def current(self) -> "GridAssignmentQuerySet":
        return self.filter(ended_at__isnull=True)


class GridAssignment(models.Model):
    """A person assigned to a grid or to one of its micro-grids (exactly one of the two), in one role. Ending
    an assignment keeps the row (``ended_at``): who served a grid, and when, stays on record."""

    class Role(models.TextChoices):
        LIAISON_LEADER = "liaison_leader", _("Liaison leader")
        INSTRUCTOR = "instructor", _("Instructor")
        GRID_MANAGER = "grid_manager", _("Grid manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grid_assignments",
        verbose_name=pgettext_lazy("grid", "person"),
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments", verbose_name=_("grid")
    )
    micro_grid = models.ForeignKey(
        MicroGrid,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("micro-grid"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now, editable=False)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)

    objects = GridAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["grid_id", "micro_grid_id", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grid__isnull=False, micro_grid__isnull=True)
                | Q(grid__isnull=True, micro_grid__isnull=False),
                name="grid_assignment_grid_or_micro_grid",
            ),
            models.UniqueConstraint(
                fields=["user", "grid", "role"],
                condition=Q(grid__isnull=False, ended_at__isnull=True),
                name="grid_assignment_unique_grid",
            ),
            models.UniqueConstraint(
                fields=["user", "micro_grid", "role"],
                condition=Q(micro_grid__isnull=False, ended_at__isnull=True),
                name="grid_assignment_unique_micro_grid",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="grid_assignment_user_role")]
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.micro_grid or self.grid}"
