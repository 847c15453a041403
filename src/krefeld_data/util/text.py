"""Text helpers shared by charts and pages."""

from __future__ import annotations

import textwrap


def html_lines(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters joined by ``<br>`` (plotly's line break),
    never breaking inside a word ("Staatsangehörig|keit")."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) if text else ""
