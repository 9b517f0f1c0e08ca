"""Guidance bookings (预约式行政指导服务): a service, never enforcement.

An enterprise (or someone about to open a business) books a themed visit in a published slot; staff confirm
it and assign departments and officers, hold the visit, record advice and risks per checklist item, issue a
recommendation letter (建议书), and follow the risks until the enterprise has rectified them. Nothing here
touches ``Enterprise.grade`` or leads to a penalty.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.models import InspectionItem
from programs.models import Department, Enterprise, Region
from programs.uploads import RandomName


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On site")


class Theme(models.Model):
    """A themed scenario (主题场景): what the visit is about, who comes, what they look at."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="guidance_themes", verbose_name=_("participating departments")
    )
    items = models.ManyToManyField(
        InspectionItem, blank=True, related_name="guidance_themes", verbose_name=_("checklist items")
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    offers_online = models.BooleanField(_("offered online"), default=True)
    offers_onsite = models.BooleanField(_("offered on site"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("display order", "position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.title

    @property
    def modes(self) -> list[str]:
        return [m for m, offered in ((Mode.ONLINE, self.offers_online), (Mode.ONSITE, self.offers_onsite)) if offered]


class SlotTemplate(models.Model):
    """A weekly recurring slot; a scheduled task turns it into slots some weeks ahead."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    themes = models.ManyToManyField(Theme, related_name="slot_templates", verbose_name=_("themes"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__code", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="guidance_template_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="guidance_template_capacity_positive"),
        ]
        verbose_name = _("weekly slot template")
        verbose_name_plural = _("weekly slot templates")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M} {self.get_mode_display()}"


class Slot(models.Model):
    """A published time for visits. ``booked`` never exceeds ``capacity``: the database refuses it."""

    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    themes = models.ManyToManyField(Theme, related_name="slots", verbose_name=_("themes"))
    template = models.ForeignKey(
        SlotTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("weekly template"),
    )
    is_withdrawn = models.BooleanField(_("withdrawn"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="guidance_slot_never_overbooked"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="guidance_slot_ends_after_start"),
            # The generator may run any number of times: one slot per template and start.
            models.UniqueConstraint(
                fields=["template", "starts_at"],
                condition=Q(template__isnull=False),
                name="guidance_slot_once_per_template_start",
            ),
        ]
        indexes = [models.Index(fields=["region", "starts_at"], name="guidance_slot_region_start")]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{start:%Y-%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M} {self.get_mode_display()}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A slot ends after it starts.")})
        if self.capacity is not None and self.capacity < self.booked:
            raise ValidationError(
                {
                    "capacity": _("%(booked)s places are booked already; the capacity cannot be lower.")
                    % {"booked": self.booked}
                }
            )

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class Office(models.Model):
    """The office that answers for a district's guidance visits: its name, address and phone go in every
    message and page about a booking there. A region without one takes its parent's, and the site's
    office (``SITE_OFFICE_*`` settings) stands behind them all."""

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="guidance_office", verbose_name=_("region")
    )
    name = models.CharField(pgettext_lazy("office", "name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(pgettext_lazy("office", "phone"), max_length=40)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)

    class Meta:
        ordering = ["region__code"]
        verbose_name = _("guidance office")
        verbose_name_plural = _("guidance offices")

    def __str__(self):
        return self.name


class Booking(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", pgettext_lazy("booking channel", "Online form")
        PHONE = "phone", pgettext_lazy("booking channel", "By phone")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(pgettext_lazy("booking", "reference"), max_length=20, unique=True)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("theme"))
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    # The region's division code, kept with it by ``save``: the staff's scope is a prefix on this table's own index.
    region_code = models.CharField(_("division code"), max_length=12, editable=False)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # A registered enterprise is matched by its credit code; someone about to open a business gives a name only.
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guidance_bookings",
        verbose_name=_("enterprise"),
    )
    # An anonymous booker who gives a registered enterprise's credit code may be a stranger: the booking stays
    # not the enterprise's own (enterprise empty) until one of its users claims it.
    unverified_enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise named by the credit code (unverified)"),
    )
    business_name = models.CharField(_("business name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    needs = models.TextField(_("needs"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    departments = models.ManyToManyField(
        Department, blank=True, related_name="guidance_bookings", verbose_name=_("assigned departments")
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="guidance_visits", verbose_name=_("assigned officers")
    )
    # Bumped on every reschedule: reminder keys carry it, so the old time's reminders can be cancelled.
    time_version = models.PositiveIntegerField(_("time version"), default=1, editable=False)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # Booked through the public form or the app, or by a staff member (``created_by``) for a caller on the phone.
    channel = models.CharField(
        pgettext_lazy("booking", "booked through"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    summary = models.TextField(_("visit summary"), blank=True)
    letter_number = models.CharField(_("recommendation letter number"), max_length=30, blank=True)
    letter_issued_at = models.DateTimeField(_("recommendation letter issued at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="guidance_satisfaction_1_to_5",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="guidance_booking_status"),
            models.Index(fields=["region_code"], opclasses=["varchar_pattern_ops"], name="guidance_booking_scope"),
            models.Index(fields=["-created_at", "-id"], name="guidance_booking_list_order"),
        ]
        verbose_name = _("guidance booking")
        verbose_name_plural = _("guidance bookings")

    def __str__(self):
        return f"{self.reference} {self.business_name}"

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if self.region_id and (fields is None or "region" in fields):  # a save that may change the region
            self.region_code = Region.objects.values_list("code", flat=True).get(pk=self.region_id)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "region_code"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.REQUESTED, self.Status.CONFIRMED)


BOOKING_MOVES = {
    Booking.Status.REQUESTED: {Booking.Status.CONFIRMED, Booking.Status.CANCELLED},
    Booking.Status.CONFIRMED: {Booking.Status.COMPLETED, Booking.Status.NO_SHOW, Booking.Status.CANCELLED},
    Booking.Status.COMPLETED: set(),
    Booking.Status.NO_SHOW: set(),
    Booking.Status.CANCELLED: set(),
}


class Session(models.Model):
    """A guidance session held for a booking (指导服务, online or on site): when, who came, what came of it. The
    first session completes the booking; a follow-up session after rectification (回访) is another session of the
    same booking. Advice, risks and the recommendation letter belong to the session that gave or found them.

    The booking's ``summary``, ``letter_number`` and ``letter_issued_at`` are its first session's, kept on the
    booking for the lists and exports that show them; the services write both together."""

    class Kind(models.TextChoices):
        FIRST = "first", pgettext_lazy("guidance session", "First session")
        FOLLOW_UP = "follow_up", pgettext_lazy("guidance session", "Follow-up session")

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("booking"))
    kind = models.CharField(pgettext_lazy("guidance session", "kind"), max_length=10, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    held_at = models.DateTimeField(pgettext_lazy("guidance session", "held at"), db_index=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="guidance_sessions", verbose_name=_("officers")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="guidance_sessions", verbose_name=_("departments")
    )
    summary = models.TextField(pgettext_lazy("guidance session", "outcome"), blank=True)
    letter_number = models.CharField(_("recommendation letter number"), max_length=30, blank=True)
    letter_issued_at = models.DateTimeField(_("recommendation letter issued at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["held_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(kind="first"), name="guidance_session_one_first_per_booking"
            )
        ]
        verbose_name = pgettext_lazy("guidance session", "session")
        verbose_name_plural = pgettext_lazy("guidance session", "sessions")

    def __str__(self):
        return f"{self.booking.reference} {self.get_kind_display()} {timezone.localtime(self.held_at):%Y-%m-%d %H:%M}"


class Advice(models.Model):
    """Advice given during the visit, per checklist item (or general when no item). ``session``: the session that
    gave it (empty while the first session is under way: recording it takes the advice in)."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="advice", verbose_name=_("booking"))
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advice",
        verbose_name=pgettext_lazy("guidance session", "session"),
    )
    item = models.ForeignKey(
        InspectionItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    text = models.TextField(_("advice"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("advice")
        verbose_name_plural = _("advice")

    def __str__(self):
        return self.text[:50]


class Risk(models.Model):
    """A risk (隐患) found in a guidance visit: a rectification item the enterprise closes with evidence and
    staff confirm. Never a finding of an inspection: no penalty, no grade."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Evidence submitted")
        RECTIFIED = "rectified", _("Rectified")

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="risks", verbose_name=_("booking"))
    # The session that found it (empty while the first session is under way: recording it takes the risk in).
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name=pgettext_lazy("guidance session", "session"),
    )
    item = models.ForeignKey(
        InspectionItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    description = models.TextField(_("description"))
    suggestion = models.TextField(_("suggested rectification"), blank=True)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence_note = models.TextField(_("evidence note"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=RandomName("guidance/evidence"), blank=True)
    evidence_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self):
        return self.description[:50]


RISK_MOVES = {
    Risk.Status.OPEN: {Risk.Status.SUBMITTED},
    Risk.Status.SUBMITTED: {Risk.Status.RECTIFIED, Risk.Status.OPEN},
    Risk.Status.RECTIFIED: set(),
}


class WaitlistEntry(models.Model):
    """A business waiting for a place in a full slot (候补). When a place frees, the first one waiting is offered
    it and the place is held for them (it stays counted in ``Slot.booked``) until they take it or the offer
    lapses, when it passes to the next one waiting."""

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("waitlist", "Waiting")
        OFFERED = "offered", pgettext_lazy("waitlist", "Place offered")
        BOOKED = "booked", pgettext_lazy("waitlist", "Booked")
        EXPIRED = "expired", pgettext_lazy("waitlist", "Offer lapsed")
        LEFT = "left", pgettext_lazy("waitlist", "Left the waitlist")
        CLOSED = "closed", pgettext_lazy("waitlist", "Closed")

    reference = models.CharField(pgettext_lazy("waitlist", "reference"), max_length=20, unique=True)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+", verbose_name=_("theme"))
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="waitlist", verbose_name=_("slot"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("enterprise")
    )
    business_name = models.CharField(_("business name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    needs = models.TextField(_("needs"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer held until"), null=True, blank=True)
    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("booking")
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="guidance_waitlist_offer_has_deadline",
            )
        ]
        indexes = [models.Index(fields=["slot", "status", "created_at"], name="guidance_waitlist_queue")]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")

    def __str__(self):
        return f"{self.reference} {self.business_name}"


WAITLIST_MOVES = {
    WaitlistEntry.Status.WAITING: {
        WaitlistEntry.Status.OFFERED,
        WaitlistEntry.Status.LEFT,
        WaitlistEntry.Status.CLOSED,
    },
    WaitlistEntry.Status.OFFERED: {
        WaitlistEntry.Status.BOOKED,
        WaitlistEntry.Status.EXPIRED,
        WaitlistEntry.Status.LEFT,
        WaitlistEntry.Status.CLOSED,
    },
    WaitlistEntry.Status.BOOKED: set(),
    WaitlistEntry.Status.EXPIRED: set(),
    WaitlistEntry.Status.LEFT: set(),
    WaitlistEntry.Status.CLOSED: set(),
}
