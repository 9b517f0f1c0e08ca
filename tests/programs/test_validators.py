import pytest
from django.core.exceptions import ValidationError

from programs.validators import (
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_id_number,
)

VALID_CODE = "91350100M000100Y43"


def error_code(validator, value):
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value.code


def test_a_valid_credit_code_passes():
    validate_credit_code(VALID_CODE)


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    assert error_code(validate_credit_code, VALID_CODE[:-1] + "4") == "credit_code_check"


@pytest.mark.parametrize("value", [VALID_CODE[:-1], VALID_CODE + "0", ""])
def test_a_credit_code_of_the_wrong_length_is_refused(value):
    assert error_code(validate_credit_code, value) == "credit_code_length"


def test_a_lowercase_credit_code_is_refused_by_the_validator():
    assert error_code(validate_credit_code, VALID_CODE.lower()) == "credit_code_case"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_refused(letter):
    assert error_code(validate_credit_code, VALID_CODE[:10] + letter + VALID_CODE[11:]) == "credit_code_character"


def test_a_valid_id_number_passes():
    validate_id_number("11010519491231002X")


def test_an_id_number_with_a_wrong_check_digit_is_refused():
    assert error_code(validate_id_number, "110105194912310021") == "id_number_check"


def test_an_id_number_of_the_wrong_length_is_refused():
    assert error_code(validate_id_number, "1101051949123100") == "id_number_length"


def test_masks_keep_only_what_tells_people_apart():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
