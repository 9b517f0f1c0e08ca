"""Small server-rendered SVG charts for the dashboard: no JavaScript, nothing vendored, printable, and each
bar or point carries a <title> so the exact figure is one hover (or one screen reader) away."""

from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

GRADE_COLOURS = {"red": "#d92d20", "yellow": "#dc6803", "green": "#039855", "gray": "#98a2b3"}
SERIES_COLOURS = ["#1d4ed8", "#b42318", "#039855", "#7a5af8", "#dc6803"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    link: str | None = None


def _svg(width: int, height: int, body: str, title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every value inside was escaped by format_html
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="max-width:{width}px;font:12px sans-serif">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _linked(link: str | None, inner: str) -> str:
    return format_html('<a href="{}">{}</a>', link, mark_safe(inner)) if link else inner  # noqa: S308


def bar_chart(bars: list[Bar], *, title: str, colour: str = SERIES_COLOURS[0]) -> SafeString:
    """Horizontal bars, one row per label: readable with long Chinese labels."""
    row, label_width, width = 26, 160, 640
    top = max((b.value for b in bars), default=0) or 1
    parts = []
    for i, bar in enumerate(bars):
        y = i * row + 4
        length = (width - label_width - 60) * bar.value / top
        inner = format_html(
            '<text x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
            '<text x="{}" y="{}">{}</text>',
            label_width - 6,
            y + 14,
            bar.label,
            label_width,
            y,
            _f(length),
            row - 8,
            colour,
            _tip(bar.label, bar.value),
            _f(label_width + length + 4),
            y + 14,
            _number(bar.value),
        )
        parts.append(_linked(bar.link, inner))
    return _svg(width, max(len(bars), 1) * row + 8, "".join(parts), title)


def stacked_bar_chart(
    rows: list[tuple[str, dict[str, float], str | None]], *, colours: dict, title: str, labels: dict | None = None
) -> SafeString:
    """One horizontal bar per row, split by key (e.g. a region's enterprises by grade), with a legend."""
    labels = labels or {}
    row, label_width, width = 26, 160, 640
    top = max((sum(values.values()) for _label, values, _link in rows), default=0) or 1
    parts = []
    for i, (label, values, link) in enumerate(rows):
        y = i * row + 28
        x = label_width
        segments = []
        for key, colour in colours.items():
            value = values.get(key, 0)
            length = (width - label_width - 60) * value / top
            if value:
                segments.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                        _f(x),
                        y,
                        _f(length),
                        row - 8,
                        colour,
                        _tip(f"{label} {labels.get(key, key)}", value),
                    )
                )
            x += length
        inner = format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', label_width - 6, y + 14, label)
        inner += "".join(segments) + format_html(
            '<text x="{}" y="{}">{}</text>', _f(x + 4), y + 14, _number(sum(values.values()))
        )
        parts.append(_linked(link, inner))
    legend = format_html_join(
        "",
        '<rect x="{}" y="4" width="12" height="12" fill="{}"></rect><text x="{}" y="14">{}</text>',
        (
            (label_width + i * 90, colour, label_width + i * 90 + 16, labels.get(key, key))
            for i, (key, colour) in enumerate(colours.items())
        ),
    )
    return _svg(width, max(len(rows), 1) * row + 36, legend + "".join(parts), title)


def line_chart(labels: list[str], series: dict[str, list[float]], *, title: str) -> SafeString:
    """A trend by month: one line per series, a dot per month with its figure in the tooltip."""
    width, height, left, bottom, top_pad = 640, 220, 40, 30, 24
    top = max((v for values in series.values() for v in values), default=0) or 1
    step = (width - left - 20) / max(len(labels) - 1, 1)

    def point(i, value):
        return left + i * step, height - bottom - (height - bottom - top_pad) * value / top

    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d5dd"></line>',
            left,
            height - bottom,
            width - 10,
            height - bottom,
        )
    ]
    for i, label in enumerate(labels):
        x, _y = point(i, 0)
        parts.append(format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', _f(x), height - 10, label))
    for n, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        path = " ".join("{},{}".format(*point(i, v)) for i, v in enumerate(values))
        parts.append(
            format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"></polyline>', path, colour)
        )
        for i, value in enumerate(values):
            x, y = point(i, value)
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}</title></circle>',
                    _f(x),
                    _f(y),
                    colour,
                    _tip(f"{labels[i]} {name}", value),
                )
            )
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="12" height="12" fill="{}"></rect><text x="{}" y="14">{}</text>',
                left + n * 140,
                colour,
                left + n * 140 + 16,
                name,
            )
        )
    return _svg(width, height, "".join(parts), title)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _tip(what: str, value: float) -> str:
    """A bar's or a point's tooltip, “鄞州区：12” (the language's own colon)."""
    return pgettext("a chart's tooltip", "%(what)s: %(figure)s") % {"what": what, "figure": _number(value)}


def _number(value: float) -> str:
    """The figure as the reader's locale writes it, grouped (1,540,000 in Chinese and English)."""
    return formats.number_format(value, 0 if float(value).is_integer() else 1, force_grouping=True)
