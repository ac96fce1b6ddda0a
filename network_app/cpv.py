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


@cache
def _search_rows() -> tuple[tuple[str, str, str, str], ...]:
    return tuple((code, sv, en, f"{code} {sv} {en}".casefold()) for code, (sv, en) in codes().items())


def search(query: str, limit: int = 20) -> list[tuple[str, str, str]]:
    """(code, Swedish label, English label) of codes matching every word of `query`; codes whose
    number starts with the query, then labels that start with it, come first."""
    words = (query or "").casefold().split()[:6]
    if not words or len("".join(words)) < 2:
        return []
    found = []
    for code, sv, en, haystack in _search_rows():
        if all(w in haystack for w in words):
            if code.startswith(words[0]):
                rank = (0, code)
            else:
                rank = (1 if sv.casefold().startswith(words[0]) else 2, f"{len(sv):04d}")
            found.append((rank, code, sv, en))
    found.sort()
    return [(code, sv, en) for _rank, code, sv, en in found[:limit]]


def division_label(digits: str, locale: str = "sv") -> str:
    """The label of a CPV division ('45' -> 'Byggarbeten'), from its code 45000000."""
    code = _by_digits().get(f"{digits[:2]:0<8}")
    return label(code, locale) if code else digits
