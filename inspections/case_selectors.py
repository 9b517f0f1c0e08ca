"""Reads of penalty cases: who sees which (``programs.selectors.scope``) and the indicator figures."""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from programs.models import IssuedDocument, Region, User
from programs.selectors import percent, scope

from .models import CaseReview, PenaltyCase


def case_list(*, user: User) -> QuerySet[PenaltyCase]:
    """The cases ``user`` may see: an officer its department's, a coordinator its region's, an enterprise its
    own."""
    cases = PenaltyCase.objects.select_related("enterprise", "department", "item", "finding", "inspection")
    return scope(
        cases, user, region="enterprise__region", department="department_id", enterprise="enterprise_id"
    ).order_by("-opened_at", "-id")


def case_documents_in_force(cases, kinds) -> dict[tuple[int, str], IssuedDocument]:
    """The version in force (the newest) of each of the ``kinds`` documents of every case of ``cases``, by
    ``(case id, kind)``: one query for a whole page of cases."""
    ids = [case.pk for case in cases]
    if not ids:
        return {}
    found = {}
    documents = IssuedDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(PenaltyCase, for_concrete_model=False),
        object_id__in=ids,
        kind__in=list(kinds),
    ).order_by("object_id", "kind", "-version")
    for document in documents:
        found.setdefault((document.object_id, document.kind), document)
    return found


def review_list(*, user: User) -> QuerySet[CaseReview]:
    reviews = CaseReview.objects.select_related("case__enterprise", "case__department")
    return scope(
        reviews,
        user,
        region="case__enterprise__region",
        department="case__department_id",
        enterprise="case__enterprise_id",
    ).order_by("-filed_on", "-id")


def case_figures(cases: QuerySet[PenaltyCase], *, start: date, end: date) -> dict:
    """The figures of the cases opened on the days [start, end] (cancelled ones not counted): opened, decided,
    zero-trip (handled without the enterprise visiting the office) and its share in percent, and the cases
    taken to reconsideration (行政复议) or to court (行政诉讼)."""
    opened = cases.filter(opened_at__date__gte=start, opened_at__date__lte=end).exclude(
        status=PenaltyCase.Status.CANCELLED
    )
    row = opened.aggregate(
        opened=Count("pk", distinct=True),
        simple=Count("pk", filter=Q(procedure=PenaltyCase.Procedure.SIMPLE), distinct=True),
        decided=Count("pk", filter=Q(decided_at__isnull=False), distinct=True),
        zero_trip=Count("pk", filter=Q(zero_trip=True), distinct=True),
        reconsidered=Count("pk", filter=Q(reviews__kind=CaseReview.Kind.RECONSIDERATION), distinct=True),
        litigated=Count("pk", filter=Q(reviews__kind=CaseReview.Kind.LITIGATION), distinct=True),
    )
    row["zero_trip_share"] = percent(row["zero_trip"], row["opened"])
    return row


def case_indicators(*, user: User, region: Region | None = None, start: date, end: date) -> dict:
    """The ``cases`` figures of the inspections indicators, in the caller's scope (narrowed to ``region``)."""
    cases = case_list(user=user)
    if region is not None:
        cases = cases.filter(enterprise__region__code__startswith=region.prefix)
    return case_figures(cases, start=start, end=end)
