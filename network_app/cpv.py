"""The EU Common Procurement Vocabulary (CPV 2008), from the data shipped in network_app/data/."""
import csv
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
_CODE_RE = re.compile(r"^(\d{8})(?:-(\d))?$")


@cache
def codes() -> dict[str, tuple[str, str]]:
    """'45331000-6' -> (Swedish label, English label)."""
    with open(DATA / "cpv_2008_sv_en.csv", encoding="utf-8", newline="") as fh:
        return {row["cpv_id"]: (row["label_sv"], row["label_en"]) for row in csv.DictReader(fh)}


@cache
def _by_digits() -> dict[str, str]:
    return {code[:8]: code for code in codes()}


def normalise(value: str) -> str | None:
    """'45331000' or '45331000-6' -> '45331000-6'; None if no such code (or a wrong check digit)."""
    match = _CODE_RE.match((value or "").strip())
    if not match:
        return None
    code = _by_digits().get(match.group(1))
    if code is None or (match.group(2) is not None and code[-1] != match.group(2)):
        return None
    return code


def label(code: str, locale: str = "sv") -> str:
    sv, en = codes().get(code, (code, code))
    return sv if locale == "sv" else en
