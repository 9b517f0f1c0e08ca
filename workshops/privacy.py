"""Who may see a resident's sensitive fields: the ID number, disability and low-income status.

Need to know, and nobody else (superusers included: they administer the system, not the residents):
- the workshop organiser and the community / grid worker whose region contains the resident's village:
  they survey residents, decide on registrations and arrange assistance;
- the resident themself, through their own account.

Everyone else (coordinators, officers, enterprise users, staff of another region) gets the ID number
masked (first 6 and last 4 characters), the phone masked, and the two statuses withheld (``None``).
"""

from programs.roles import WORKSHOP_FIELD_STAFF
from programs.validators import mask_id_number, mask_phone

# The workshops' field staff: they survey residents, recommend and decide, so they need to know. (Not yet a
# name of ``programs.roles``; the API, the admin, the imports and the selectors take it from here.)


def can_see_sensitive(user, resident) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if resident.user_id is not None and resident.user_id == user.pk:
        return True
    if user.role in WORKSHOP_FIELD_STAFF and user.region_id is not None:
        return resident.village.code.startswith(user.region.prefix)
    return False


def can_see_contact(user, resident) -> bool:
    """The phone: the need-to-know roles, and the resident."""
    return can_see_sensitive(user, resident)


def resident_view(user, resident) -> dict:
    """The resident's personal fields as ``user`` may see them."""
    full = can_see_sensitive(user, resident)
    return {
        "id_number": resident.id_number if full else mask_id_number(resident.id_number),
        "phone": resident.phone if can_see_contact(user, resident) else mask_phone(resident.phone),
        "has_disability": resident.has_disability if full else None,
        "is_low_income": resident.is_low_income if full else None,
    }
