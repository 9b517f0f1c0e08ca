"""Residents: registered and surveyed (就业意愿摸排) by grid workers and organisers, or found or made behind a
public registration form. Personal values never reach an audit row."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Region, User
from programs.services import audit_record, refuse_unknown_fields, region_scope_check
from programs.validators import normalize_id_number

from ..models import Category, Registration, Resident
from ._common import require_village

# What staff may change on a resident's record; the ID number is never changed once recorded.
RESIDENT_EDITABLE = (
    "name",
    "phone",
    "village",
    "has_disability",
    "is_low_income",
    "wants_work",
    "wished_categories",
)


def _clean_categories(categories) -> list[str]:
    categories = list(dict.fromkeys(categories or []))
    unknown = [c for c in categories if c not in Category.values]
    if unknown:
        raise ValidationError({"wished_categories": _("Unknown category: %(names)s.") % {"names": ", ".join(unknown)}})
    return categories


def resident_create(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    village: Region,
    phone: str = "",
    has_disability: bool = False,
    is_low_income: bool = False,
    wants_work: bool = True,
    wished_categories: list[str] | None = None,
    surveyed_on: date | None = None,
    user: User | None = None,
) -> Resident:
    """Register a resident. When a grid worker does it, it is their willingness survey: they become the
    resident's responsible grid worker and the survey date is recorded."""
    region_scope_check(region=village, actor=actor, field="village")
    is_survey = actor is not None and actor.role == User.Role.GRID_WORKER
    resident = Resident(
        name=name.strip(),
        id_number=normalize_id_number(id_number),
        village=village,
        phone=(phone or "").strip(),
        has_disability=has_disability,
        is_low_income=is_low_income,
        wants_work=wants_work,
        wished_categories=_clean_categories(wished_categories),
        surveyed_on=surveyed_on or (timezone.localdate() if is_survey else None),
        grid_worker=actor if is_survey else None,
        user=user,
    )
    resident.full_clean()
    require_village(resident.village)
    try:
        with transaction.atomic():
            resident.save()
            # The audit row says that and by whom, never the personal values.
            audit_record(obj=resident, field="created", old="", new="resident", actor=actor, action="resident.create")
    except IntegrityError:
        if not Resident.objects.filter(id_number=resident.id_number).exists():
            raise
        # A create racing another for the same ID number: a 400 that does not echo the number, and the
        # database's unique-violation detail (which holds it) never reaches a log.
        raise ValidationError(
            {"id_number": _("A resident with this ID number is already on record.")}, code="unique"
        ) from None
    return resident


def resident_update(*, resident: Resident, actor: User | None, **fields) -> Resident:
    """Change the fields given (of ``RESIDENT_EDITABLE``); any other field is refused by name. The audit row
    names the fields changed, never their values."""
    refuse_unknown_fields(fields, RESIDENT_EDITABLE)
    if "village" in fields:
        region_scope_check(region=fields["village"], actor=actor, field="village")
    if "wished_categories" in fields:
        fields["wished_categories"] = _clean_categories(fields["wished_categories"])
    with transaction.atomic():
        locked = Resident.objects.select_for_update().get(pk=resident.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        require_village(locked.village)
        locked.save(update_fields=list(fields) or None)
        if "village" in fields:  # the registrations' stored code moves with the resident (Registration)
            Registration.objects.filter(resident=locked).update(resident_region_code=locked.village.code)
        if fields:
            audit_record(
                obj=locked,
                field="updated",
                old="",
                new="",
                actor=actor,
                action="resident.update",
                data={"fields": sorted(fields)},
            )
    return locked


def resident_survey(
    *,
    resident: Resident,
    actor: User,
    wants_work: bool,
    wished_categories: list[str],
    surveyed_on: date | None = None,
    phone: str | None = None,
    has_disability: bool | None = None,
    is_low_income: bool | None = None,
) -> Resident:
    """A grid worker's willingness survey (就业意愿摸排): wish to work, in what, on which day; the phone and the
    two statuses are updated when given (``None``: left as they are)."""
    given = {"phone": phone, "has_disability": has_disability, "is_low_income": is_low_income}
    with transaction.atomic():
        locked = resident_update(
            resident=resident,
            actor=actor,
            wants_work=wants_work,
            wished_categories=wished_categories,
            **{name: value for name, value in given.items() if value is not None},
        )
        locked.surveyed_on = surveyed_on or timezone.localdate()
        update = ["surveyed_on"]
        if actor.role == User.Role.GRID_WORKER:
            locked.grid_worker = actor
            update.append("grid_worker")
        locked.save(update_fields=update)
        audit_record(
            obj=locked,
            field="surveyed_on",
            old="",
            new=str(locked.surveyed_on),
            actor=actor,
            action="resident.survey",
        )
    return locked


def resident_for_public_registration(
    *, name: str, id_number: str, phone: str, village: Region, has_disability: bool = False
) -> Resident:
    """The resident behind a public form: the one on record for this ID number, or a new one.

    A record made by a grid worker is never overwritten from the public form; the name must match it.
    """
    id_number = normalize_id_number(id_number)
    existing = Resident.objects.filter(id_number=id_number).first()
    if existing is not None:
        if existing.name != name.strip():
            raise ValidationError(
                {"name": _("This name does not match our record for this ID number; please ask your community.")}
            )
        return existing
    try:
        return resident_create(
            actor=None, name=name, id_number=id_number, village=village, phone=phone, has_disability=has_disability
        )
    except (ValidationError, IntegrityError) as exc:
        # Two copies of the same form racing: the other one created the resident first.
        clash = isinstance(exc, IntegrityError) or (hasattr(exc, "error_dict") and "id_number" in exc.error_dict)
        existing = Resident.objects.filter(id_number=id_number).first() if clash else None
        if existing is not None and existing.name == name.strip():
            return existing
        raise
