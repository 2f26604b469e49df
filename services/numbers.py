"""Numbers as Dutch people type and read them: "1,00", "1.000,50", "46,5".

Browsers turn "1,00" in a number input into 100, and Django's DecimalField reads "46,5" as
invalid or, with separators stripped, as 465. Amounts and measurements therefore use a text
input with `inputmode="decimal"` and this parser.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

# 1.000,50 / 1000,5 / 1 000,50 / 46.5 / -3
DUTCH_RE = re.compile(r"^[+-]?(\d{1,3}([. ]\d{3})+|\d+)(,\d+)?$")
POINT_RE = re.compile(r"^[+-]?\d+\.\d+$")


def parse_decimal(value):
    """A Decimal from Dutch or plain notation, or None for empty; ValueError when unreadable.

    A comma is the decimal sign; dots (or spaces) group thousands. "46.5" (a dot followed by
    anything but exactly three digits) is read as a decimal point, the way spreadsheets and
    other systems write it. Only ASCII digits count.
    """
    text = str(value if value is not None else "").strip().replace("\u00a0", " ")
    text = text.removeprefix("€").strip()
    if not text:
        return None
    if not text.isascii():
        raise ValueError(text)
    if POINT_RE.match(text) and not re.match(r"^[+-]?\d{1,3}\.\d{3}$", text):
        normal = text
    elif DUTCH_RE.match(text):
        normal = text.replace(".", "").replace(" ", "").replace(",", ".")
    else:
        raise ValueError(text)
    try:
        return Decimal(normal)
    except InvalidOperation as error:
        raise ValueError(text) from error


def format_number(value, digits=None):
    """A value as Dutch readers expect it: 26 or 26,5 (no trailing zeros), or with exactly
    `digits` decimals (amounts: 12,50)."""
    if value is None:
        return ""
    value = Decimal(value)
    if digits is None:
        if value == value.to_integral_value():
            return formats.number_format(value, 0)
        digits = 1 if (value * 10) == (value * 10).to_integral_value() else 2
    return formats.number_format(value, digits)


class DutchDecimalField(forms.DecimalField):
    """A decimal form field that reads Dutch notation and shows a decimal comma."""

    default_error_messages = {
        "invalid": _("Vul een getal in, bijvoorbeeld 12,50 of 1.000."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.pop("localize", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            number = parse_decimal(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number is None:
            return None
        return number

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float):
            return str(Decimal(value)).replace(".", ",")
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for key in ("step", "min", "max"):  # a text input has no number constraints
            attrs.pop(key, None)
        return attrs
