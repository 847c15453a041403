"""The census basis follows the vintage of the publication, on the real files (issue 14 §1).

Oracles: the files' own rows read with the csv module, and the figures the real samples'
README names (sample 04, recorded 2024-12: 31.12.2023 on the 2011 basis, Germany 84,669,326;
sample 02, 2026 download: 31.12.2024 on the 2022 basis). A frame cut from a real file for a
test is test data and says so in its provenance.
"""

from __future__ import annotations

import csv

from helpers import real_sample

from krefeld_data.clean.census import ZENSUS_2011, ZENSUS_2011_OR_2022, ZENSUS_2022, add_census_basis
from krefeld_data.datasets import load
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.fetch.importer import import_file
from krefeld_data.parse import read_table
from krefeld_data.stories import population as facts


def flat_rows(prefix: str) -> list[dict[str, str]]:
    with real_sample(prefix).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def total_of(prefix: str, region: str) -> float:
    rows = flat_rows(prefix)
    if "1_Auspraegung_Code" in rows[0]:  # old layout (04)
        hits = [r for r in rows if r["1_Auspraegung_Code"] == region and r["2_Auspraegung_Code"] == ""]
        return float(hits[0]["BEVSTD__Bevoelkerungsstand__Anzahl"])
    hits = [r for r in rows
            if r["1_variable_attribute_code"] == region and r["2_variable_attribute_code"] == ""]
    return float(hits[0]["value"])


def test_2023_from_the_2024_12_download_rests_on_the_2011_census(isolated_env):
    assert total_of("04_", "DG") == 84_669_326  # the README's figure, read from the file itself
    import_file(real_sample("04_"))
    import_file(real_sample("02_"))
    result = build_datasets(["bevoelkerung"])
    assert result.written == ["bevoelkerung"], result
    people = load("bevoelkerung", ["05114", "05111", "DG"])
    tagged = people.set_index(["region_key", "year"])
    assert tagged.loc[("DG", 2023), "census_basis"] == ZENSUS_2011  # not "Zensus 2022"
    assert tagged.loc[("05114", 2023), "census_basis"] == ZENSUS_2011
    assert tagged.loc[("05114", 2024), "census_basis"] == ZENSUS_2022
    assert tagged.loc[("05111", 2023), "population"] == total_of("04_", "05111")
    assert tagged.loc[("05111", 2024), "population"] == total_of("02_", "05111")


def test_no_change_is_computed_across_the_2023_2024_rebasing(isolated_env):
    for prefix in ("04_", "02_"):
        import_file(real_sample(prefix))
    build_datasets(["bevoelkerung"])
    people = load("bevoelkerung", ["05111"])
    # Düsseldorf 631,217 -> 618,685 would read as -2.0 %: a rebasing artefact, not a change.
    assert total_of("04_", "05111") / total_of("02_", "05111") != 1
    assert facts.change_on_same_basis(people, "05111") is None
    assert facts.basis_changes(people, "05111") == [(2024, ZENSUS_2011, ZENSUS_2022)]
    assert facts.chart_breaks(people) == {2024: f"Basis: {ZENSUS_2022}"}


def test_the_cassette_response_date_is_the_vintage(isolated_env):
    import_file(real_sample("03_"))  # the 2024-12 cassette itself (its response holds sample 04)
    frame = read_table(_only_snapshot())
    assert frame.attrs["provenance"]["vintage"] == "2024-12-03"
    tagged = add_census_basis(frame)
    dates = tagged["date"].dt.year == 2023
    # 2024-12-03 lies in the switch period; Germany's published total decides: 2011 basis.
    assert set(tagged.loc[dates, "census_basis"].astype(str)) == {ZENSUS_2011}


def test_where_nothing_tells_the_basis_the_tag_names_both(isolated_env):
    frame = read_table(real_sample("04_"))
    cut = frame[frame["region_code"] == "05116"].copy()  # Mönchengladbach alone: no known total
    cut.attrs = {"provenance": {"origin": "test", "table": "12411-01-01-4", "note": "cut from real 04"}}
    assert set(add_census_basis(cut)["census_basis"].astype(str)) == {ZENSUS_2011_OR_2022}
    cut.attrs["provenance"]["vintage"] = "2026-03-10"  # as if downloaded in 2026: the new basis
    assert set(add_census_basis(cut)["census_basis"].astype(str)) == {ZENSUS_2022}


def test_a_later_vintage_of_the_same_date_replaces_the_earlier_one(isolated_env, tmp_path):
    # The same 31.12.2023 from the 2024-12 download (04) and, as test data, a "2026" re-download
    # of Krefeld with the 2022-basis figure that the 2025 file (sample 38) gives: 230,393.
    import_file(real_sample("04_"))
    text = real_sample("04_").read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    krefeld = [line for line in lines if ";05114;" in line and ";;Insgesamt;" in line]
    revised = krefeld[0].rsplit(";", 1)[0] + ";230393"
    path = tmp_path / "12411-01-01-4_test_revision.csv"
    path.write_text("\n".join([header, revised]) + "\n", encoding="utf-8")
    import_file(path, table="12411-01-01-4", database="regio")
    from krefeld_data.clean.splice import splice
    from krefeld_data.raw.store import RawStore

    store = RawStore()
    frames = [read_table(s) for s in store.snapshots("12411-01-01-4")]
    frames[-1].attrs["provenance"]["vintage"] = "2026-01-15"  # test data: the re-download's vintage
    frames = [add_census_basis(frame) for frame in frames[::-1]]  # order in the list does not decide
    spliced = splice(frames).set_index(["region_key", "year"])
    row = spliced.loc[("05114", 2023)]
    row = row[row["ges_code"].astype(str) == ""] if "ges_code" in row else row
    assert float(row["value"].iloc[0]) == 230_393
    assert str(row["census_basis"].iloc[0]) == ZENSUS_2022
    assert row["source_snapshot"].iloc[0] == store.snapshots("12411-01-01-4")[-1].path.name


def _only_snapshot():
    from krefeld_data.raw.store import RawStore

    (snapshot,) = RawStore().snapshots("12411-01-01-4")
    return snapshot
