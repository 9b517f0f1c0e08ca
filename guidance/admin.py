"""The staff admin for guidance: coordinators edit themes and publish slots; bookings and risks change status
only through actions that call the same services as the API, each leaving its audit row."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason, service_action
from programs.roles import COORDINATORS, ENFORCEMENT, STAFF
from programs.selectors import department_list, officer_list, scope

from . import files, selectors, services
from .forms import PhoneBookingForm, SessionForm
from .models import Advice, Booking, Office, Risk, Session, Slot, SlotTemplate, Theme, WaitlistEntry


@admin.register(Theme)
class ThemeAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATORS
    list_display = ["title", "code", "duration_minutes", "offers_online", "offers_onsite", "is_active", "position"]
    list_editable = ["position"]
    list_filter = ["is_active", "offers_online", "offers_onsite"]
    search_fields = ["title", "code", "description"]
    filter_horizontal = ["departments", "items"]

    def get_queryset(self, request):
        return Theme.objects.all()  # reference data: every staff member reads all themes


@admin.register(SlotTemplate)
class SlotTemplateAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATORS
    scope_paths = {"region": "region"}
    list_display = ["__str__", "region", "capacity", "is_active"]
    list_filter = ["weekday", "mode", "is_active"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["themes"]


def _withdraw(slot, actor, request):
    services.slot_withdraw(slot=slot, actor=actor, reason=action_reason(request))


@admin.register(Slot)
class SlotAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATORS
    scope_paths = {"region": "region"}
    list_display = ["__str__", "region", "capacity", "booked", "is_withdrawn", "template"]
    list_filter = ["mode", "is_withdrawn"]
    list_select_related = ["region", "template"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["themes"]
    readonly_fields = ["booked", "template", "is_withdrawn", "created_at"]
    inlines = [AuditHistoryInline]
    date_hierarchy = "starts_at"
    action_form = ReasonActionForm
    actions = ["withdraw"]
    withdraw = service_action(
        _withdraw, _("Withdraw (cancel its bookings with the reason above)"), _("%(count)d slots withdrawn.")
    )

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Only what the form changed: ``booked`` moves under bookings meanwhile and is never written back.
        changed = [name for name in form.changed_data if name not in ("themes", "capacity")]
        if changed:
            obj.save(update_fields=changed)
        if "capacity" in form.changed_data:  # a raised capacity offers its new places to the waitlist first
            services.slot_capacity_change(slot=obj, capacity=form.cleaned_data["capacity"], actor=request.user)
        return None


@admin.register(Office)
class OfficeAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = COORDINATORS
    scope_paths = {"region": "region"}
    list_display = ["name", "region", "phone", "address"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    search_fields = ["name", "address"]


def _waitlist_leave(entry, actor, request):
    services.waitlist_leave(entry=entry, actor=actor)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = ENFORCEMENT
    scope_paths = {"region": "slot__region"}
    list_display = ["reference", "business_name", "slot", "status", "created_at", "offer_expires_at", "booking"]
    list_filter = ["status"]
    list_select_related = ["slot", "booking"]
    search_fields = ["reference", "business_name", "contact_name"]
    readonly_fields = [f.name for f in WaitlistEntry._meta.fields]
    inlines = [AuditHistoryInline]
    actions = [service_action(_waitlist_leave, _("Take off the waitlist"), _("%(count)d taken off the waitlist."))]

    def has_add_permission(self, request):
        return False


class AdviceInline(admin.TabularInline):
    model = Advice
    extra = 0
    can_delete = False
    fields = ["item", "text", "author", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever may open the booking may read its records


class SessionInline(admin.TabularInline):
    """The sessions held for the booking; one is recorded with the page's 记录指导 button (the service's rules)."""

    model = Session
    extra = 0
    can_delete = False
    fields = ["kind", "mode", "held_at", "officer_names", "summary", "letter_number"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever may open the booking may read its records

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("officers")

    @admin.display(description=_("officers"))
    def officer_names(self, session):
        return "、".join(o.get_full_name() or o.username for o in session.officers.all()) or "—"


class RiskInline(admin.TabularInline):
    model = Risk
    extra = 0
    can_delete = False
    fields = ["session", "item", "description", "deadline", "status", "evidence_note", "rectified_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever may open the booking may read its records


def _confirm(booking, actor, request):
    services.booking_confirm(booking=booking, actor=actor)


def _complete(booking, actor, request):
    services.booking_complete(booking=booking, actor=actor)


def _no_show(booking, actor, request):
    services.booking_mark_no_show(booking=booking, actor=actor, reason=action_reason(request))


def _cancel(booking, actor, request):
    services.booking_cancel(booking=booking, actor=actor, reason=action_reason(request))


def _letter(booking, actor, request):
    services.letter_issue(booking=booking, actor=actor)


# What a booking's page edits in place: the assignment while the booking is open, the summary until the letter
# that states it is issued (a new version of the letter changes it).
ASSIGNMENT = ("departments", "officers")
EDITABLE = (*ASSIGNMENT, "summary")
# The hidden input that carries back which of them the page offered when it was opened.
EDITABLE_AS_OPENED = "_editable_as_opened"


def editable_fields(booking: Booking) -> list[str]:
    return [
        name
        for name in EDITABLE
        if not (name in ASSIGNMENT and not booking.is_open) and not (name == "summary" and booking.letter_issued_at)
    ]


class BookingAdminForm(forms.ModelForm):
    """Asks the service before anything is saved: what it refuses (the booking closed or its letter issued
    since the page was opened, an officer of another county) comes back as the form's errors, by field."""

    def assignment(self) -> dict:
        """``booking_assign``'s arguments: the fields the page offers as entered, the others as they are."""
        booking, offered = self.instance, self.fields
        return {
            "departments": self.cleaned_data["departments"] if "departments" in offered else booking.departments.all(),
            "officers": self.cleaned_data["officers"] if "officers" in offered else booking.officers.all(),
            "summary": self.cleaned_data["summary"] if "summary" in offered else None,
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.booking_assign_check(booking=self.instance, **self.assignment())
        except ValidationError as exc:
            errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            for name, field_errors in errors.items():  # one on a field the page does not offer: the form's own
                self.add_error(name if name in self.fields else None, field_errors)
        return cleaned


@admin.register(Booking)
class BookingAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = ENFORCEMENT
    scope_paths = {"region": "region_code", "department": "departments", "enterprise": "enterprise_id"}
    list_display = [
        "reference",
        "business_name",
        "theme",
        "slot",
        "mode",
        "status",
        "channel",
        "region",
        "escalated_at",
    ]
    # A day filter, not a date hierarchy (whose MIN/MAX and DISTINCT days scan the whole area on every page).
    list_filter = ["status", "mode", "channel", "theme", "created_at"]
    search_fields = ["reference", "business_name", "credit_code", "contact_name"]
    list_select_related = ["theme", "slot", "region"]
    # The dashboard's visits held and no-shows link to the bookings due (their time's day) in its period.
    SLOT_DAY_LOOKUPS = ("slot__starts_at__date__gte", "slot__starts_at__date__lte")

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.SLOT_DAY_LOOKUPS or super().lookup_allowed(lookup, value, request)

    filter_horizontal = ["departments", "officers"]
    fields = [
        "reference",
        "status",
        "theme",
        "slot",
        "mode",
        "region",
        "enterprise",
        "unverified_enterprise",
        "business_name",
        "credit_code",
        "contact_name",
        "contact_phone",
        "contact_email",
        "address",
        "needs",
        "channel",
        "created_by",
        "departments",
        "officers",
        "summary",
        "created_at",
        "confirmed_at",
        "escalated_at",
        "completed_at",
        "cancel_reason",
        "letter_number",
        "letter_issued_at",
        "issued_letter",
        "satisfaction",
        "feedback",
    ]
    readonly_fields = [f for f in fields if f not in EDITABLE]
    form = BookingAdminForm
    inlines = [SessionInline, AdviceInline, RiskInline, AuditHistoryInline]
    action_form = ReasonActionForm
    actions = [
        service_action(_confirm, _("Confirm (assign the theme's departments)"), _("%(count)d bookings confirmed.")),
        service_action(_complete, _("Mark the visit completed"), _("%(count)d visits completed.")),
        service_action(_no_show, _("Mark no-show"), _("%(count)d bookings marked no-show.")),
        service_action(_cancel, _("Cancel (give the reason above)"), _("%(count)d bookings cancelled.")),
        service_action(_letter, _("Issue the recommendation letter"), _("%(count)d letters issued.")),
    ]

    def has_add_permission(self, request):
        # The public form and the app make bookings; staff add one only for a caller on the phone.
        return self._role_in(request, ENFORCEMENT)

    def add_view(self, request, form_url="", extra_context=None):
        """电话预约: book for a caller, with the public form's rules, messages and links."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PhoneBookingForm(request.POST or None, user=request.user)
        if request.method == "POST":
            booking = form.booking(actor=request.user)
            if booking is not None:
                self.message_user(
                    request,
                    _("Booked %(ref)s for the caller; the confirmation and the link go to them by SMS and email.")
                    % {"ref": booking.reference},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:guidance_booking_change", args=[booking.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Book for a caller (phone booking)"),
            "form": form,
            "media": self.media + form.media,
        }
        return render(request, "admin/guidance/booking/phone_booking.html", context, status=400 if form.errors else 200)

    def get_urls(self):
        record = self.admin_site.admin_view(self.session_view)
        return [path("<int:pk>/session/", record, name="guidance_booking_session"), *super().get_urls()]

    def session_view(self, request, pk):
        """记录指导: an officer records a session held: the first completes a confirmed booking, a later one is a
        follow-up of a completed booking (``services.session_record``)."""
        booking = self.get_object(request, str(pk))
        if booking is None or not self.has_change_permission(request, booking):
            raise PermissionDenied
        form = SessionForm(request.POST or None, booking=booking, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                session = services.session_record(booking=booking, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
                for name, field_errors in errors.items():
                    form.add_error(name if name in form.fields else None, field_errors)
            else:
                self.message_user(
                    request,
                    _("%(kind)s recorded for %(ref)s.")
                    % {"kind": session.get_kind_display(), "ref": booking.reference},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:guidance_booking_change", args=[booking.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": booking,
            "title": _("Record a session of %(ref)s") % {"ref": booking.reference},
            "form": form,
            "booking": booking,
            "sessions": selectors.session_list(booking=booking),
        }
        return render(request, "admin/guidance/booking/session_form.html", context, status=400 if form.errors else 200)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        offered = " ".join(self.editable_as_opened(request, obj))
        context["editable_as_opened"] = {"name": EDITABLE_AS_OPENED, "value": offered}
        context["can_record_session"] = (
            obj is not None
            and obj.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)
            and self.has_change_permission(request, obj)
        )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.display(description=_("issued letter"))
    def issued_letter(self, obj):
        if obj is None or obj.letter_issued_at is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("guidance:letter", args=[obj.pk]), _("The letter and its PDF versions")
        )

    def editable_as_opened(self, request, obj) -> list[str]:
        """What the page offers for change. A save answers the page as it was opened, so a change the booking no
        longer allows (closed, or its letter issued, meanwhile) meets the service's refusal instead of vanishing."""
        if request.method == "POST" and EDITABLE_AS_OPENED in request.POST:
            offered = request.POST[EDITABLE_AS_OPENED].split()
            return [name for name in EDITABLE if name in offered]
        return editable_fields(obj) if obj is not None else list(EDITABLE)

    def get_readonly_fields(self, request, obj=None):
        editable = self.editable_as_opened(request, obj)
        return [*self.readonly_fields, *(name for name in EDITABLE if name not in editable)]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "officers":
            kwargs["queryset"] = officer_list(user=request.user)
        elif db_field.name == "departments":
            kwargs["queryset"] = scope(department_list(), request.user, region="region")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Nothing is saved directly: ``save_related`` hands the assignment and summary to the service."""

    def save_related(self, request, form, formsets, change):
        # The form asked the service under the booking's lock, held until this request's transaction ends.
        services.booking_assign(booking=form.instance, actor=request.user, **form.assignment())
        for formset in formsets:  # read-only inlines: nothing changes, but the admin's change message reads them
            self.save_formset(request, form, formset, change=change)


def _risk_confirm(risk, actor, request):
    services.risk_confirm(risk=risk, actor=actor)


def _risk_reject(risk, actor, request):
    services.risk_reject(risk=risk, actor=actor, reason=action_reason(request))


@admin.register(Risk)
class RiskAdmin(RoleScopedAdmin):
    view_roles = STAFF
    edit_roles = ENFORCEMENT
    scope_paths = {
        "region": "booking__region_code",
        "department": "booking__departments",
        "enterprise": "booking__enterprise_id",
    }
    list_display = ["description", "booking", "item", "deadline", "status", "evidence_at", "rectified_at"]
    list_filter = ["status"]
    search_fields = ["description", "booking__reference", "booking__business_name"]
    list_select_related = ["booking", "item"]
    fields = [
        "booking",
        "item",
        "description",
        "suggestion",
        "deadline",
        "status",
        "evidence_note",
        "evidence_download",
        "evidence_at",
        "rectified_at",
        "recorded_by",
    ]
    readonly_fields = fields
    inlines = [AuditHistoryInline]
    action_form = ReasonActionForm
    actions = [
        service_action(_risk_confirm, _("Confirm rectified"), _("%(count)d risks confirmed rectified.")),
        service_action(_risk_reject, _("Reject the evidence (give the reason above)"), _("%(count)d risks reopened.")),
    ]

    @admin.display(description=_("evidence file"))
    def evidence_download(self, risk):
        url = files.risk_evidence_url(risk)
        return format_html('<a href="{}">{}</a>', url, _("Download")) if url else "-"

    def has_add_permission(self, request):
        return False


@admin.register(Session)
class SessionAdmin(RoleScopedAdmin):
    """The sessions held, for the lists the indicators link to (first and follow-up, online and on site); each
    is recorded from its booking's page (记录指导), never edited here."""

    view_roles = STAFF
    edit_roles = ENFORCEMENT
    scope_paths = {
        "region": "booking__region_code",
        "department": "booking__departments",
        "enterprise": "booking__enterprise_id",
    }
    list_display = ["booking", "kind", "mode", "held_at", "letter_number"]
    list_filter = ["kind", "mode"]
    search_fields = ["booking__reference", "booking__business_name"]
    list_select_related = ["booking"]
    date_hierarchy = "held_at"
    fields = [
        "booking",
        "kind",
        "mode",
        "held_at",
        "officers",
        "departments",
        "summary",
        "letter_number",
        "letter_issued_at",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [AdviceInline, RiskInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
