"""The registration workflow: submitted → recommended → home visit → accepted / rejected → employed, withdrawn,
expired; every move audited, illegal moves refused, the openings cap kept."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import AuditEntry
from programs.services import TransitionError, audit_history
from workshops import services
from workshops.models import Position, Registration

from .factories import PositionFactory, RegistrationFactory, ResidentFactory, organiser

pytestmark = pytest.mark.django_db


def visited(position=None, **kw):
    """A registration that has had its home visit, ready for a decision."""
    registration = RegistrationFactory(position=position or PositionFactory(), **kw)
    actor = organiser()
    services.registration_record_home_visit(registration=registration, actor=actor, note="会剥壳, 身体好")
    registration.refresh_from_db()
    return registration


def test_a_registration_goes_through_recommendation_home_visit_acceptance_and_employment():
    boss = organiser()
    resident = ResidentFactory()
    position = PositionFactory(openings=2)
    registration, created = services.registration_submit(
        resident=resident, position=position, channel="community", actor=boss, baseline_monthly_income=800
    )
    assert created and registration.status == "submitted"
    services.registration_recommend(registration=registration, actor=boss, note="社区推荐")
    services.registration_record_home_visit(registration=registration, actor=boss, note="入户走访确认")
    services.registration_accept(registration=registration, actor=boss)
    employment = services.registration_employ(registration=registration, actor=boss, start_date=date(2025, 3, 1))
    registration.refresh_from_db()
    position.refresh_from_db()
    assert registration.status == "employed"
    assert (employment.wage, employment.wage_unit) == (Decimal("150.00"), "day")  # the position's pay by default
    assert position.accepted_count == 1
    moves = [(e.old_value, e.new_value) for e in audit_history(registration)][::-1]
    assert moves == [
        ("", "submitted"),
        ("submitted", "recommended"),
        ("recommended", "home_visit"),
        ("home_visit", "accepted"),
        ("accepted", "employed"),
    ]
    assert all(e.actor == boss for e in audit_history(registration))


def test_acceptance_without_a_home_visit_is_refused_with_a_clear_message():
    registration = RegistrationFactory()
    with pytest.raises(TransitionError) as refused:
        services.registration_accept(registration=registration, actor=organiser())
    assert refused.value.code == "illegal_transition"
    registration.refresh_from_db()
    assert registration.status == "submitted"
    assert registration.position.accepted_count == 0


@pytest.mark.parametrize("final", ["rejected", "withdrawn", "expired", "employed"])
def test_nothing_moves_out_of_a_final_status(final):
    registration = RegistrationFactory(status=final)
    with pytest.raises(TransitionError):
        services.registration_recommend(registration=registration, actor=organiser())


def test_a_rejection_needs_a_reason_and_keeps_it():
    registration = visited()
    with pytest.raises(TransitionError):
        services.registration_reject(registration=registration, actor=organiser(), reason="  ")
    services.registration_reject(registration=registration, actor=organiser(), reason="岗位需要长期站立")
    registration.refresh_from_db()
    assert (registration.status, registration.reason) == ("rejected", "岗位需要长期站立")
    assert audit_history(registration).first().reason == "岗位需要长期站立"


def test_accepted_registrations_never_exceed_the_openings():
    position = PositionFactory(openings=1)
    first, second = visited(position), visited(position)
    services.registration_accept(registration=first, actor=organiser())
    with pytest.raises(TransitionError) as refused:
        services.registration_accept(registration=second, actor=organiser())
    assert refused.value.code == "position_full"
    second.refresh_from_db()
    position.refresh_from_db()
    assert second.status == "home_visit"  # the refused acceptance left no trace
    assert position.accepted_count == 1
    assert not AuditEntry.objects.filter(object_id=second.pk, new_value="accepted").exists()


def test_withdrawing_an_accepted_registration_gives_its_place_back():
    position = PositionFactory(openings=1)
    first, second = visited(position), visited(position)
    services.registration_accept(registration=first, actor=organiser())
    services.registration_withdraw(registration=first, actor=organiser(), reason="家里有事")
    services.registration_accept(registration=second, actor=organiser())
    position.refresh_from_db()
    assert position.accepted_count == 1


def test_the_database_itself_refuses_more_places_than_openings():
    position = PositionFactory(openings=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=position.pk).update(accepted_count=2)


def test_openings_cannot_drop_below_the_places_taken():
    position = PositionFactory(openings=2)
    services.registration_accept(registration=visited(position), actor=organiser())
    services.registration_accept(registration=visited(position), actor=organiser())
    with pytest.raises(ValidationError) as refused:
        services.position_update(position=position, actor=organiser(), openings=1)
    assert "openings" in refused.value.message_dict


@pytest.mark.parametrize(
    ("update", "target", "field"),
    [
        (services.workshop_update, "workshop", "status"),
        (services.position_update, "position", "accepted_count"),
        (services.resident_update, "resident", "id_number"),
    ],
)
def test_an_update_service_refuses_a_field_it_does_not_declare_by_name(update, target, field):
    position = PositionFactory()
    objects = {"workshop": position.workshop, "position": position, "resident": ResidentFactory()}
    with pytest.raises(ValidationError) as refused:
        update(**{target: objects[target]}, actor=organiser(), **{field: "x"})
    assert refused.value.error_dict[field][0].code == "field_not_settable"


def test_registering_twice_for_the_same_position_returns_the_active_registration():
    resident, position = ResidentFactory(), PositionFactory()
    first, created = services.registration_submit(
        resident=resident, position=position, channel="self", actor=None, consent=True
    )
    again, created_again = services.registration_submit(
        resident=resident, position=position, channel="self", actor=None, consent=True
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Registration.objects.count() == 1


def test_the_database_allows_one_active_registration_per_resident_and_position_but_a_new_one_after_withdrawal():
    registration = RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(resident=registration.resident, position=registration.position)
    services.registration_withdraw(registration=registration, actor=None, reason="改主意了")
    again, created = services.registration_submit(
        resident=registration.resident, position=registration.position, channel="self", actor=None, consent=True
    )
    assert created and again.pk != registration.pk


def test_a_self_registration_needs_consent_to_the_use_of_personal_data():
    with pytest.raises(ValidationError) as refused:
        services.registration_submit(resident=ResidentFactory(), position=PositionFactory(), channel="self", actor=None)
    assert "consent" in refused.value.message_dict


def test_a_closed_or_out_of_season_position_takes_no_registrations():
    closed = PositionFactory()
    services.position_close(position=closed, actor=organiser(), reason="招满了")
    past = PositionFactory(seasonal_start=date(2020, 5, 1), seasonal_end=date(2020, 6, 30))
    for position in (closed, past):
        with pytest.raises(ValidationError) as refused:
            services.registration_submit(
                resident=ResidentFactory(), position=position, channel="grid_worker", actor=None
            )
        assert "position" in refused.value.message_dict


def test_monthly_income_is_recorded_once_per_month_and_a_correction_is_audited():
    boss = organiser()
    registration = visited(baseline_monthly_income=Decimal("1200"))
    services.registration_accept(registration=registration, actor=boss)
    employment = services.registration_employ(registration=registration, actor=boss, start_date=date(2025, 3, 10))
    services.income_record(employment=employment, month=date(2025, 3, 31), income=Decimal("3000"), actor=boss)
    record = services.income_record(employment=employment, month=date(2025, 3, 1), income=Decimal("3600"), actor=boss)
    assert employment.income_records.count() == 1
    assert (record.month, record.income) == (date(2025, 3, 1), Decimal("3600"))
    assert audit_history(record).get().old_value == "3000.00"
    with pytest.raises(ValidationError):
        services.income_record(employment=employment, month=date(2025, 1, 1), income=Decimal("100"), actor=boss)


def test_the_resident_is_texted_when_registered_accepted_or_rejected_once_each_and_without_personal_data():
    from programs.models import Notification

    boss = organiser()
    resident = ResidentFactory(phone="13905809999")
    registration, _created = services.registration_submit(
        resident=resident, position=PositionFactory(title="贻贝分拣"), channel="grid_worker", actor=boss
    )
    services.registration_submit(resident=resident, position=registration.position, channel="grid_worker", actor=boss)
    services.registration_record_home_visit(registration=registration, actor=boss)
    services.registration_accept(registration=registration, actor=boss)
    other = visited()
    services.registration_reject(registration=other, actor=boss, reason="体检未通过")
    texts = Notification.objects.order_by("id")
    assert [(t.channel, t.address) for t in texts] == [
        ("sms", "13905809999"),
        ("sms", "13905809999"),
        ("sms", other.resident.phone),
    ]
    assert all("贻贝分拣" in t.body for t in texts[:2])
    assert not any(resident.id_number in t.body or "体检" in t.body for t in texts)


def test_a_resident_without_a_phone_gets_no_text():
    from programs.models import Notification

    services.registration_submit(
        resident=ResidentFactory(phone=""), position=PositionFactory(), channel="grid_worker", actor=None
    )
    assert not Notification.objects.exists()
