"""Urban Audit city codes against the real Data Browser export of urb_cpop1 (real sample 39).

The oracle is sample 39 read with the ``csv`` module: its ``cities`` column and the label column
after it. Pinned codes are typed from that file (README of the real samples).
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pytest
from helpers import PROJECT_ROOT, real_sample

from krefeld_data.catalog import SOURCE_TABLES, URBAN_AUDIT_CITIES
from krefeld_data.errors import KrefeldDataError
from krefeld_data.regions import urban_audit
from krefeld_data.regions.registry import UnknownRegion, region

STORY_CITIES = {"05114": "DE087C", "05111": "DE011C", "05124": "DE124C", "08311": "DE025C"}


def _sample_39_german_cities() -> dict[str, str]:
    with real_sample("39_").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        column = header.index("cities")
        return {row[column]: row[column + 1] for row in reader if row[column].startswith("DE")}


def _tool():
    path = PROJECT_ROOT / "tools" / "build_urban_audit_codes.py"
    spec = importlib.util.spec_from_file_location("build_urban_audit_codes", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_urban_audit_codes"] = module
    spec.loader.exec_module(module)
    return module


def test_the_reference_file_holds_every_german_code_of_the_real_export() -> None:
    published = _sample_39_german_cities()
    assert len(published) == 152
    ours = {c.code: c for c in urban_audit.cities()}
    assert set(ours) == set(published)
    for code, label in published.items():
        assert ours[code].name == re.sub(r"\s*\(greater city\)$", "", label)
        assert ours[code].greater_city == label.endswith("(greater city)")


@pytest.mark.parametrize("kreis, code", sorted(STORY_CITIES.items()))
def test_the_story_cities_have_the_codes_of_the_real_export(kreis: str, code: str) -> None:
    published = _sample_39_german_cities()
    assert published[code] == region(kreis).short_name  # Krefeld, Düsseldorf, …: the label
    assert urban_audit.city_code(kreis) == code
    assert urban_audit.city_code(region(kreis).short_name) == code
    assert urban_audit.city_code(kreis + "000") == code  # the 8-digit AGS
    assert urban_audit.region_code(code) == kreis
    assert urban_audit.region_code(code.lower()) == kreis
    assert urban_audit.city(code).ags == kreis + "000"


def test_de027c_is_frankfurt_oder_not_freiburg() -> None:
    assert _sample_39_german_cities()["DE027C"] == "Frankfurt (Oder)"
    assert urban_audit.region_code("DE027C") == region("Frankfurt (Oder)").code == "12053"
    assert urban_audit.city_code("Freiburg im Breisgau") == "DE025C"


def test_no_code_of_the_old_wrong_forms_exists() -> None:
    codes = {c.code for c in urban_audit.cities()}
    assert not any(re.fullmatch(r"DE5\d\dC", c) for c in codes)
    assert not any(c.endswith("C1") for c in codes)
    assert urban_audit.city("DE508C") is None and urban_audit.region_code("DE546C") is None


def test_a_city_without_a_code_is_none_and_a_clear_error_never_unknown_region() -> None:
    assert urban_audit.city_code("05154") is None  # Kreis Kleve: no Urban Audit city
    with pytest.raises(urban_audit.NoUrbanAuditCode) as info:
        urban_audit.require_city_code("Kleve")
    assert not isinstance(info.value, UnknownRegion)
    assert isinstance(info.value, KrefeldDataError)
    assert "Kleve (05154) has no Urban Audit code" in str(info.value)
    assert urban_audit.city_code("Kassel") == "DE091C"  # the city that crashed before


def test_a_code_without_a_registry_key_says_why() -> None:
    published = _sample_39_german_cities()
    moers = urban_audit.city("DE022C")
    assert published["DE022C"] == moers.name == "Moers"
    assert moers.region_code is None and "kreisangehörige Stadt" in moers.note
    assert urban_audit.region_code("DE022C") is None
    with pytest.raises(urban_audit.NoUrbanAuditCode, match=r"DE022C \(Moers\) has no region key"):
        urban_audit.require_region_code("DE022C")
    with pytest.raises(urban_audit.NoUrbanAuditCode, match="DE999C"):
        urban_audit.require_region_code("DE999C")


def test_a_same_named_kreis_is_not_taken_for_the_city() -> None:
    # Recklinghausen (DE103C) is the city; the registry has only the larger Kreis Recklinghausen.
    assert urban_audit.city("DE103C").region_code is None
    assert urban_audit.city_code("05562") is None


def test_names_that_differ_from_the_registry_are_matched_by_hand() -> None:
    manual = {c.code: c for c in urban_audit.cities() if c.match.startswith("manual")}
    assert set(manual) == {"DE017C", "DE021C"}
    assert manual["DE017C"].region_code == region("Halle (Saale)").code
    assert manual["DE021C"].region_code == region("Mülheim an der Ruhr").code


def test_every_matched_city_is_a_city_of_the_registry_with_the_same_name() -> None:
    published = _sample_39_german_cities()
    matched = [c for c in urban_audit.cities() if c.region_code and c.code != "DE"]
    assert len(matched) > 80
    for city in matched:
        found = region(city.region_code)
        assert found.is_city, city
        assert found.official_name.startswith(city.name) or city.match.startswith("manual"), city
        assert published[city.code].startswith(city.name)


def test_the_c1_codes_of_the_2019_list_are_another_numbering_and_refused() -> None:
    with real_sample("33_").open(encoding="utf-8", newline="") as fh:
        listed = {row["city_code"]: row["fua"] for row in csv.DictReader(fh)}
    assert listed["DE025C1"] == "Darmstadt" and listed["DE508C1"] == "Krefeld"  # not today's codes
    assert urban_audit.city("DE025C1") is None and urban_audit.region_code("DE508C1") is None
    assert urban_audit.city("DE025C").name == "Freiburg im Breisgau"


def test_germany_is_de() -> None:
    assert urban_audit.city_code("DG") == "DE"
    assert urban_audit.region_code("DE") == "DG"


def test_the_catalogue_asks_eurostat_for_the_confirmed_codes() -> None:
    assert URBAN_AUDIT_CITIES == ("DE087C", "DE011C", "DE124C", "DE025C")
    assert SOURCE_TABLES["urb_cpop1"].params["cities"] == list(URBAN_AUDIT_CITIES)
    assert not SOURCE_TABLES["urb_cpop1"].unconfirmed  # the real export confirms it


def test_the_tool_rebuilds_the_reference_file_from_the_real_export(tmp_path: Path) -> None:
    out = tmp_path / "eurostat_cities.csv"
    tool = _tool()
    assert tool.main([str(real_sample("39_")), "--out", str(out)]) == 0
    shipped = Path(urban_audit.__file__).parent / "reference" / urban_audit.REFERENCE_FILE
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
    assert tool.main([str(real_sample("39_")), "--out", str(out), "--check"]) == 0


def test_the_tool_reads_sdmx_csv_1_0_with_code_and_label_in_one_column(tmp_path: Path) -> None:
    export = tmp_path / "test-export-1.0.csv"  # test data in the SDMX-CSV 1.0 shape
    export.write_text(
        "DATAFLOW,LAST UPDATE,freq,indic_ur,cities,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
        "ESTAT:URB_CPOP1(1.0),01/01/26,A,DE1001V,DE087C: Krefeld,2020,1,\n"
        "ESTAT:URB_CPOP1(1.0),01/01/26,A,DE1001V,DE022C: Moers,2020,1,\n"
        "ESTAT:URB_CPOP1(1.0),01/01/26,A,DE1001V,FR001C: Paris (greater city),2020,1,\n",
        encoding="utf-8",
    )
    assert _tool().read_cities(export) == {"DE087C": "Krefeld", "DE022C": "Moers"}
