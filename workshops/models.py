"""Co-prosperity workshops (共富工坊): workshops, their positions, the residents who register for them,
employment and monthly income, activities, and the travel times that draw a resident's 15-minute circle."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Enterprise, Region
from programs.validators import validate_id_number

PHONE = RegexValidator(r"^[0-9][0-9 -]{6,19}$", _("Write a phone number with digits only, e.g. 13905801234."))


# Read out over the phone and copied by hand: no 0/O, 1/I/L or U/V look-alikes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"


def registration_reference() -> str:
    """A registration's readable number, like a guidance booking's (G261201-08782E): ``W`` and the day, then
    six random characters (some 600 million a day). The service makes sure the one it saves is unused."""
    tail = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"W{timezone.localdate():%y%m%d}-{tail}"


_reference = registration_reference  # the name migration 0001 refers to


class Workshop(models.Model):
    class Kind(models.TextChoices):
        ASSISTANCE = "assistance", _("Assistance workshop (for disabled people)")
        WORKSHOP_FLOOR = "workshop_floor", _("Workshop floor")
        PRODUCTION_LINE = "production_line", _("Production line")
        LIVE_STREAM = "live_stream", _("Live-stream e-commerce")
        CRAFT_TRAINING = "craft_training", _("Craft training")
        HIRING = "hiring", _("Directed hiring (hiring express)")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("workshop status", "Planned")
        OPEN = "open", pgettext_lazy("workshop status", "Open")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    host_enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("host enterprise"),
    )
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="workshops", verbose_name=_("village / community")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    manager_name = models.CharField(_("manager"), max_length=100)
    manager_phone = models.CharField(_("manager's phone"), max_length=20, blank=True)
    products = models.TextField(_("products"), blank=True)
    description = models.TextField(pgettext_lazy("workshop", "description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["village__code", "name", "id"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self):
        return self.name


WORKSHOP_MOVES = {
    Workshop.Status.PLANNED: [Workshop.Status.OPEN, Workshop.Status.CLOSED],
    Workshop.Status.OPEN: [Workshop.Status.SUSPENDED, Workshop.Status.CLOSED],
    Workshop.Status.SUSPENDED: [Workshop.Status.OPEN, Workshop.Status.CLOSED],
    Workshop.Status.CLOSED: [],
}


class Category(models.TextChoices):
    """The six kinds of position (共富岗位 6 大类) the Zhoushan article counts."""

    PRIMARY_PROCESSING = "primary_processing", _("Primary processing (sorting, shelling)")
    AQUACULTURE = "aquaculture", _("Farming and fishing")
    HANDICRAFT = "handicraft", _("Handicraft")
    E_COMMERCE = "e_commerce", _("E-commerce and live-streaming")
    SERVICES = "services", _("Services (homestay, property, catering)")
    MANUFACTURING = "manufacturing", _("Manufacturing and assembly")


class Position(models.Model):
    """A job opening in a workshop (共富岗位). ``accepted_count`` counts the registrations holding a place
    (accepted or employed); a check constraint keeps it within the openings whatever runs concurrently."""

    class PayUnit(models.TextChoices):
        DAY = "day", _("per day")
        MONTH = "month", _("per month")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("position status", "Open")
        CLOSED = "closed", _("Closed")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.PROTECT, related_name="positions", verbose_name=_("workshop")
    )
    title = models.CharField(pgettext_lazy("position", "title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(pgettext_lazy("workshop", "description"), blank=True)
    openings = models.PositiveIntegerField(_("openings"), validators=[MinValueValidator(1)])
    accepted_count = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    pay_amount = models.DecimalField(_("pay"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    pay_unit = models.CharField(_("pay unit"), max_length=5, choices=PayUnit.choices, default=PayUnit.MONTH)
    seasonal_start = models.DateField(_("seasonal window from"), null=True, blank=True)
    seasonal_end = models.DateField(
        _("seasonal window until"),
        null=True,
        blank=True,
        help_text=_("Short-term hiring at peak season: the position closes itself after this day."),
    )
    accessible = models.BooleanField(_("accessible to disabled people"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["workshop__village__code", "workshop__name", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_count__lte=F("openings")), name="position_accepted_within_openings"
            ),
            models.CheckConstraint(
                condition=Q(seasonal_start__isnull=True)
                | Q(seasonal_end__isnull=True)
                | Q(seasonal_start__lte=F("seasonal_end")),
                name="position_seasonal_window_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "seasonal_end"], name="position_status_season")]
        verbose_name = pgettext_lazy("workshop position", "position")
        verbose_name_plural = _("positions")

    def __str__(self):
        return f"{self.workshop.name} · {self.title}"

    @property
    def places_left(self) -> int:
        return max(self.openings - self.accepted_count, 0)

    @property
    def is_seasonal(self) -> bool:
        return self.seasonal_end is not None


POSITION_MOVES = {
    Position.Status.OPEN: [Position.Status.CLOSED],
    Position.Status.CLOSED: [Position.Status.OPEN],
}


class Resident(models.Model):
    """A villager who may work in a workshop. Most are registered by a grid worker and have no account.

    ``id_number``, ``has_disability`` and ``is_low_income`` are sensitive: see ``workshops.privacy``.
    """

    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[PHONE])
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="residents", verbose_name=_("village / community")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("account"),
    )
    has_disability = models.BooleanField(_("disabled person"), default=False)
    is_low_income = models.BooleanField(_("low-income household"), default=False)
    wants_work = models.BooleanField(_("wishes to work"), default=True)
    wished_categories = models.JSONField(
        _("wished categories"), default=list, blank=True, help_text=_("Empty means any kind of work.")
    )
    surveyed_on = models.DateField(_("surveyed on"), null=True, blank=True)
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveyed_residents",
        verbose_name=_("responsible grid worker"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["village__code", "name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self):
        return self.name


class VillageDistance(models.Model):
    """Travel time between two villages, for the 15-minute employment circle. One row per pair, either way."""

    from_village = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="+", verbose_name=pgettext_lazy("travel", "from")
    )
    to_village = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="+", verbose_name=pgettext_lazy("travel", "to")
    )
    minutes = models.PositiveSmallIntegerField(_("travel time (minutes)"))

    class Meta:
        ordering = ["from_village__code", "to_village__code"]
        constraints = [
            models.UniqueConstraint(fields=["from_village", "to_village"], name="village_distance_unique_pair"),
            models.CheckConstraint(condition=~Q(from_village=F("to_village")), name="village_distance_two_places"),
            # Each pair once: the lower id first (services.village_distance_set orders it; 0009 merged older rows).
            models.CheckConstraint(condition=Q(from_village__lt=F("to_village")), name="village_distance_ordered_pair"),
        ]
        verbose_name = _("travel time between villages")
        verbose_name_plural = _("travel times between villages")

    def __str__(self):
        return f"{self.from_village} ↔ {self.to_village}: {self.minutes}′"


class Registration(models.Model):
    """A resident's registration for a position (报名)."""

    class Channel(models.TextChoices):
        SELF = "self", _("Self")
        COMMUNITY = "community", _("Community recommendation")
        GRID_WORKER = "grid_worker", _("Grid worker")
        ENTERPRISE = "enterprise", _("Enterprise")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("registration status", "Submitted")
        RECOMMENDED = "recommended", _("Recommended")
        HOME_VISIT = "home_visit", _("Home visit done")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        EMPLOYED = "employed", _("Employed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        # A public registration whose ID number is on record under another name: the community checks who it is.
        TO_VERIFY = "to_verify", _("To verify by the community")

    reference = models.CharField(
        pgettext_lazy("registration", "reference"),
        max_length=20,
        unique=True,
        default=registration_reference,
        editable=False,
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("resident")
    )
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=pgettext_lazy("workshop position", "position"),
    )
    channel = models.CharField(pgettext_lazy("registration", "channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    baseline_monthly_income = models.DecimalField(
        _("monthly income before"), max_digits=9, decimal_places=2, default=0, help_text=_("Yuan per month.")
    )
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or withdrawn."))
    claimed_name = models.CharField(
        _("name given"),
        max_length=100,
        blank=True,
        help_text=_("The name given on the public form when it differs from the record for this ID number."),
    )
    claimed_phone = models.CharField(_("phone given"), max_length=20, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    consent_at = models.DateTimeField(_("consent to the use of personal data given at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The division codes of the resident's village and the workshop's (the staff of either place see the row): the
    # scope is a prefix on their own indexes, not two subqueries through three joins (issue 16). Set by ``save``
    # (``bulk_create`` must set them); a resident, workshop or position that moves takes its rows along (services).
    resident_region_code = models.CharField(_("division code of the resident"), max_length=12, editable=False)
    workshop_region_code = models.CharField(_("division code of the workshop"), max_length=12, editable=False)

    ACTIVE = (Status.SUBMITTED, Status.RECOMMENDED, Status.HOME_VISIT, Status.ACCEPTED, Status.EMPLOYED)
    # Waiting for the community or the host: reminded, and expired when nobody acts (a claim to verify too).
    WAITING = (Status.SUBMITTED, Status.RECOMMENDED, Status.HOME_VISIT, Status.TO_VERIFY)
    HOLDING_A_PLACE = (Status.ACCEPTED, Status.EMPLOYED)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "position"],
                condition=Q(status__in=["submitted", "recommended", "home_visit", "accepted", "employed"]),
                name="registration_one_active_per_resident_position",
            )
        ]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="registration_waiting"),
            models.Index(fields=["resident_region_code"], opclasses=["varchar_pattern_ops"], name="reg_resident_code"),
            models.Index(fields=["workshop_region_code"], opclasses=["varchar_pattern_ops"], name="reg_workshop_code"),
            models.Index(fields=["-created_at", "-id"], name="registration_list_order"),
        ]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not (self._state.adding and not (self.resident_region_code and self.workshop_region_code)):
            return super().save(*args, **kwargs)
        # Resident, position and workshop locked (FOR NO KEY UPDATE) till the row is made: a move waits, then moves it.
        with transaction.atomic(using=kwargs.get("using")):
            locked = {"no_key": True, "of": ("self",)}
            code = Resident.objects.select_for_update(**locked).values_list("village__code", flat=True)
            self.resident_region_code = code.get(pk=self.resident_id)
            workshop = Position.objects.select_for_update(**locked).values_list("workshop", flat=True)
            code = Workshop.objects.select_for_update(**locked).values_list("village__code", flat=True)
            self.workshop_region_code = code.get(pk=workshop.get(pk=self.position_id))
            super().save(*args, **kwargs)


REGISTRATION_MOVES = {
    Registration.Status.SUBMITTED: [
        Registration.Status.RECOMMENDED,
        Registration.Status.HOME_VISIT,
        Registration.Status.REJECTED,
        Registration.Status.WITHDRAWN,
        Registration.Status.EXPIRED,
    ],
    Registration.Status.RECOMMENDED: [
        Registration.Status.HOME_VISIT,
        Registration.Status.REJECTED,
        Registration.Status.WITHDRAWN,
        Registration.Status.EXPIRED,
    ],
    # Acceptance comes only after the home visit (入户走访确认) has confirmed the person can do the work.
    Registration.Status.HOME_VISIT: [
        Registration.Status.ACCEPTED,
        Registration.Status.REJECTED,
        Registration.Status.WITHDRAWN,
        Registration.Status.EXPIRED,
    ],
    Registration.Status.ACCEPTED: [Registration.Status.EMPLOYED, Registration.Status.WITHDRAWN],
    # Verified (it is the person on record): it goes on as a submitted one; otherwise rejected.
    Registration.Status.TO_VERIFY: [
        Registration.Status.SUBMITTED,
        Registration.Status.REJECTED,
        Registration.Status.WITHDRAWN,
        Registration.Status.EXPIRED,
    ],
    Registration.Status.EMPLOYED: [],
    Registration.Status.REJECTED: [],
    Registration.Status.WITHDRAWN: [],
    Registration.Status.EXPIRED: [],
}


class Employment(models.Model):
    """The work that followed an accepted registration, and its wage."""

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="employment", verbose_name=_("registration")
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    wage = models.DecimalField(_("wage"), max_digits=9, decimal_places=2)
    wage_unit = models.CharField(
        _("wage unit"), max_length=5, choices=Position.PayUnit.choices, default=Position.PayUnit.MONTH
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="employment_end_after_start"
            )
        ]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")

    def __str__(self):
        return f"{self.registration.resident} · {self.registration.position.title}"


class IncomeRecord(models.Model):
    """What an employed resident earned in a month; the increase is measured against the registration's
    baseline."""

    employment = models.ForeignKey(
        Employment, on_delete=models.PROTECT, related_name="income_records", verbose_name=_("employment")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    income = models.DecimalField(_("income"), max_digits=9, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["employment", "month"], name="income_record_one_per_month"),
        ]
        verbose_name = _("monthly income record")
        verbose_name_plural = _("monthly income records")

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.income}"


class Activity(models.Model):
    """A workshop's live-streaming (直播: sessions and sales) or training, with its figures. A market (大市集) is
    an event of several workshops: ``Market``."""

    class Kind(models.TextChoices):
        LIVE_STREAM = "live_stream", pgettext_lazy("activity kind", "Live-stream sessions")
        TRAINING = "training", _("Training")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.PROTECT, related_name="activities", verbose_name=_("workshop")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    sessions = models.PositiveIntegerField(_("live-stream sessions"), default=0)
    participants = models.PositiveIntegerField(_("trainees"), default=0)
    revenue = models.DecimalField(_("revenue / sales (yuan)"), max_digits=12, decimal_places=2, default=0)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title


# The market (大市集), its participating workshops and the supply points it opened outside the city.
from .market_models import Market, MarketParticipation, SupplyPoint  # noqa: E402, F401

# Job offers pushed to residents (岗位推送) and the courses they enrol in (智聘).
from .offer_models import Course, CourseEnrolment, JobOffer, OfferRound  # noqa: E402, F401

# Names of the choice sets in the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
PayUnit = Position.PayUnit
WorkshopKind = Workshop.Kind
WorkshopStatus = Workshop.Status
PositionStatus = Position.Status
RegistrationChannel = Registration.Channel
RegistrationStatus = Registration.Status
ActivityKind = Activity.Kind
