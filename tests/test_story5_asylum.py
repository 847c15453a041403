"""Story 5 (the debate and the numbers): Eurostat first-time applications, flags and the page.

The oracle for the sample is the JSON-stat file read with the ``json`` module (flat index =
row-major over ``id``, the last dimension varying fastest). Frames built here are test data.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from helpers import run_notebook

from krefeld_data import datasets
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples, sample_path
from krefeld_data.stories import asylum as story
from krefeld_data.stories.claims import CLAIMS, VERDICT_WORDS
from krefeld_data.util.german import number


def published(geo: str, applicant: str) -> dict[int, tuple[float, str]]:
    """year -> (value, flag) for all citizenships, sexes and ages, read from the JSON-stat sample."""
    data = json.loads(sample_path("migr_asyappctza").read_text(encoding="utf-8"))
    ids, sizes = data["id"], data["size"]
    positions = {d: data["dimension"][d]["category"]["index"] for d in ids}
    wanted = {"geo": geo, "asyl_app": applicant, "citizen": "TOTAL", "sex": "T", "age": "TOTAL",
              "unit": "PER", "freq": "A"}
    result = {}
    for year, time_pos in positions["time"].items():
        flat = 0
        for dim, size in zip(ids, sizes, strict=True):
            pos = time_pos if dim == "time" else positions[dim].get(wanted.get(dim), 0)
            flat = flat * size + pos
        if str(flat) in data["value"]:
            flag = (data.get("status") or {}).get(str(flat), "")
            result[int(year)] = (float(data["value"][str(flat)]), flag)
    return result


@pytest.fixture
def samples(isolated_env):
    install_samples(RawStore())
    assert build_datasets([story.DATASET]).written == [story.DATASET]
    return isolated_env


def series_of(values: dict[int, float], flags: dict[int, str] | None = None) -> pd.DataFrame:
    """A first-time series as the dataset holds it (test data, origin "test")."""
    frame = pd.DataFrame({"region_code": "DE", "region_name": "Germany", "year": list(values),
                          "applicant_type": story.FIRST_TIME, "applicants": "Erstanträge",
                          "value": [float(v) for v in values.values()], "status": "",
                          "quality": [(flags or {}).get(y, "") for y in values]})
    frame.attrs = {"sources": [{"origin": "test", "table": "migr_asyappctza"}]}
    return frame


def test_first_time_series_is_the_published_one(samples):
    frame = datasets.load(story.DATASET, regions=["DE"])
    series = story.first_time(frame, "DE").set_index("year")
    expected = published("DE", "NASY_APP")
    assert sorted(series.index) == sorted(expected)
    for year, (value, flag) in expected.items():
        assert series.loc[year, "value"] == value
        assert series.loc[year, "quality"] == flag
    year = max(expected)
    assert series.loc[year, "change"] == pytest.approx(expected[year][0] / expected[year - 1][0] - 1)


def test_the_trend_sentence_follows_the_change_not_a_threshold():
    falling = story.debate_year(story.first_time(series_of({2016: 700, 2017: 300, 2018: 200}), "DE"), 2018)
    assert falling.direction == "gesunken"
    text = story.debate_text(falling, "Deutschland")
    assert "weniger als im Jahr davor" in text and "sinkender Antragszahlen" in text
    # Below half the peak and rising: the old page called this "deutlich sinkender Antragszahlen".
    rising = story.debate_year(story.first_time(series_of({2016: 700, 2017: 200, 2018: 300}), "DE"), 2018)
    text = story.debate_text(rising, "Deutschland")
    assert rising.share_of_peak < 0.5 and rising.direction == "gestiegen"
    assert "sinkend" not in text and "mehr als im Jahr davor" in text and "stieg 2018 wieder" in text
    peak = story.debate_year(story.first_time(series_of({2017: 100, 2018: 300}), "DE"), 2018)
    assert "Höchststand der Reihe." in story.debate_text(peak, "Deutschland")
    alone = story.debate_year(story.first_time(series_of({2016: 700, 2018: 300}), "DE"), 2018)
    assert alone.change is None and "keine Zahl" in story.debate_text(alone, "Deutschland")


def test_flags_get_words_only_where_their_meaning_is_known():
    assert story.flag_text(2024, 213090, "p").endswith("„p“: vorläufig.")
    unknown = story.flag_text(2024, 1, "q")
    assert "„q“, so wie veröffentlicht" in unknown and "vorläufig" not in unknown
    assert story.flag_text(2024, 1, "ep").endswith("„ep“: geschätzt, vorläufig.")
    for text in (story.flag_text(2024, 1, ""), unknown, story.flag_text(2024, 1, "p")):
        assert "endgültig" not in text


def test_children_born_in_germany_are_always_mentioned():
    assert "in Deutschland geborene Kinder" in story.children_text("DE", 2015)
    assert "ein Fünftel" not in story.children_text("DE", 2015)  # the documented share is for 2018
    assert "etwa ein Fünftel" in story.children_text("DE", 2018)


def test_eu_share_needs_both_rows():
    frame = pd.concat([series_of({2018: 160}), series_of({2018: 640}).assign(region_code=story.EU)])
    assert story.eu_share(frame, "DE", 2018) == pytest.approx(0.25)
    assert story.eu_share(series_of({2018: 160}), "DE", 2018) is None
    verdicts = story.verdicts(story.debate_year(story.first_time(frame, "DE"), 2018), "Deutschland", 0.25)
    assert [v.claim for v in verdicts] == ["K3", "K4"]
    assert all(v.word in VERDICT_WORDS for v in verdicts)
    assert "25,0 %" in verdicts[1].reason


def test_the_page_on_samples(samples):
    markdown, outputs = run_notebook("05_debatte_und_zahlen.py")
    value, _ = published("DE", "NASY_APP")[2018]
    assert f"2018 stellten in Deutschland **{number(value)}** Menschen" in markdown
    assert "„p“: vorläufig" in markdown and "endgültig" not in markdown
    assert "etwa ein Fünftel" in markdown
    for claim in ("K3", "K4"):
        assert CLAIMS[claim][0] in outputs
    assert len(re.findall(r'data-word=\\"mit amtlichen Daten nicht prüfbar\\"', outputs)) == 2
    assert "Beispieldaten" in outputs


def test_debate_year_and_geo_reach_the_facts(samples):
    markdown, _ = run_notebook("05_debatte_und_zahlen.py", 'GEO = "DE"\nDEBATE_YEAR = 2015')
    value, _ = published("DE", "NASY_APP")[2015]
    assert f"2015 stellten in Deutschland **{number(value)}** Menschen" in markdown
    assert "2018 stellten" not in markdown and "ein Fünftel" not in markdown
    markdown, outputs = run_notebook("05_debatte_und_zahlen.py", 'GEO = "FR"\nDEBATE_YEAR = 2018')
    assert "keine Erstanträge für FR" in markdown
    assert 'class=\\"kd-verdict\\"' in outputs
