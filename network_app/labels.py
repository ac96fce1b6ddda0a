"""Translated labels for the codes stored in the database (kinds, roles, size classes)."""
from flask_babel import lazy_gettext as _l

LABELS = {
    "org_kind": {
        "municipality": _l("Municipality"),
        "region": _l("Region"),
        "state_agency": _l("State agency"),
        "housing_company": _l("Housing or property company"),
        "purchasing_centre": _l("Purchasing centre"),
        "company": _l("Company"),
        "non_profit": _l("Non-profit organisation"),
    },
    "size_class": {
        "micro": _l("Micro (fewer than 10 employees)"),
        "small": _l("Small (fewer than 50 employees)"),
        "medium": _l("Medium-sized (fewer than 250 employees)"),
        "large": _l("Large (250 employees or more)"),
    },
    "network_kind": {
        "buyer_network": _l("Buyer network"),
        "purchasing_centre": _l("Purchasing centre"),
    },
    "role": {
        "coordinator": _l("Coordinator"),
        "member": _l("Member"),
        "observer": _l("Observer"),
    },
}


def choices(group: str) -> list[tuple[str, str]]:
    return [(code, label) for code, label in LABELS[group].items()]
