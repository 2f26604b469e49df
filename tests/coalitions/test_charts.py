import pytest
from django.urls import reverse

from coalitions.models import Indicator

from .factories import make_coalition, make_goal, make_indicator, make_measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator():
    goal = make_goal(make_coalition())
    return make_indicator(goal, name="Ouderen die zich eenzaam voelen")


def page(client, indicator):
    response = client.get(indicator.goal.coalition.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_no_measurements_draws_no_chart_and_says_so(client, indicator):
    chart = indicator.chart()
    assert chart.count == 0
    assert not chart.has_line
    assert chart.progress is None
    assert "Er is nog niet gemeten." in chart.summary

    html = page(client, indicator)
    assert "<svg" not in html
    assert "Er is nog niet gemeten. Na twee metingen" in html


def test_one_measurement_is_a_visible_table_without_line(client, indicator):
    make_measurement(indicator, "2024-05-01", "35", source="Peiling")
    chart = indicator.chart()
    assert chart.count == 1
    assert not chart.has_line
    assert chart.progress == 50  # from 40 towards 30: half way

    html = page(client, indicator)
    assert "<svg" not in html
    assert "<table" in html
    assert "35%" in html
    assert "Peiling" in html
    assert "<details" not in html


def test_many_measurements_draw_a_labelled_svg_with_a_table(client, indicator):
    for date, value in [("2023-01-01", "40"), ("2024-01-01", "36"), ("2025-01-01", "33,5")]:
        make_measurement(indicator, date, value.replace(",", "."))
    chart = indicator.chart()
    assert chart.has_line
    assert len(chart.points) == 3
    xs = [float(point["x"]) for point in chart.points]
    ys = [float(point["y"]) for point in chart.points]
    assert xs == sorted(xs)
    assert xs[0] == chart.plot_left and xs[-1] == chart.plot_right
    # Lower values are drawn lower on the chart (larger y).
    assert ys == sorted(ys)
    assert float(chart.target_y) > float(chart.baseline_y)
    assert all(pair.count(",") == 1 for pair in chart.polyline.split(" "))

    html = page(client, indicator)
    caption_id = f"indicator-{indicator.pk}-samenvatting"
    assert f'role="img" aria-labelledby="{caption_id}"' in html
    assert f'id="{caption_id}"' in html
    assert "33,5%" in html  # Dutch decimal comma in texts
    assert 'points="50,' in html  # but a dot in coordinates
    assert "<details" in html and "<table" in html


def test_progress_follows_the_direction(indicator):
    make_measurement(indicator, "2024-01-01", "45")
    assert indicator.chart().progress < 0  # lower is better: 45 is worse than 40

    goal = indicator.goal
    higher = make_indicator(
        goal, unit=Indicator.Unit.PEOPLE, baseline=10, target=110, direction="higher"
    )
    make_measurement(higher, "2024-01-01", "60")
    make_measurement(higher, "2025-01-01", "120")
    chart = higher.chart()
    assert chart.progress == 110
    assert "bereikt" in chart.progress_text
    # Higher is better: the target line is above the baseline line.
    assert float(chart.target_y) < float(chart.baseline_y)


def test_flat_series_and_equal_values_do_not_divide_by_zero(indicator):
    make_measurement(indicator, "2024-01-01", "40")
    make_measurement(indicator, "2024-02-01", "40")
    chart = indicator.chart()
    assert chart.has_line
    assert {point["y"] for point in chart.points} == {chart.baseline_y}
    assert chart.x_labels[0]["text"] != chart.x_labels[-1]["text"]  # month and year


def test_chart_list_page_link(client, indicator):
    response = client.get(reverse("coalitions:list"))
    assert indicator.goal.coalition.name in response.content.decode()
