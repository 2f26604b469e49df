"""The gap report ("gaten in het aanbod"): aggregated, anonymous figures for curators.

Each section is a Table (a title, column names, rows of plain values) that the page shows
as a server-rendered SVG chart beside an HTML table, and that exports as CSV.
"""

import csv
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import formats
from django.utils.translation import gettext as _

from .models import Outcome

TOP = 25
LABEL_LENGTH = 30


@dataclass
class Table:
    slug: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    stacked: bool = False

    def chart(self):
        if self.stacked:
            return column_chart(self.rows)
        return bar_chart(self.rows)


def _label(value, fallback):
    return value if value not in (None, "") else fallback


def _period_label(moment, period):
    if period == "month":
        return formats.date_format(moment, "F Y")
    year, week, _day = moment.isocalendar()
    return _("week %(week)s, %(year)s") % {"week": week, "year": year}


def gap_tables(calls, terms, period):
    """All sections of the report for already scoped calls and search-term rows."""
    no_offer = calls.filter(outcome=Outcome.NO_OFFER)
    referred = calls.filter(outcome=Outcome.REFERRED)
    no_theme = _("(geen thema gekozen)")

    zero = (
        terms.reportable()
        .filter(without_results__gt=0)
        .order_by("-without_results", "-searches", "term")[:TOP]
    )
    zero_rows = [[row["term"], row["without_results"], row["searches"]] for row in zero]
    unknown = terms.unknown()
    if unknown["without_results"]:
        # Searches with a word outside the vocabulary: how many, never what was typed.
        zero_rows.append([_("(onbekend woord)"), unknown["without_results"], unknown["searches"]])
    tables = [
        Table(
            "zoekwoorden-zonder-resultaat",
            _("Zoekwoorden zonder resultaat"),
            [_("Zoekwoorden"), _("Zonder resultaat"), _("Keer gezocht")],
            zero_rows,
        ),
        Table(
            "geen-aanbod-per-thema",
            _("Geen passend aanbod, per thema"),
            [_("Thema"), _("Gesprekken")],
            [
                [_label(row["themes__name"], no_theme), row["n"]]
                for row in no_offer.values("themes__name")
                .annotate(n=Count("pk"))
                .order_by("-n", "themes__name")[:TOP]
            ],
        ),
        Table(
            "geen-aanbod-per-gemeente",
            _("Geen passend aanbod, per gemeente"),
            [_("Gemeente"), _("Gesprekken")],
            [
                [_label(row["municipality__name"], _("(onbekend)")), row["n"]]
                for row in no_offer.values("municipality__name")
                .annotate(n=Count("pk"))
                .order_by("-n", "municipality__name")[:TOP]
            ],
        ),
        Table(
            "verwijzingen-per-thema",
            _("Verwijzingen per thema"),
            [_("Thema"), _("Gesprekken")],
            [
                [_label(row["themes__name"], no_theme), row["n"]]
                for row in referred.values("themes__name")
                .annotate(n=Count("pk"))
                .order_by("-n", "themes__name")[:TOP]
            ],
        ),
        Table(
            "verwijzingen-per-dienst",
            _("Verwijzingen per dienst"),
            [_("Dienst"), _("Verwijzingen")],
            [
                [row["services__name"], row["n"]]
                for row in referred.filter(services__isnull=False)
                .values("services__name")
                .annotate(n=Count("pk"))
                .order_by("-n", "services__name")[:TOP]
            ],
        ),
        _calls_per_period(calls, period),
    ]
    return tables


def _calls_per_period(calls, period):
    trunc = TruncMonth if period == "month" else TruncWeek
    rows = (
        calls.annotate(bucket=trunc("started_at"))
        .values("bucket")
        .annotate(
            referred=Count("pk", filter=Q(outcome=Outcome.REFERRED)),
            no_offer=Count("pk", filter=Q(outcome=Outcome.NO_OFFER)),
            information=Count("pk", filter=Q(outcome=Outcome.INFORMATION)),
            total=Count("pk"),
        )
        .order_by("bucket")
    )
    return Table(
        "gesprekken-per-periode",
        _("Gesprekken per maand") if period == "month" else _("Gesprekken per week"),
        [_("Periode"), *[str(label) for label in Outcome.labels], _("Totaal")],
        [
            [
                _period_label(row["bucket"], period),
                row["referred"],
                row["no_offer"],
                row["information"],
                row["total"],
            ]
            for row in rows
        ],
        stacked=True,
    )


def totals(calls):
    return calls.aggregate(
        total=Count("pk"),
        referred=Count("pk", filter=Q(outcome=Outcome.REFERRED)),
        no_offer=Count("pk", filter=Q(outcome=Outcome.NO_OFFER)),
        information=Count("pk", filter=Q(outcome=Outcome.INFORMATION)),
    )


# Charts: plain geometry for an SVG the template draws. The table beside it is the
# accessible version, so the SVG is decorative (aria-hidden) and needs no script.

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 250
BAR_AREA = 330


def _short(value):
    value = str(value)
    return value if len(value) <= LABEL_LENGTH else value[: LABEL_LENGTH - 1] + "…"


def bar_chart(rows):
    """Horizontal bars for the first numeric column of each row."""
    highest = max((row[1] for row in rows), default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(BAR_AREA * row[1] / highest, 1)
        bars.append(
            {
                "label": _short(row[0]),
                "value": row[1],
                "y": y,
                "text_y": y + BAR_HEIGHT * 0.7,
                "width": max(width, 1),
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "kind": "bars",
        "bars": bars,
        "width": LABEL_WIDTH + BAR_AREA + 50,
        "height": max(len(rows) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
    }


COLUMN_WIDTH = 28
COLUMN_GAP = 14
CHART_HEIGHT = 180
AXIS_SPACE = 40
# Keeps a few columns from being blown up to the full width of the page.
MIN_COLUMN_CHART_WIDTH = 640


def column_chart(rows):
    """Stacked columns (referred, no offer, information only) per period."""
    highest = max((row[-1] for row in rows), default=0) or 1
    columns = []
    for index, row in enumerate(rows):
        x = index * (COLUMN_WIDTH + COLUMN_GAP) + 10
        bottom = CHART_HEIGHT
        parts = []
        for kind, value in zip(("referred", "no-offer", "information"), row[1:4], strict=True):
            height = round(CHART_HEIGHT * value / highest, 1)
            bottom -= height
            parts.append({"kind": kind, "y": bottom, "height": height})
        columns.append(
            {
                "x": x,
                "parts": parts,
                "label": _short(row[0]).split(",")[0],
                "label_x": x + COLUMN_WIDTH / 2,
                "total": row[-1],
                "total_y": bottom - 4,
            }
        )
    return {
        "kind": "columns",
        "columns": columns,
        "width": max(len(rows) * (COLUMN_WIDTH + COLUMN_GAP) + 20, MIN_COLUMN_CHART_WIDTH),
        "height": CHART_HEIGHT + AXIS_SPACE,
        "axis_y": CHART_HEIGHT,
        "label_y": CHART_HEIGHT + 16,
        "column_width": COLUMN_WIDTH,
    }


# CSV export

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell value that spreadsheet programs will not run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(table, stream):
    writer = csv.writer(stream)
    writer.writerow([csv_safe(str(column)) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_safe(value) for value in row])


def scoped(calls, terms, filters):
    """The calls and search-term rows of the report (both already scoped), narrowed to the filters."""
    calls = calls.between(filters["start"], filters["end"])
    terms = terms.between(filters["start"], filters["end"])
    if filters["municipality"] is not None:
        calls = calls.filter(municipality=filters["municipality"])
        terms = terms.filter(municipality=filters["municipality"])
    return calls, terms
