"""The portal's one table: dashboards computed ahead of the page (``portal.snapshots``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DashboardSnapshot(models.Model):
    """A dashboard as computed for one scope (the users who see the same rows: ``snapshots.scope_key``), one
    choice of period and region, and one language: the page reads it instead of counting a city's records again,
    and the ``portal.refresh_dashboards`` task computes the default choice of every scope viewed lately again
    before it goes stale. ``board`` holds the page's figures pickled (written and read by this code only)."""

    key = models.CharField(pgettext_lazy("dashboard snapshot", "key"), max_length=200, unique=True)
    scope = models.CharField(pgettext_lazy("dashboard snapshot", "scope"), max_length=100)
    # Whose view is computed again by the task: the last viewer, any user of the scope seeing the same board.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("dashboard snapshot", "user"),
    )
    language = models.CharField(pgettext_lazy("dashboard snapshot", "language"), max_length=10)
    is_default = models.BooleanField(pgettext_lazy("dashboard snapshot", "default period"), default=False)
    # The layout of the pickled board: a snapshot of another layout is computed again, never read.
    layout = models.PositiveSmallIntegerField(pgettext_lazy("dashboard snapshot", "layout"))
    board = models.BinaryField(pgettext_lazy("dashboard snapshot", "board"))
    computed_at = models.DateTimeField(pgettext_lazy("dashboard snapshot", "computed at"))
    viewed_at = models.DateTimeField(pgettext_lazy("dashboard snapshot", "viewed at"))

    class Meta:
        indexes = [models.Index(fields=["is_default", "viewed_at"], name="dashboard_snapshot_watched")]
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self):
        return self.key
