"""Sweden's counties (län), from the reference data shipped in network_app/data/."""
import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def counties() -> dict[str, str]:
    """County code ('01'..'25') -> Swedish name, in code order."""
    with open(DATA / "counties.csv", encoding="utf-8", newline="") as fh:
        return {row["county_code"]: row["county_name"] for row in csv.DictReader(fh)}
