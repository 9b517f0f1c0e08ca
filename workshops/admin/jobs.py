"""Job offers, courses and enrolments (智聘) in the staff admin. Offers are read only (made by the offer rounds);
courses are announced here and closed, reopened or cancelled by action; attendance is marked by action."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, ReasonActionForm, RoleScopedAdmin, action_reason, service_action
from programs.models import Region
from programs.roles import WORKSHOP_FIELD_STAFF, WORKSHOP_STAFF

from .. import services
from ..models import Course, CourseEnrolment, JobOffer
from ..offer_selectors import led_to_registration


class LedToRegistrationFilter(admin.SimpleListFilter):
    """The offers the resident followed with a registration for that position (the indicator's count)."""

    title = _("led to a registration")
    parameter_name = "led_to_registration"

    def lookups(self, request, model_admin):
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("1", "0"):
            followed = Q(followed=True) if self.value() == "1" else Q(followed=False)
            return queryset.annotate(followed=led_to_registration()).filter(followed)
        return queryset


@admin.register(JobOffer)
class JobOfferAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_FIELD_STAFF
    scope_paths = {"region": "resident__village"}
    list_display = ["resident", "position", "travel_minutes", "offered_at", "seen_at"]
    list_filter = [LedToRegistrationFilter]
    list_select_related = ["resident", "position__workshop"]
    search_fields = ["resident__name", "position__title"]
    date_hierarchy = "offered_at"
    exclude = ["priority"]  # derived from sensitive fields: not shown

    def has_change_permission(self, request, obj=None):
        return False


def _set_course(course, actor, request, *, to):
    services.course_set_status(course=course, to=to, actor=actor, reason=action_reason(request))


@admin.register(Course)
class CourseAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_STAFF
    edit_roles = WORKSHOP_FIELD_STAFF
    scope_paths = {"region": "region"}
    region_levels = {"region": (Region.Level.VILLAGE, Region.Level.TOWN)}
    list_display = ["title", "region", "starts_on", "ends_on", "capacity", "enrolled_count", "status"]
    list_filter = ["status"]
    list_select_related = ["region"]
    search_fields = ["title"]
    autocomplete_fields = ["workshop"]
    exclude = ["created_by"]
    readonly_fields = ["status", "enrolled_count"]
    date_hierarchy = "starts_on"
    action_form = ReasonActionForm
    actions = [
        service_action(_set_course, _("Close enrolment"), _("%(count)d closed."), to=Course.Status.CLOSED),
        service_action(_set_course, _("Open enrolment again"), _("%(count)d opened."), to=Course.Status.OPEN),
        service_action(_set_course, _("Cancel (give a reason)"), _("%(count)d cancelled."), to=Course.Status.CANCELLED),
    ]
    inlines = [AuditHistoryInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # announced, then moved by action

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.COURSE_FIELDS if name in form.cleaned_data}
        obj.pk = services.course_create(actor=request.user, **fields).pk


def _attendance(enrolment, actor, request, *, attended):
    services.course_attendance_record(enrolment=enrolment, attended=attended == "yes", actor=actor)


def _cancel_enrolment(enrolment, actor, request):
    services.course_enrolment_cancel(enrolment=enrolment, actor=actor, reason=action_reason(request))


@admin.register(CourseEnrolment)
class CourseEnrolmentAdmin(RoleScopedAdmin):
    view_roles = WORKSHOP_FIELD_STAFF
    edit_roles = WORKSHOP_FIELD_STAFF
    scope_paths = {"region": "course__region"}
    list_display = ["resident", "course", "status", "attendance", "enrolled_at"]
    list_filter = ["status", "attendance"]
    list_select_related = ["resident", "course"]
    search_fields = ["resident__name", "course__title"]
    action_form = ReasonActionForm
    actions = [
        service_action(_attendance, _("Mark present"), _("%(count)d marked present."), attended="yes"),
        service_action(_attendance, _("Mark absent"), _("%(count)d marked absent."), attended="no"),
        service_action(_cancel_enrolment, _("Give the place back"), _("%(count)d places given back.")),
    ]
    inlines = [AuditHistoryInline]

    def has_add_permission(self, request):
        return False  # a resident enrols in the app or on the page, a worker through the API

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)
