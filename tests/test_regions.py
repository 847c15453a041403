"""The region registry: keys in every length, names across databases (Urban Audit codes: test_urban_audit)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from helpers import real_sample

from krefeld_data.errors import KrefeldDataError
from krefeld_data.regions import registry as regions

STORY_CITIES = {
    "05114": "Krefeld",
    "05111": "Düsseldorf",
    "05124": "Wuppertal",
    "08311": "Freiburg im Breisgau",
}


def _sample_02_regions() -> tuple[dict[str, str], dict[str, list[str]]]:
    labels: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    with real_sample("02_").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            code = row["1_variable_attribute_code"]
            labels[code] = row["1_variable_attribute_label"]
            values.setdefault(code, []).append(row["value"])
    return labels, values


def test_every_published_kreis_of_sample_02_is_in_the_registry_with_its_official_name():
    labels, values = _sample_02_regions()
    with_numbers = [c for c, v in values.items() if any(x.isdigit() for x in v)]
    assert len([c for c in with_numbers if len(c) == 5]) == 400
    for code in with_numbers:
        found = regions.region(code)
        assert found.code == code
        assert found.official_name == labels[code]
        assert not found.dissolved


def test_kreise_that_sample_02_fills_with_dashes_only_are_marked_dissolved():
    _labels, values = _sample_02_regions()
    dashes_only = {c for c, v in values.items() if all(x == "-" for x in v)}
    assert "05313" in dashes_only  # Aachen, Stadt (alt): merged into the StädteRegion in 2009
    for code in dashes_only:
        assert regions.region(code).dissolved, code
    assert {r.code for r in regions.kreise(include_dissolved=True) if r.dissolved} == {
        c for c in dashes_only if len(c) == 5
    }


def test_the_registry_has_400_current_kreise_16_laender_and_the_nrw_regierungsbezirke():
    assert len(regions.kreise()) == 400
    laender = [r for r in regions.all_regions() if r.level == "Land"]
    assert [r.code for r in laender] == [f"{i:02d}" for i in range(1, 17)]
    nrw_bezirke = [
        r.code for r in regions.all_regions() if r.type == "Regierungsbezirk" and r.land_code == "05"
    ]
    assert nrw_bezirke == ["051", "053", "055", "057", "059"]
    assert regions.region("DG").type == "Staat"


def test_every_kreis_lies_in_a_land_of_the_registry():
    for kreis in regions.kreise(include_dissolved=True):
        assert kreis.land_code == kreis.code[:2]
        assert regions.land_of(kreis.code).official_name == kreis.land_name


def test_short_names_of_current_regions_are_unique():
    counts = Counter(r.short_name for r in regions.all_regions())
    assert [name for name, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("code, name", sorted(STORY_CITIES.items()))
def test_story_cities_resolve_by_name_and_by_key_of_every_length(code, name):
    by_name = regions.region(name)
    assert by_name.code == code
    assert by_name.short_name == name
    assert by_name.type in ("kreisfreie Stadt", "Stadtkreis")
    assert by_name.land_code == code[:2]
    for key in (code, code + "000", code + "0000000"):
        assert regions.region(key) is by_name
        assert regions.normalise_code(key) == code
    assert (by_name.kreis, by_name.ags, by_name.ars) == (code, code + "000", code + "0000000")
    assert regions.region(name.upper()) is by_name


def test_labels_from_different_databases_find_the_same_kreis():
    expected = regions.region("08311")
    for label in (
        "Freiburg im Breisgau, Stadtkreis",
        "Freiburg im Breisgau, kreisfreie Stadt",
        "Freiburg im Breisgau, Kreisfreie Stadt",
        "  Freiburg im Breisgau, Kreisfreie Stadt",
    ):
        assert regions.region(label) is expected



def test_landesdatenbank_nrw_forms_find_the_same_regions_as_the_regionaldatenbank():
    # Forms as the Landesdatenbank NRW writes them (real file 37): krfr. Stadt, Kreis, Regierungsbezirk.
    assert regions.region("    Krefeld, krfr. Stadt").code == "05114"
    assert regions.region("Kassel, krfr. Stadt").code == "06611"  # not the Landkreis Kassel
    assert regions.region("Kassel, Kreis").code == "06633"
    assert regions.region("Unna, Kreis").code == "05978"
    assert regions.region("  Düsseldorf, Regierungsbezirk").code == "051"
    assert regions.region("Regierungsbezirk Köln").code == "053"
    assert regions.region("Städteregion Aachen (einschl. Stadt Aachen)").code == "05334"


def test_every_region_named_in_real_file_37_resolves_by_name_to_its_published_key():
    rows = real_sample("37_").read_text(encoding="latin-1").splitlines()
    pairs = {(f[1], f[2]) for f in (r.split(";") for r in rows) if len(f) == 8 and f[1].isdigit()}
    assert len(pairs) == 61  # NRW, 5 Regierungsbezirke, 55 Kreise and kreisfreie Städte (old Aachen keys)
    wrong = {}
    for code, name in pairs:
        got = regions.region(name).code
        # The file keys the city of Aachen 05313 (before the Städteregion); the registry 05334002.
        if got != code and not (code == "05313" and got == "05334002"):
            wrong[code] = (name, got)
    assert wrong == {}

def test_nrw_is_05_and_its_regierungsbezirk_duesseldorf_is_051():
    nrw = regions.region("05")
    assert nrw.official_name == "Nordrhein-Westfalen"
    assert nrw.type == "Land"
    assert regions.region("Nordrhein-Westfalen") is nrw
    assert regions.land_of("Krefeld") is nrw
    assert regions.region("051").short_name == "Regierungsbezirk Düsseldorf"
    assert regions.normalise_code("050000000000") == "05"
    assert regions.normalise_code("051000000000") == "051"


def test_city_and_landkreis_of_the_same_name_get_different_short_names():
    assert regions.short_name("06611") == "Kassel"
    assert regions.short_name("06633") == "Landkreis Kassel"
    assert regions.region("Kassel").code == "06611"
    assert regions.region("Kassel, Landkreis").code == "06633"
    assert regions.region("Landkreis Rostock").code == "13072"
    assert regions.region("Rostock").code == "13003"


def test_a_bare_name_does_not_silently_resolve_to_a_regierungsbezirk():
    with pytest.raises(KrefeldDataError, match=r"Freiburg im Breisgau' \(08311\)"):
        regions.region("Freiburg")


def test_an_unknown_name_raises_with_a_close_match():
    with pytest.raises(regions.UnknownRegion, match=r"'Krefled'.*did you mean 'Krefeld' \(05114\)"):
        regions.region("Krefled")


def test_a_name_that_no_region_resembles_raises_without_guessing():
    with pytest.raises(KrefeldDataError, match="unknown region name 'Atlantis'") as info:
        regions.region("Atlantis")
    assert "did you mean" not in str(info.value)


def test_an_active_kreis_wins_over_a_dissolved_one_of_the_same_name():
    assert regions.region("Vogtlandkreis").code == "14523"
    assert regions.region("14178").dissolved
    assert regions.short_name("14178") == "Vogtlandkreis (aufgelöst)"


def test_eight_digit_units_published_beside_their_kreis_stay_eight_digits():
    assert regions.normalise_code("05334002") == "05334002"
    aachen = regions.region("Aachen")
    assert aachen.code == "05334002"
    assert regions.region("05334").official_name == "Städteregion Aachen, Kreis"
    # The ARS of the city of Hannover carries a Verband key; the Gemeinde part finds it.
    assert regions.region("032410001001").short_name == "Hannover"
    assert regions.region("11001001").type == "Bezirk"


def test_a_gemeinde_key_is_not_turned_into_its_kreis():
    assert regions.normalise_code("05154004") == "05154004"  # Gemeinde in Kreis Kleve
    with pytest.raises(KrefeldDataError, match=r"a Gemeinde in Kleve \(05154\)"):
        regions.region("05154004")


@pytest.mark.parametrize("bad", ["5114", "0511400", "05114a", "٠٥١١٤", "", "05-114"])
def test_malformed_keys_are_refused(bad):
    with pytest.raises(KrefeldDataError):
        regions.normalise_code(bad) if bad else regions.region(bad)


def test_strip_region_suffix_keeps_the_name_only():
    assert regions.strip_region_suffix("Freiburg im Breisgau, Stadtkreis") == "Freiburg im Breisgau"
    assert regions.strip_region_suffix("Krefeld, Kreisfreie Stadt") == "Krefeld"
    assert regions.strip_region_suffix("Lübeck, kreisfreie Stadt, Hansestadt") == "Lübeck"
    assert regions.strip_region_suffix("Neubrandenburg, Stadt,  kreisfreie Stadt") == "Neubrandenburg"
    assert regions.strip_region_suffix("      Hannover, Landeshauptstadt") == "Hannover"
    assert regions.strip_region_suffix("Landkreis Demmin") == "Demmin"
    assert regions.strip_region_suffix("Kleve, Kreis") == "Kleve"
    assert regions.strip_region_suffix("Region Hannover, Landkreis") == "Region Hannover"
    assert regions.strip_region_suffix("Ennepe-Ruhr-Kreis") == "Ennepe-Ruhr-Kreis"
    # A comma part that is no designation belongs to the name.
    assert regions.strip_region_suffix("Halle (Saale), Händelstadt") == "Halle (Saale)"
    assert regions.strip_region_suffix("Bonn, Bundesstadt") == "Bonn"
    assert regions.strip_region_suffix("Korea, Republic of") == "Korea, Republic of"


