"""The column's claims, quoted verbatim, and the verdict a story gives on each.

The quotes are copied character for character from the column (Westdeutsche Zeitung, Krefeld,
September 2018, series "Krefeld-Brille", by Markus Schön); a test checks each one against the
column's text. A story page opens with the claims it tests (:func:`claim_html`, class
``kd-claim``) and ends in one verdict per claim (:func:`verdict_html`, class ``kd-verdict``),
whose verdict word is one of :data:`VERDICT_WORDS`. The build reads the verdict back from the
page for the index, so the word a reader sees on the front page is the one on the story page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

SOURCE = "Markus Schön, „Krefeld-Brille“, Westdeutsche Zeitung, September 2018"

# Verbatim, in the column's order. A claim may have several quoted sentences.
CLAIMS: dict[str, tuple[str, ...]] = {
    "K1": (
        "Integration ist eine Daueraufgabe und sollte vom ersten Tag an einsetzen, an dem jemand "
        "nach Deutschland kommt.",
    ),
    "K2": (
        "Ob dabei Anker-Zentren auf der grünen Wiese fernab des gesellschaftlichen Miteinanders "
        "hilfreich sind, darf mehr als bezweifelt werden.",
        "wer 18 Monate oder länger in einer solchen Einrichtung verbracht hat, und dann einer "
        "Kommune zur Unterbringung zugewiesen wird, hat es 18 Monate versäumt, sich ein Bild vom "
        "Zusammenleben und den Gepflogenheiten, von den Werten und Chancen in unserem Land zu machen.",
        "Es bleibt dann wieder kommunale Aufgabe aufzuholen, was in diesen ersten anderthalb Jahren "
        "eines Aufenthalts in Deutschland versäumt wurde.",
    ),
    "K3": (
        "Die politische Debatte in der Bundesrepublik ist seit Monaten vorwiegend geprägt von Aus- "
        "und Abgrenzungsrhetorik.",
    ),
    "K4": (
        "Dass das Zuwanderungsgeschehen einer (idealerweise europäischen) Regulierung bedarf, ist "
        "eine Selbstverständlichkeit.",
    ),
    "K5": (
        "Da Integration sich um das Zusammenleben von Menschen dreht, ist sie Sozial- und nicht "
        "Ordnungspolitik.",
        "Auch in anderen Kommunen wie Düsseldorf, Wuppertal oder Freiburg wird dieser Weg beschritten.",
    ),
    "K6": (
        "Dabei denke ich so für mich, dass hier gerade unheimlich viel an Integration gelingt, weil "
        "man bei dieser Tischgemeinschaft des Iftaressens miteinander in Gespräch kommt und viel "
        "übereinander erfährt.",
    ),
}

VERDICT_WORDS = ("belegt", "teilweise belegt", "nicht belegt", "mit amtlichen Daten nicht prüfbar")


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict: the word, one sentence of reason, the numbers it rests on (computed)."""

    claim: str  # "K1" … "K6"
    word: str  # one of VERDICT_WORDS
    reason: str  # one sentence, its numbers computed by a tested function
    numbers: tuple[str, ...] = ()  # the figures behind it, formatted for readers

    def __post_init__(self) -> None:
        if self.claim not in CLAIMS:
            raise ValueError(f"unknown claim {self.claim!r}; the column's claims are {', '.join(CLAIMS)}")
        if self.word not in VERDICT_WORDS:
            raise ValueError(f"verdict word {self.word!r} is not one of {', '.join(VERDICT_WORDS)}")


def quote(claim: str) -> str:
    """The claim's sentences in German quotation marks, joined by " … "."""
    return " … ".join(f"„{sentence}“" for sentence in CLAIMS[claim])


def claim_html(*claims: str) -> str:
    """The block that opens a story page: the claims it tests, verbatim, with the source."""
    items = "".join(
        f'<p class="kd-claim-text" data-claim="{c}">{html.escape(quote(c), quote=False)}</p>' for c in claims
    )
    return (f'<blockquote class="kd-claim" data-claims="{" ".join(claims)}">{items}'
            f"<footer>{html.escape(SOURCE, quote=False)}</footer></blockquote>")


def verdict_html(verdicts: Sequence[Verdict]) -> str:
    """The block that ends a story page: one verdict word per claim, reason and numbers."""
    rows = []
    for v in verdicts:
        numbers = (f'<span class="kd-verdict-numbers">{html.escape("; ".join(v.numbers), quote=False)}</span>'
                   if v.numbers else "")
        word, reason = html.escape(v.word, quote=False), html.escape(v.reason, quote=False)
        rows.append(
            f'<p data-claim="{v.claim}"><strong class="kd-verdict-word" data-word="{word}">'
            f"{word}</strong> – {reason} {numbers}</p>"
        )
    return f'<section class="kd-verdict"><h2>Das Urteil</h2>{"".join(rows)}</section>'


def show_claim(*claims: str) -> None:
    """Display :func:`claim_html` in a notebook (the page export keeps it as HTML)."""
    from IPython.display import HTML, display

    display(HTML(claim_html(*claims)))


def show_verdict(verdicts: Sequence[Verdict]) -> None:
    """Display :func:`verdict_html` in a notebook."""
    from IPython.display import HTML, display

    display(HTML(verdict_html(verdicts)))
