"""Query parameters of the HSDS API, read strictly: a bad value is a 400 with a reason.

Each reader takes the raw string and returns the value or raises BadParameter, whose
message (Dutch, with the English parameter name) goes into the JSON error body.
"""

import datetime
import re
import uuid

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from services import text

MAX_LENGTH = 200
DAYS = {
    "MO": 1,
    "TU": 2,
    "WE": 3,
    "TH": 4,
    "FR": 5,
    "SA": 6,
    "SU": 7,
    "MONDAY": 1,
    "TUESDAY": 2,
    "WEDNESDAY": 3,
    "THURSDAY": 4,
    "FRIDAY": 5,
    "SATURDAY": 6,
    "SUNDAY": 7,
}
TIME_PATTERN = (
    r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?"
    r"(Z|[+-]([01][0-9]|2[0-3]):?([0-5][0-9]))?$"
)
TIME_RE = re.compile(TIME_PATTERN)


class BadParameter(ValueError):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def _raw(name, value):
    if "\x00" in value or len(value) > MAX_LENGTH:
        raise BadParameter(name, "ongeldige waarde")
    return value.strip()


def integer(name, value, *, minimum, maximum):
    value = _raw(name, value)
    if not (value.isascii() and value.isdigit()) or not minimum <= int(value) <= maximum:
        raise BadParameter(name, f"een heel getal van {minimum} tot en met {maximum}")
    return int(value)


def number(name, value, *, minimum=0, maximum=120):
    value = _raw(name, value)
    try:
        parsed = float(value)
    except ValueError:
        parsed = None
    if parsed is None or not value.isascii() or not minimum <= parsed <= maximum:
        raise BadParameter(name, f"een getal van {minimum} tot en met {maximum}")
    return parsed


def boolean(name, value):
    value = _raw(name, value).lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise BadParameter(name, "true of false")


def identifier(name, value):
    """A UUID (any spelling Python accepts), as its canonical string."""
    value = _raw(name, value)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadParameter(
            name, "een UUID, bijvoorbeeld 3f7b145d-84af-42d7-8fae-eaca714b02b2"
        ) from None


def moment(name, value):
    """An ISO 8601 date or date-time; without a zone it is Amsterdam time."""
    value = _raw(name, value)
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadParameter(name, "een datum of tijdstip, bijvoorbeeld 2026-01-31T12:00:00Z")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    # Any valid date-time is accepted, as the OpenAPI document says; it is handed to the
    # database in UTC (PostgreSQL refuses offsets beyond ±15:59), and the first and last
    # days of the calendar are clamped so the conversion cannot overflow.
    if parsed.year <= 1:
        return datetime.datetime(2, 1, 1, tzinfo=datetime.UTC)
    if parsed.year >= 9999:
        return datetime.datetime(9998, 12, 31, tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC)


def clock(name, value):
    """HH:MM (Amsterdam time), or with Z or an offset, as a local datetime.time."""
    value = _raw(name, value)
    match = TIME_RE.match(value)
    if not match:
        raise BadParameter(name, "een tijd als 09:30, eventueel met Z of +01:00")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    local = datetime.time(hour, minute, second)
    if match[4]:
        offset = datetime.timedelta(0)
        if match[4] != "Z":
            sign = -1 if match[4][0] == "-" else 1
            offset = sign * datetime.timedelta(hours=int(match[5]), minutes=int(match[6]))
        if abs(offset) >= datetime.timedelta(hours=24):
            raise BadParameter(name, "een UTC-afwijking van minder dan 24 uur")
        today = timezone.localdate()
        aware = datetime.datetime.combine(today, local, tzinfo=datetime.timezone(offset))
        local = timezone.localtime(aware).time()
    return local


def weekday(name, value):
    value = _raw(name, value).upper()
    if value not in DAYS:
        raise BadParameter(name, "een dag: MO, TU, WE, TH, FR, SA of SU")
    return DAYS[value]


def search(name, value):
    return text.normalise_input(value)


def choice(name, value, choices):
    value = _raw(name, value).lower()
    if value not in choices:
        raise BadParameter(name, "een van: " + ", ".join(choices))
    return value


def read(querydict, spec):
    """{name: value} for the parameters in spec ({name: reader}) that the request gives.

    A parameter given twice counts once (its last value); unknown parameters are ignored,
    as HSDS readers add their own.
    """
    values = {}
    for name, reader in spec.items():
        if name in querydict:
            values[name] = reader(name, querydict.get(name, ""))
    return values
