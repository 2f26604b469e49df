"""Small server-rendered line charts: an indicator's measurements against baseline and target.

The template draws the SVG from the numbers computed here; a data table always sits beside it,
and with no or one measurement the table is all there is (a line needs two points).
"""

from django.utils import dateformat
from django.utils.translation import gettext as _

from services.numbers import format_number

WIDTH = 300
HEIGHT = 170
LEFT = 50
RIGHT = 14
TOP = 22
BOTTOM = 30
# Two labels on the y axis closer than this (in SVG units) would overlap.
MIN_LABEL_GAP = 14
MAX_X_LABELS = 6


def _svg_number(value):
    """A coordinate for an SVG attribute: a dot as decimal sign, whatever the language."""
    return f"{value:.1f}".removesuffix(".0")


class IndicatorChart:
    """Geometry and texts for one indicator's chart; see templates/coalitions/includes/chart.html."""

    width = WIDTH
    height = HEIGHT
    plot_left = LEFT
    plot_right = WIDTH - RIGHT
    plot_top = TOP
    plot_bottom = HEIGHT - BOTTOM

    def __init__(self, indicator, measurements):
        self.indicator = indicator
        self.measurements = sorted(measurements, key=lambda m: m.date)
        self.rows = [
            {
                "date": m.date,
                "value": indicator.format_value(m.value),
                "source": m.source,
            }
            for m in self.measurements
        ]
        self.baseline_label = indicator.format_value(indicator.baseline)
        self.target_label = indicator.format_value(indicator.target)
        if len(self.measurements) >= 2:
            self._layout()

    @property
    def count(self):
        return len(self.measurements)

    @property
    def has_line(self):
        return self.count >= 2

    @property
    def latest(self):
        return self.measurements[-1] if self.measurements else None

    @property
    def progress(self):
        """How far the latest measurement is from baseline towards target, in percent."""
        latest = self.latest
        baseline, target = self.indicator.baseline, self.indicator.target
        if latest is None or baseline is None or target is None or target == baseline:
            return None
        return round(float((latest.value - baseline) / (target - baseline)) * 100)

    @property
    def progress_text(self):
        progress = self.progress
        if progress is None:
            return ""
        if progress >= 100:
            return _("De streefwaarde is bereikt.")
        if progress <= 0:
            return _("Nog geen vooruitgang ten opzichte van de beginwaarde.")
        return _("%(percent)s%% van de weg naar de streefwaarde is afgelegd.") % {
            "percent": progress
        }

    @property
    def summary(self):
        """One or two sentences that say what the chart shows (its accessible name)."""
        indicator = self.indicator
        parts = [
            _("Beginwaarde %(baseline)s, streefwaarde %(target)s (%(direction)s).")
            % {
                "baseline": self.baseline_label,
                "target": self.target_label,
                "direction": indicator.get_direction_display().lower(),
            }
        ]
        latest = self.latest
        if latest is None:
            parts.append(_("Er is nog niet gemeten."))
        else:
            parts.append(
                _("Laatste meting: %(value)s op %(date)s.")
                % {
                    "value": indicator.format_value(latest.value),
                    "date": dateformat.format(latest.date, "j F Y"),
                }
            )
            if self.progress_text:
                parts.append(self.progress_text)
        return " ".join(str(part) for part in parts)

    def _layout(self):
        indicator = self.indicator
        values = [float(m.value) for m in self.measurements]
        baseline, target = float(indicator.baseline), float(indicator.target)
        low = min([*values, baseline, target])
        high = max([*values, baseline, target])
        span = high - low or abs(high) or 1.0
        pad = span * 0.1
        low, high = low - pad, high + pad
        if min([*values, baseline, target]) >= 0:
            low = max(low, 0.0)
        if indicator.unit == indicator.Unit.PERCENT:
            low, high = max(low, 0.0), min(high, 100.0)
        self._low, self._high = low, high

        first, last = self.measurements[0].date, self.measurements[-1].date
        days = (last - first).days or 1

        def x(date):
            return LEFT + (date - first).days / days * (self.plot_right - LEFT)

        self.points = [
            {
                "x": _svg_number(x(m.date)),
                "y": _svg_number(self._y(float(m.value))),
                "label": indicator.format_value(m.value),
            }
            for m in self.measurements
        ]
        self.polyline = " ".join(f"{p['x']},{p['y']}" for p in self.points)
        self.last_point = self.points[-1]
        baseline_y, target_y = self._y(baseline), self._y(target)
        self.baseline_y, self.target_y = _svg_number(baseline_y), _svg_number(target_y)
        # Keep the two axis labels apart; the lines themselves stay where they are.
        label_base, label_target = baseline_y, target_y
        if abs(label_base - label_target) < MIN_LABEL_GAP:
            middle = (label_base + label_target) / 2
            direction = 1 if label_base >= label_target else -1
            label_base = middle + direction * MIN_LABEL_GAP / 2
            label_target = middle - direction * MIN_LABEL_GAP / 2
        self.baseline_axis_label = self._axis_label(indicator.baseline)
        self.target_axis_label = self._axis_label(indicator.target)
        self.baseline_label_y = _svg_number(label_base + 4)
        self.target_label_y = _svg_number(label_target + 4)
        # The value of the last point goes above it, or below when that leaves the chart.
        last_y = self._y(float(self.measurements[-1].value))
        self.last_label_y = _svg_number(last_y - 8 if last_y - 8 > TOP + 4 else last_y + 18)
        self.label_x = _svg_number(LEFT - 6)

        same_year = len({m.date.year for m in self.measurements}) < len(self.measurements)
        date_format = "M Y" if same_year else "Y"
        shown = self.measurements
        if len(shown) > MAX_X_LABELS:
            shown = [shown[0], shown[-1]]
        self.x_labels = []
        for index, m in enumerate(shown):
            if index == 0:
                anchor = "start"
            elif index == len(shown) - 1:
                anchor = "end"
            else:
                anchor = "middle"
            self.x_labels.append(
                {
                    "x": _svg_number(x(m.date)),
                    "text": dateformat.format(m.date, date_format),
                    "anchor": anchor,
                }
            )
        self.x_label_y = HEIGHT - 10

    def _axis_label(self, value):
        # Only the number beside the axis: the unit is in the legend and the summary.
        if self.indicator.unit == self.indicator.Unit.PERCENT:
            return f"{format_number(value)}%"
        return format_number(value)

    def _y(self, value):
        span = (self._high - self._low) or 1.0
        return self.plot_bottom - (value - self._low) / span * (self.plot_bottom - TOP)
