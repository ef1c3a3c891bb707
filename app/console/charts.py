"""Bar charts drawn by the server as inline SVG geometry: no chart library, no JavaScript.
Pure: values in, bars (label, value, length as a share of the longest) out."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as printed next to the bar
    length: float  # 0..100, of the chart's width


def bars(
    items: list[tuple[str, float | None]], unit: str = "", scale: float | None = None
) -> list[Bar]:
    """One bar per item; `scale` fixes the full width (100 for percentages), else the largest
    value fills it. A missing value (no complaint to measure) is a zero-length bar marked "–"."""
    top = scale or max((v for _, v in items if v is not None), default=0.0) or 1.0
    return [
        Bar(
            label=label,
            value=value or 0.0,
            text="–" if value is None else f"{value:g}{unit}",
            length=0.0 if value is None else round(min(value, top) / top * 100, 2),
        )
        for label, value in items
    ]
