"""Sweden's counties (län) and municipalities (kommuner), from the reference data shipped in
network_app/data/, with each county's NUTS-3 code for open data."""
import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def counties() -> dict[str, str]:
    """County code ('01'..'25') -> Swedish name, in code order."""
    return {row["county_code"]: row["county_name"] for row in _rows("counties.csv")}


@cache
def municipalities() -> dict[str, tuple[str, str]]:
    """Municipality code ('0114') -> (short name, county code), in code order."""
    return {row["municipality_code"]: (row["municipality_name_short"], row["county_code"])
            for row in _rows("municipalities.csv")}


@cache
def nuts3() -> dict[str, str]:
    """County code -> NUTS-3 code ('01' -> 'SE110')."""
    return {row["lan_code"]: row["nuts3_code"] for row in _rows("se_lan_nuts3.csv")}
