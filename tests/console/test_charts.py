"""The server-drawn bars: lengths from values, with a fixed or a data scale. Pure."""

from app.console.charts import bars


def test_the_largest_value_fills_the_chart_without_a_scale() -> None:
    drawn = bars([("a", 10), ("b", 5), ("c", 0)])
    assert [(b.label, b.length, b.text) for b in drawn] == [
        ("a", 100.0, "10"),
        ("b", 50.0, "5"),
        ("c", 0.0, "0"),
    ]


def test_percentages_are_drawn_against_100_and_a_missing_value_is_a_dash() -> None:
    drawn = bars([("DPUPR", 75.5), ("DLH", None)], "%", 100)
    assert [(b.length, b.text) for b in drawn] == [(75.5, "75.5%"), (0.0, "–")]


def test_no_values_draw_no_bars_and_all_zero_does_not_divide_by_zero() -> None:
    assert bars([]) == []
    assert [b.length for b in bars([("a", 0), ("b", 0)])] == [0.0, 0.0]
