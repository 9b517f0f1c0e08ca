"""Enterprise requests (企业诉求): a need an enterprise files (or its grid manager files for it), routed by
category and region through a routing table kept as data, answered by an owner before a deadline, reminded,
escalated when late, and rated by the enterprise."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Department, Enterprise, Region


class RequestCategory(models.TextChoices):
    POLICY = "policy", _("Policy")
    RESOURCES = "resources", _("Land, power and water")
    RECRUITMENT = "recruitment", _("Recruitment and staff")
    FINANCE = "finance", _("Finance")
    INFRASTRUCTURE = "infrastructure", _("Roads, traffic and facilities")
    PERMITS = "permits", _("Permits and approvals")
    OTHER = "other", _("Other")


class RequestRoute(models.Model):
    """One row of the routing table: requests of ``category`` (blank: any) from enterprises inside ``region`` go
    to ``department`` or to ``community``, with ``owner`` as their default handler, answered within
    ``response_days``. The most specific row wins: the deepest region, then the named category."""

    category = models.CharField(
        pgettext_lazy("request", "category"), max_length=20, choices=RequestCategory.choices, blank=True
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="request_routes", verbose_name=_("area covered")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request_routes",
        verbose_name=_("responsible department"),
    )
    community = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible community"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default owner"),
    )
    response_days = models.PositiveSmallIntegerField(
        _("days to answer"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__code", "category"]
        constraints = [
            models.UniqueConstraint(fields=["region", "category"], name="request_route_unique"),
            models.CheckConstraint(
                condition=Q(department__isnull=False, community__isnull=True)
                | Q(department__isnull=True, community__isnull=False),
                name="request_route_one_handler",
            ),
        ]
        verbose_name = _("request route")
        verbose_name_plural = _("request routes")

    def __str__(self):
        handler = self.department or self.community
        return f"{self.region} · {self.get_category_display() or _('any category')} → {handler}"


class EnterpriseRequest(models.Model):
    """A need of an enterprise (企业诉求): policy, resources, a problem such as road works blocking its trucks."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("request status", "Submitted")
        IN_PROGRESS = "in_progress", _("Being handled")
        ANSWERED = "answered", _("Answered")
        RATED = "rated", _("Rated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, by the enterprise")
        GRID = "grid", _("By its grid manager")
        PHONE = "phone", _("By phone")
        VISIT = "visit", _("On a visit")

    reference = models.CharField(pgettext_lazy("request", "reference"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="requests", verbose_name=_("enterprise")
    )
    category = models.CharField(pgettext_lazy("request", "category"), max_length=20, choices=RequestCategory.choices)
    title = models.CharField(pgettext_lazy("request", "subject"), max_length=120)
    description = models.TextField(pgettext_lazy("request", "details"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    route = models.ForeignKey(
        RequestRoute, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("route")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("responsible department"),
    )
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_requests",
        verbose_name=pgettext_lazy("request", "owner"),
    )
    due_at = models.DateTimeField(_("answer due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    reply = models.TextField(pgettext_lazy("request", "reply"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    escalated_at = models.DateTimeField(pgettext_lazy("request", "escalated at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # The form's one-time key: a double submit finds the row the first one saved.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The key is the client's: unique per enterprise, so another enterprise's key never finds its row.
            models.UniqueConstraint(
                fields=["enterprise", "submission_key"],
                condition=~Q(submission_key=""),
                name="request_unique_submission",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="request_status_due"),
            models.Index(fields=["enterprise", "created_at"], name="request_enterprise"),
        ]
        verbose_name = _("enterprise request")
        verbose_name_plural = _("enterprise requests")

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def handled_by(self) -> str:
        """The department's or the community's name."""
        if self.department_id:
            return self.department.name
        return self.community.name if self.community_id else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


OPEN_REQUEST_STATUSES = (EnterpriseRequest.Status.SUBMITTED, EnterpriseRequest.Status.IN_PROGRESS)
REQUEST_MOVES = {
    EnterpriseRequest.Status.SUBMITTED: {
        EnterpriseRequest.Status.IN_PROGRESS,
        EnterpriseRequest.Status.ANSWERED,
        EnterpriseRequest.Status.WITHDRAWN,
    },
    EnterpriseRequest.Status.IN_PROGRESS: {EnterpriseRequest.Status.ANSWERED, EnterpriseRequest.Status.WITHDRAWN},
    EnterpriseRequest.Status.ANSWERED: {EnterpriseRequest.Status.RATED},
}
