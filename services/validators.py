"""Validators for Dutch contact data, shared by models, forms and imports."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
# Letter pairs PostNL never hands out.
POSTCODE_FORBIDDEN_LETTERS = {"SA", "SD", "SS"}


def normalise_postcode(value):
    """Return a postcode as '1234 AB', or the input unchanged when it is not one."""
    match = POSTCODE_RE.match((value or "").strip())
    if not match:
        return value
    return f"{match.group(1)} {match.group(2).upper()}"


def validate_postcode(value):
    match = POSTCODE_RE.match((value or "").strip())
    if not match or match.group(2).upper() in POSTCODE_FORBIDDEN_LETTERS:
        raise ValidationError(
            _("Vul een Nederlandse postcode in, bijvoorbeeld 1234 AB."), code="invalid_postcode"
        )


PHONE_ALLOWED_RE = re.compile(r"^\+?[0-9 ()\-.]+$")


def phone_digits(value):
    return re.sub(r"[^0-9+]", "", value or "")


def is_dialable_phone(value):
    """True for numbers a Dutch phone can dial: national, service, 14-municipal, international."""
    value = (value or "").strip()
    if not value or not PHONE_ALLOWED_RE.match(value) or "+" in value[1:]:
        return False
    digits = phone_digits(value)
    if digits.startswith("+31"):
        return len(digits) == 12 and digits[3] != "0"
    if digits.startswith("+"):
        return 8 <= len(digits) - 1 <= 15 and digits[1] != "0"
    if digits.startswith("00"):
        return 10 <= len(digits) <= 17
    if re.fullmatch(r"0(800|900|906|909)[0-9]{4,7}", digits):
        return True
    if re.fullmatch(r"14[0-9]{3,4}", digits):
        return True
    return bool(re.fullmatch(r"0[1-9][0-9]{8}", digits))


def validate_phone(value):
    if not is_dialable_phone(value):
        raise ValidationError(
            _(
                "Dit telefoonnummer is niet te bellen. Gebruik een Nederlands nummer van "
                "10 cijfers (bijvoorbeeld 030 123 45 67), een 0800- of 0900-nummer, "
                "een 14-nummer of een nummer met landcode (+31 …)."
            ),
            code="invalid_phone",
        )


def tel_href(value):
    """The digits for a tel: link (keeps a leading +)."""
    return phone_digits(value)


CBS_CODE_RE = re.compile(r"^GM[0-9]{4}$")


def validate_cbs_code(value):
    if not CBS_CODE_RE.match(value or ""):
        raise ValidationError(
            _("Een CBS-gemeentecode is GM gevolgd door vier cijfers, bijvoorbeeld GM0363."),
            code="invalid_cbs_code",
        )


def validate_no_control_characters(value):
    if value and re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise ValidationError(
            _("Deze tekst bevat onzichtbare tekens die niet zijn toegestaan."),
            code="control_characters",
        )


def validate_single_line(value):
    """A name or title is one line: a line break would also break an e-mail subject."""
    if value and re.search(r"[\r\n\x0b\x0c\x85\u2028\u2029]", value):
        raise ValidationError(
            _("Dit veld is één regel: haal de regelovergang (Enter) weg."),
            code="line_break",
        )
