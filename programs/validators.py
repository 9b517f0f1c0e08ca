"""Check characters of the two national identifiers the programs handle.

- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character alphabet
  (digits and capital letters without I, O, Z, S, V); the last one is a check character, mod 31.
- Citizen ID number (公民身份号码), GB 11643-1999: 17 digits and a check character (0-9 or X), ISO 7064 mod 11-2.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ID_NUMBER_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
ID_NUMBER_CHECK = "10X98765432"


def credit_code_check_character(body: str) -> str:
    """The 18th character for the first 17 of a credit code."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(body, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """What people type (spaces, lowercase) turned into the canonical form the validator accepts."""
    return "".join((value or "").split()).upper()


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            code="credit_code_length",
            params={"length": len(value)},
        )
    if value != value.upper():
        raise ValidationError(_("A unified social credit code is written in capital letters."), code="credit_code_case")
    bad = sorted({ch for ch in value if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(characters)s."),
            code="credit_code_character",
            params={"characters": ", ".join(bad)},
        )
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character (the last one) of this unified social credit code is wrong; please check it."),
            code="credit_code_check",
        )


def id_number_check_character(body: str) -> str:
    return ID_NUMBER_CHECK[sum(int(ch) * w for ch, w in zip(body, ID_NUMBER_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return "".join((value or "").split()).upper()


def validate_id_number(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(length)d."),
            code="id_number_length",
            params={"length": len(value)},
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="id_number_character")
    if id_number_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit (the last one) of this ID number is wrong; please check it."), code="id_number_check"
        )


def mask_id_number(value: str) -> str:
    """Show the first 6 (region) and last 4 characters: enough to tell two people apart, not to identify one."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "*" * len(value)
