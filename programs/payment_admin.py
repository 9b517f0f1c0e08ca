"""The staff admin of payment orders: read only (orders are written by the payment services), with their history.
Registered on import from ``programs.admin``."""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin import AuditHistoryInline, RoleScopedAdmin
from .payment_models import PaymentOrder
from .roles import ENFORCEMENT


@admin.register(PaymentOrder)
class PaymentOrderAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    # An officer sees the orders of their own department only (what is owed to it), coordinators their region's.
    scope_paths = {"region": "enterprise__region", "department": "department_id", "enterprise": "enterprise_id"}
    list_display = ["reference", "paid_for", "subject", "enterprise", "amount", "status", "transaction_id", "paid_at"]
    list_filter = ["status", "department"]
    search_fields = ["reference", "transaction_id", "enterprise__name"]
    list_select_related = ["enterprise"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reference",
        "paid_for",
        "owner_id",
        "enterprise",
        "department",
        "subject",
        "amount",
        "status",
        "transaction_id",
        "return_path",
        "created_by",
        "created_at",
        "paid_at",
        "expires_at",
    ]
    fields = readonly_fields
    inlines = [AuditHistoryInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("paid for"))
    def paid_for(self, order):
        """What the order pays, by the owning model's name (``inspections.fine`` → 罚款)."""
        try:
            return apps.get_model(order.owner)._meta.verbose_name
        except (LookupError, ValueError):
            return order.owner
