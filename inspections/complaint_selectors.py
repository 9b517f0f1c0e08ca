"""Reads of the "between inspections" services: complaints and service ordering, their lists in the caller's
scope and their indicators (the ``complaints`` and ``ordering`` parts of the inspections indicator answer)."""

from datetime import date

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from programs.models import Region, User
from programs.roles import Role
from programs.selectors import in_region, percent, scope

from .models import Complaint, Inspection, ServiceOffering, ServiceOrder


def complaint_list(*, user: User) -> QuerySet[Complaint]:
    """Staff see their area's complaints (an officer: their own department's); enterprises and residents none:
    a complaint never reaches the business complained about."""
    complaints = Complaint.objects.select_related("region", "department", "enterprise", "inspection")
    return scope(complaints, user, region="region", department="department_id")


def offering_list(*, user: User) -> QuerySet[ServiceOffering]:
    """Staff see their area's catalogue; an enterprise sees the published services of its community and street."""
    offerings = ServiceOffering.objects.select_related("community", "community__parent")
    if user.is_authenticated and user.role == Role.ENTERPRISE:
        if not user.enterprise_id:
            return offerings.none()
        region = user.enterprise.region
        return offerings.filter(is_published=True).filter(
            Q(community_id=region.pk) | Q(community__parent_id=region.parent_id, community__parent__isnull=False)
        )
    return scope(offerings, user, region="community")


def order_list(*, user: User) -> QuerySet[ServiceOrder]:
    orders = ServiceOrder.objects.select_related("offering", "offering__community", "enterprise")
    return scope(orders, user, region="offering__community", enterprise="enterprise_id")


def complaint_indicators(*, user: User, region: Region | None, start: date, end: date) -> dict:
    """Complaints received in [start, end], how many were replied and replied by their deadline, those still
    open past it (as it stands), and the inspections they triggered (counted apart from the plan's)."""
    complaints = in_region(complaint_list(user=user), region, "region")
    period = Q(created_at__date__gte=start, created_at__date__lte=end)
    overdue = Q(status__in=[Complaint.Status.RECEIVED, Complaint.Status.ACKNOWLEDGED], reply_due_at__lt=timezone.now())
    received = complaints.filter(period | overdue).aggregate(
        complaints=Count("pk", filter=period),
        replied=Count("pk", filter=period & Q(replied_at__isnull=False)),
        replied_on_time=Count("pk", filter=period & Q(replied_at__isnull=False, replied_at__lte=F("reply_due_at"))),
        guidance_offered=Count("pk", filter=period & Q(outcome=Complaint.Outcome.GUIDANCE)),
        overdue_open=Count("pk", filter=overdue),
    )
    triggered = (
        in_region(
            scope(Inspection.objects.all(), user, region="region_code", enterprise="enterprise_id"),
            region,
            "region_code",
        )
        .filter(origin=Inspection.Origin.COMPLAINT, created_at__date__gte=start, created_at__date__lte=end)
        .count()
    )
    return {
        **received,
        "replied_on_time_rate": percent(received["replied_on_time"], received["replied"]),
        "triggered_inspections": triggered,
    }


def ordering_indicators(*, user: User, region: Region | None, start: date, end: date) -> dict:
    """Orders placed in [start, end]; orders delivered in it, the people they served and their average rating."""
    orders = in_region(order_list(user=user), region, "offering__community")
    placed = Q(created_at__date__gte=start, created_at__date__lte=end)
    delivered = Q(delivered_at__date__gte=start, delivered_at__date__lte=end)
    figures = orders.filter(placed | delivered).aggregate(
        orders=Count("pk", filter=placed),
        delivered=Count("pk", filter=delivered),
        people_served=Sum("people_served", filter=delivered, default=0),
        satisfaction_average=Avg("rating", filter=delivered & Q(rating__isnull=False)),
    )
    average = figures["satisfaction_average"]
    figures["satisfaction_average"] = None if average is None else round(float(average), 2)
    return figures
