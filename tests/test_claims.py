"""The column's claims are quoted verbatim: each sentence stands, character for character, in the column."""

from __future__ import annotations

import re

import pytest
from helpers import PROJECT_ROOT, missing

from krefeld_data.stories.claims import CLAIMS, VERDICT_WORDS, Verdict, claim_html, quote, verdict_html

COLUMN = PROJECT_ROOT.parent / "shared" / "column"


def column_text() -> str:
    path = COLUMN / "COLUMN.md"
    if not path.is_file():
        missing(f"the column's text is not at {path}")
    return path.read_text(encoding="utf-8").split("---", 1)[1]


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_every_quoted_sentence_stands_verbatim_in_the_column(claim: str) -> None:
    text = column_text()
    for sentence in CLAIMS[claim]:
        assert sentence in text, sentence


def test_the_claims_are_those_of_the_claims_list() -> None:
    path = COLUMN / "CLAIMS.md"
    if not path.is_file():
        missing(f"the claims list is not at {path}")
    listed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\| (K\d) \| (.*?) \| [a-z]", line):
            listed[m.group(1)] = re.findall(r"„(.*?)“", m.group(2))
    assert listed == {k: list(v) for k, v in CLAIMS.items()}


def test_claim_and_verdict_blocks_carry_the_page_classes() -> None:
    block = claim_html("K1", "K2")
    assert 'class="kd-claim"' in block and quote("K1") in block
    verdict = verdict_html([Verdict("K1", "teilweise belegt", "Weil 3 von 4 …", ("10.745 Schutzsuchende",))])
    assert 'class="kd-verdict"' in verdict and "teilweise belegt" in verdict and "10.745" in verdict


def test_a_verdict_word_outside_the_list_or_an_unknown_claim_is_refused() -> None:
    with pytest.raises(ValueError, match="verdict word"):
        Verdict("K1", "stimmt", "x")
    with pytest.raises(ValueError, match="unknown claim"):
        Verdict("K9", VERDICT_WORDS[0], "x")


# Quotation marks on the pages of stories 1 and 3 that are not the column: a programme's name,
# the census tag, a word the text explains. Anything else in „…“ must stand in the column.
NOT_QUOTES = {"Urban Audit", "Zensus 2011 oder 2022", "rund"}


@pytest.mark.parametrize("notebook", ["01_wer_lebt_in_der_stadt.py", "03_jung_und_hier.py"])
def test_stories_1_and_3_put_nothing_in_quotation_marks_the_column_does_not_say(notebook: str) -> None:
    text = (PROJECT_ROOT / "notebooks" / notebook).read_text(encoding="utf-8")
    column = " ".join(column_text().split())
    quoted = re.findall(r"„([^“]+)“", text)
    for phrase in quoted:
        assert phrase in NOT_QUOTES or " ".join(phrase.split()) in column, phrase
    assert "Integration ist vor allem Jugendarbeit" not in text  # the invented quote is gone
