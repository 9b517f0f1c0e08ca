"""The lenient lists as data (首违不罚, 轻微免罚, 不予处罚, 审慎执法): a finding on a listed item proposes the list's
outcome when its conditions hold, the decision records the list that applied, and the indicator counts the
no-penalty decisions by list."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections import services
from inspections.models import Finding, LenientList, LenientListEntry
from inspections.repair_selectors import lenient_indicators
from programs.models import AuditEntry
from tests.factories import EnterpriseFactory

from .factories import MONTH, InspectionFactory, ItemFactory

pytestmark = pytest.mark.django_db

Kind, Outcome = LenientList.Kind, LenientListEntry.Outcome


def published(cast, kind: str, item, **conditions) -> LenientListEntry:
    """``item`` on a list of ``kind`` the market department published last year, in force."""
    lenient_list = LenientList.objects.create(
        kind=kind,
        name=f"鄞州区市场监管{kind}清单",
        issuer=cast.market,
        document_number="鄞市监〔2025〕12号",
        valid_from=date(2025, 1, 1),
    )
    return LenientListEntry.objects.create(lenient_list=lenient_list, item=item, kind=kind, **conditions)


def found(cast, item, *, enterprise=None, severity=Finding.Severity.GENERAL, month=None) -> Finding:
    inspection = InspectionFactory(
        cast=cast,
        items=[item],
        enterprise=enterprise or cast.enterprise,
        **({"month": month} if month else {}),
    )
    return services.finding_record(
        inspection=inspection,
        item=item,
        severity=severity,
        description="商品未明码标价",
        deadline=timezone.localdate() + timedelta(days=7),
        actor=cast.market_officer,
    )


def rectified(cast, finding: Finding) -> Finding:
    services.evidence_submit(finding=finding, actor=cast.enterprise_user, note="已补充标价签")
    services.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=True)
    return Finding.objects.get(pk=finding.pk)


def decided_on_record(finding: Finding) -> dict:
    return AuditEntry.objects.get(object_id=finding.pk, field="decision", new_value="no_penalty").data


def test_a_first_violation_is_proposed_no_penalty_and_the_decision_records_the_list(cast):
    item = ItemFactory(department=cast.market)
    entry = published(cast, Kind.FIRST_VIOLATION, item, lookback_days=365)
    finding = found(cast, item)
    assert (finding.lenient_proposed, finding.lenient_entry, entry.outcome) == (True, entry, Outcome.NO_PENALTY)
    decided = services.finding_decide(finding=finding, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer)
    assert (decided.decision, decided.lenient_entry.lenient_list) == (Finding.Decision.NO_PENALTY, entry.lenient_list)
    assert decided_on_record(finding) == {
        "lenient_entry": entry.pk,
        "lenient_list": entry.lenient_list_id,
        "kind": "first_violation",
    }


def test_a_minor_violation_needs_minor_harm_and_correction_in_time(cast):
    item = ItemFactory(department=cast.market)
    entry = published(cast, Kind.MINOR_VIOLATION, item, minor_harm_only=True, correction_required=True)
    major = found(cast, item, enterprise=EnterpriseFactory(region=cast.village), severity=Finding.Severity.MAJOR)
    assert (major.lenient_proposed, major.lenient_entry) == (False, None)
    minor = found(cast, item)
    assert minor.lenient_entry == entry
    with pytest.raises(ValidationError) as not_yet:
        services.finding_decide(finding=minor, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer)
    assert not_yet.value.error_dict["lenient_entry"][0].code == "not_rectified"
    decided = services.finding_decide(
        finding=rectified(cast, minor), decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer
    )
    assert decided.lenient_entry.lenient_list.kind == Kind.MINOR_VIOLATION
    assert decided_on_record(minor)["kind"] == "minor_violation"


def test_the_no_penalty_list_applies_even_after_an_earlier_violation(cast):
    item = ItemFactory(department=cast.market)
    entry = published(cast, Kind.NO_PENALTY, item, first_violation_only=False)
    earlier = found(cast, item, month=MONTH)
    assert earlier.lenient_entry == entry
    again = found(cast, item)
    assert again.lenient_entry == entry
    decided = services.finding_decide(finding=again, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer)
    assert decided_on_record(decided)["kind"] == "no_penalty"


def test_the_prudent_list_proposes_an_observation_period_for_a_four_new_enterprise(cast):
    item = ItemFactory(department=cast.market)
    entry = published(cast, Kind.PRUDENT, item, outcome=Outcome.OBSERVATION)
    ordinary = found(cast, item, enterprise=EnterpriseFactory(region=cast.village, is_four_new=False))
    assert ordinary.lenient_entry is None
    cast.enterprise.is_four_new = True
    cast.enterprise.save(update_fields=["is_four_new"])
    finding = found(cast, item)
    assert (finding.lenient_proposed, finding.lenient_entry.outcome) == (True, Outcome.OBSERVATION)
    services.observation_open(finding=finding, days=30, actor=cast.market_officer)
    rectified(cast, finding)
    services.observation_periods_expire(today=timezone.localdate() + timedelta(days=31))
    decided = Finding.objects.get(pk=finding.pk)
    assert (decided.decision, decided.lenient_entry) == (Finding.Decision.NO_PENALTY, entry)


def test_a_list_out_of_force_proposes_nothing(cast):
    item = ItemFactory(department=cast.market)
    entry = published(cast, Kind.FIRST_VIOLATION, item)
    LenientList.objects.filter(pk=entry.lenient_list_id).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert found(cast, item).lenient_proposed is False


def test_the_officer_may_apply_another_list_of_the_item_but_not_one_that_does_not_cover_it(cast):
    item = ItemFactory(department=cast.market)
    published(cast, Kind.FIRST_VIOLATION, item)
    other = published(cast, Kind.NO_PENALTY, item)
    elsewhere = published(cast, Kind.NO_PENALTY, ItemFactory(department=cast.market))
    finding = found(cast, item)
    with pytest.raises(ValidationError) as refused:
        services.finding_decide(
            finding=finding, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer, lenient_entry=elsewhere
        )
    assert refused.value.error_dict["lenient_entry"][0].code == "not_listed"
    decided = services.finding_decide(
        finding=finding, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer, lenient_entry=other
    )
    assert decided.lenient_entry == other


def test_the_indicator_counts_no_penalty_decisions_by_list(cast):
    today = timezone.localdate()
    for kind in (Kind.FIRST_VIOLATION, Kind.FIRST_VIOLATION, Kind.NO_PENALTY):
        item = ItemFactory(department=cast.market)
        published(cast, kind, item)
        finding = found(cast, item, enterprise=EnterpriseFactory(region=cast.village))
        services.finding_decide(finding=finding, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer)
    unlisted = found(cast, ItemFactory(department=cast.market), enterprise=EnterpriseFactory(region=cast.village))
    services.finding_decide(finding=unlisted, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer)
    penalised_item = ItemFactory(department=cast.market)
    published(cast, Kind.MINOR_VIOLATION, penalised_item)
    penalised = found(cast, penalised_item, enterprise=EnterpriseFactory(region=cast.village))
    services.finding_decide(
        finding=penalised, decision=Finding.Decision.PENALTY, actor=cast.market_officer, note="情节较重"
    )
    figures = lenient_indicators(user=cast.coordinator, start=today.replace(month=1, day=1), end=today)
    assert figures == {
        "no_penalty_decisions": 4,
        "by_list": {"first_violation": 2, "minor_violation": 0, "no_penalty": 1, "prudent": 0},
        "without_list": 1,
    }


def test_the_api_lists_the_published_lists_with_their_conditions(api_as, cast):
    item = ItemFactory(department=cast.market)
    entry = published(cast, Kind.MINOR_VIOLATION, item, minor_harm_only=True, correction_required=True)
    answer = api_as(cast.fire_officer).get("/api/v1/lenient-lists/", {"kind": "minor_violation"}).json()
    [row] = answer["results"]
    assert (row["issuer"], row["document_number"], row["valid_until"]) == (cast.market.pk, "鄞市监〔2025〕12号", None)
    [listed] = row["entries"]
    assert {key: listed[key] for key in ("id", "item", "outcome", "minor_harm_only", "correction_required")} == {
        "id": entry.pk,
        "item": item.pk,
        "outcome": "no_penalty",
        "minor_harm_only": True,
        "correction_required": True,
    }
    assert api_as(cast.enterprise_user).get("/api/v1/lenient-lists/").status_code == 403


def test_the_migration_puts_entries_recorded_on_items_onto_lists(cast):
    first, second = ItemFactory(department=cast.market), ItemFactory(department=cast.market)
    for item in (first, second):
        LenientListEntry.objects.create(item=item, kind=Kind.FIRST_VIOLATION)
    LenientListEntry.objects.create(item=ItemFactory(department=cast.fire), kind=Kind.NO_PENALTY)
    migration = importlib.import_module("inspections.migrations.0012_lenient_repair_data")
    migration.entries_onto_lists(apps, None)
    assert not LenientListEntry.objects.filter(lenient_list__isnull=True).exists()
    lists = {(lst.issuer_id, lst.kind): lst.entries.count() for lst in LenientList.objects.all()}
    assert lists == {(cast.market.pk, "first_violation"): 2, (cast.fire.pk, "no_penalty"): 1}
    assert LenientList.objects.get(issuer=cast.market).name == f"{cast.market.name}首违不罚清单"


def test_the_api_decision_names_the_list_that_applied(api_as, cast):
    item = ItemFactory(department=cast.market)
    published(cast, Kind.FIRST_VIOLATION, item)
    other = published(cast, Kind.NO_PENALTY, item)
    finding = found(cast, item)
    answer = api_as(cast.market_officer).post(
        f"/api/v1/findings/{finding.pk}/decide/", {"decision": "no_penalty", "lenient_entry": other.pk}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["decision"], answer.json()["lenient_list"]) == ("no_penalty", "no_penalty")
