"""The shared core: regions, departments, enterprises, users and their roles, audit, the notification outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .export_models import ExportJob  # noqa: F401  (exports of long lists, registered here)
from .grid_models import Grid, GridAssignment, MicroGrid  # noqa: F401  (the grid models, registered here)
from .payment_models import PaymentOrder  # noqa: F401  (payment orders, registered here)
from .roles import STAFF, Role
from .uploads import RandomName
from .validators import validate_credit_code


class Region(models.Model):
    """A node of the administrative division tree, keyed by its 12-digit statistical division code.

    The code is hierarchical (2 province, 2 city, 2 county, 3 town, 3 village digits), so a region's whole
    subtree is every code that starts with its significant prefix: scoping needs no recursive query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")
        TOWN = "town", _("Town / street")
        VILLAGE = "village", _("Village / community")

    PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWN: 9, Level.VILLAGE: 12}
    # The field ``__str__`` shows: an export's region column reads it with values_list, no Region object per
    # name (``programs.exports.label_field``).
    LABEL_FIELD = "name"

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    # A village's place (WGS-84 degrees): the 15-minute employment circle is measured from it (workshops.circle).
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="region_coordinates")]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: self.PREFIX_LENGTH[self.level]]

    @classmethod
    def prefix_of(cls, code: str) -> str:
        return code[: cls.PREFIX_LENGTH[cls.level_of_code(code)]]

    @classmethod
    def level_of_code(cls, code: str) -> str:
        for level in (cls.Level.PROVINCE, cls.Level.CITY, cls.Level.COUNTY, cls.Level.TOWN):
            if set(code[cls.PREFIX_LENGTH[level] :]) == {"0"}:
                return level
        return cls.Level.VILLAGE

    def clean(self):
        if not (self.code.isdigit() and len(self.code) == 12):
            raise ValidationError({"code": _("A division code is 12 digits.")})
        if self.level != self.level_of_code(self.code):
            raise ValidationError(
                {"level": _("The division code %(code)s is not of this level.") % {"code": self.code}}
            )
        if self.parent_id and not self.code.startswith(self.parent.prefix):
            raise ValidationError({"parent": _("The division code does not lie inside the parent's.")})


class Department(models.Model):
    class Kind(models.TextChoices):
        COMPREHENSIVE_ENFORCEMENT = "comprehensive_enforcement", _("Comprehensive enforcement")
        MARKET_SUPERVISION = "market_supervision", _("Market supervision")
        HEALTH = "health", _("Health")
        FIRE_RESCUE = "fire_rescue", _("Fire and rescue")
        EMERGENCY_MANAGEMENT = "emergency_management", _("Emergency management")
        ECOLOGY_ENVIRONMENT = "ecology_environment", _("Ecology and environment")
        HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
        ORGANISATION = "organisation", _("Organisation department")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("region"))
    # The one officer of the department who approves its year plan (an officer's role stays "officer").
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
        verbose_name=_("department head"),
        help_text=_("An officer of this department; approves its year plan."),
    )

    class Meta:
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name

    def clean(self):
        head = self.head
        if head is not None and not (head.role == Role.OFFICER and head.department_id == self.pk and self.pk):
            raise ValidationError({"head": _("The department head is an officer of this department.")})


class Grade(models.TextChoices):
    """The four-colour grade (四色检查法) that decides how often an enterprise is inspected."""

    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    GRAY = "gray", _("Gray")


class Enterprise(models.Model):
    class Size(models.TextChoices):
        MICRO = "micro", _("Micro")
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    name = models.CharField(_("name"), max_length=200)
    # Empty for a business not registered yet (someone about to open a restaurant), which may still book guidance.
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, default=Size.SMALL)
    is_key = models.BooleanField(_("key enterprise"), default=False)
    # The grid is reached through the micro-grid; a grid manager sees their micro-grids' enterprises.
    micro_grid = models.ForeignKey(
        MicroGrid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("micro-grid"),
    )
    is_four_new = models.BooleanField(
        _("four-new enterprise"), default=False, help_text=_("New technology, industry, business form or model.")
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    grade = models.CharField(_("grade"), max_length=6, choices=Grade.choices, default=Grade.GRAY, db_index=True)
    grade_changed_at = models.DateTimeField(_("grade changed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=Q(credit_code__isnull=False), name="enterprise_unique_credit_code"
            )
        ]
        indexes = [
            models.Index(fields=["region", "grade"], name="enterprise_region_grade"),
            # The lists' orders (by name, within a grade): a page walks the index and stops at its last row
            # instead of sorting every enterprise of the scope.
            models.Index(fields=["grade", "name", "id"], name="enterprise_grade_name"),
            models.Index(fields=["name", "id"], name="enterprise_name"),
        ]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self):
        return self.name



class StoresRegionCode(models.Model):
    """A row of one enterprise (``enterprise`` foreign key) that stores the enterprise's division code, so that the
    region scope, a code prefix (``scope(…, region="region_code")``), is a condition of the row's own table and
    indexes instead of a join to a million enterprises and their regions. Set when the row is made; an enterprise
    that moves takes its rows along (``services.enterprise_update``). ``bulk_create`` skips ``save``: set it there,
    from the enterprise rows locked as below.

    Locks: the enterprise row first (``FOR NO KEY UPDATE``), then this table's. A move of the enterprise locks it
    ``FOR UPDATE`` before it rewrites the codes, so a row is either made before the move (and moved with it) or
    after it (with the new code), and the two never wait on each other the other way round (a deadlock)."""

    region_code = models.CharField(_("division code"), max_length=12, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not (self._state.adding and not self.region_code):
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            self.region_code = (
                Enterprise.objects.select_for_update(no_key=True, of=("self",))
                .values_list("region__code", flat=True)
                .get(pk=self.enterprise_id)
            )
            super().save(*args, **kwargs)


class User(AbstractUser):
    """A person who signs in. The role and its anchor (region, department, enterprise) scope every query."""

    Role = Role

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("region")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("department"),
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("enterprise")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        super().clean()
        needs = {
            self.Role.OFFICER: ("department", _("A department officer belongs to a department.")),
            self.Role.ENTERPRISE: ("enterprise", _("An enterprise user belongs to an enterprise.")),
        }
        if self.role in needs:
            field, message = needs[self.role]
            if not getattr(self, f"{field}_id"):
                raise ValidationError({field: message})
        if self.role in STAFF and not self.region_id:
            raise ValidationError({"region": _("Staff work in a region; choose one.")})


class AuditEntry(models.Model):
    """One change of a status, a grade or another tracked field: what, from, to, who (or the scheduler), why.
    Written once in the transaction of the change and never edited."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=50, default="status")
    action = models.CharField(
        _("action"), max_length=50, blank=True, help_text=_("What was done, e.g. booking.assign.")
    )
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True, help_text=_("Lists and context, stored whole."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("actor")
    )
    actor_label = models.CharField(
        _("actor label"),
        max_length=50,
        blank=True,
        help_text=_("Who acted when it was not a person, e.g. the scheduler."),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_subject")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.content_type.name} #{self.object_id}"  # the change itself: programs.audit_display

    @property
    def actor_display(self) -> str:
        return self.actor.get_username() if self.actor_id else (self.actor_label or str(_("system")))


class Notification(models.Model):
    """The outbox. A message is a row first; a scheduled sweep delivers due rows exactly once.

    The dedupe key makes scheduling idempotent (the same reminder asked for twice is one row), and the
    sweep claims rows under a row lock that other sweeps skip, so two sweeps never send the same row.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        IN_APP = "in_app", _("In-app")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    address = models.CharField(_("address"), max_length=254, blank=True, help_text=_("Email address or phone number."))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    # An email's HTML version; the plain ``body`` goes with it as the text alternative.
    html_body = models.TextField(_("HTML body"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(_("due at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set while a sweep delivers the row: other sweeps leave it alone until the lease ends.
    claim_token = models.CharField(_("claim"), max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="notification_pending_due"),
            models.Index(fields=["recipient", "channel", "-due_at"], name="notification_inbox"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.subject


class ImportJob(models.Model):
    """One spreadsheet brought in: validated on upload, saved all or nothing once confirmed."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    MOVES = {
        Status.VALIDATED: [Status.QUEUED],
        Status.QUEUED: [Status.RUNNING],
        Status.RUNNING: [Status.DONE, Status.FAILED],
    }

    kind = models.CharField(_("kind"), max_length=50)
    file = models.FileField(_("file"), upload_to=RandomName("imports"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    saved_rows = models.PositiveIntegerField(_("rows saved"), default=0)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class IdempotencyRecord(models.Model):
    """The answer given to a write that carried an ``Idempotency-Key``, replayed when the phone retries."""

    scope = models.CharField(max_length=64, help_text="Hash of the caller's credentials.")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique_key")]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"


class IssuedDocument(models.Model):
    """A document as it was issued (a recommendation letter, a field record, a case document): rendered to PDF
    once, stored with its SHA-256 and served as stored, never rendered again or edited. A correction is a new
    version that supersedes this one; the old version stays. Written only by ``programs.documents``."""

    kind = models.CharField(_("kind"), max_length=50, help_text=_("What the document is, e.g. guidance.letter."))
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    number = models.CharField(_("number"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    file = models.FileField(_("PDF file"), max_length=200, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    reason = models.TextField(_("reason for the new version"), blank=True)

    class Meta:
        ordering = ["kind", "object_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "version"], name="document_unique_version"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="document_subject")]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")

    def __str__(self):
        return f"{self.number} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("An issued document is never changed; issue a new version instead."))
        super().save(*args, **kwargs)


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat task: one row, whichever worker took it."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    beat_at = models.DateTimeField(_("last heartbeat"))
    hostname = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname or self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
