"""The chart kit: house template, chart helpers, source lines, alt text, display and export.

Notebooks use::

    from krefeld_data import charts
    charts.set_focus(CITY, COMPARE)   # the parameters decide which city stands out
    fig = charts.line_over_time(df, title="Krefeld wächst wieder", breaks=[2011, 2022])
    charts.show(fig)
"""

from __future__ import annotations

from krefeld_data.charts.alt_text import describe_figure
from krefeld_data.charts.display import (
    chart_slug,
    cite,
    figure_html,
    restore_defaults,
    show,
    use_renderer_in_kernels,
)
from krefeld_data.charts.export import browser_path, export_many, export_static
from krefeld_data.charts.figures import (
    compare_cities,
    finish,
    highlight_value,
    line_over_time,
    population_pyramid,
    set_alt,
    short_region_name,
    stacked_share,
)
from krefeld_data.charts.source_line import MissingSourceError, collect_provenance, is_sample, source_line
from krefeld_data.charts.theme import (
    CITY_COLOURS,
    FOCUS_COLOUR,
    PLOTLY_CONFIG,
    SEPARATORS,
    TEMPLATE_NAME,
    colour_for,
    current_focus,
    format_date,
    format_number,
    set_focus,
)

use_renderer_in_kernels()

__all__ = [
    "CITY_COLOURS", "FOCUS_COLOUR", "PLOTLY_CONFIG", "SEPARATORS", "TEMPLATE_NAME", "MissingSourceError",
    "browser_path", "chart_slug", "cite", "collect_provenance", "colour_for", "compare_cities",
    "current_focus", "describe_figure", "export_many", "export_static", "figure_html", "finish",
    "format_date", "format_number", "highlight_value", "is_sample", "line_over_time",
    "population_pyramid", "restore_defaults", "set_alt", "set_focus", "short_region_name", "show",
    "source_line", "stacked_share",
]
