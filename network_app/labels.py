"""Translated labels for the codes stored in the database (kinds, roles, size classes)."""
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

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
    "spec_status": {
        "draft": _l("Draft"),
        "consultation": _l("Consultation"),
        "adopted": _l("Adopted"),
        "archived": _l("Archived"),
        "superseded": _l("Superseded"),
    },
    "criterion_type": {
        "qualification": _l("Qualification requirement"),
        "technical": _l("Technical specification"),
        "award": _l("Award criterion"),
        "contract": _l("Contract condition"),
    },
    "criterion_level": {
        "basic": _l("Basic"),
        "advanced": _l("Advanced"),
        "spearhead": _l("Spearhead"),
    },
    "criterion_area": {
        "environment": _l("Environment"),
        "social": _l("Social responsibility and labour-law conditions"),
        "innovation": _l("Innovation"),
        "preparedness": _l("Preparedness"),
        "serious_suppliers": _l("Serious suppliers"),
        "accessibility": _l("Accessibility"),
    },
    "criterion_status": {
        "active": _l("Active"),
        "revised": _l("Revised"),
        "retired": _l("Retired"),
    },
    "need_status": {
        "draft": _l("Draft, not published"),
        "planned": _l("Planned"),
        "market_dialogue": _l("Market dialogue"),
        "announced": _l("Announced"),
        "awarded": _l("Awarded"),
        "cancelled": _l("Cancelled"),
    },
    "procedure": {
        "direct_award": _l("Direct award"),
        "below_threshold": _l("Below-threshold procedure"),
        "open": _l("Open procedure"),
        "restricted": _l("Restricted procedure"),
        "negotiated": _l("Negotiated procedure"),
        "innovation_partnership": _l("Innovation partnership"),
        "framework_call_off": _l("Call-off from a framework agreement"),
        "iop": _l("Idea-driven public partnership (IOP)"),
    },
    "frequency": {
        "immediate": _l("E-mail at once"),
        "daily": _l("Daily digest"),
    },
    "intent_status": {
        "draft": _l("Draft"),
        "open": _l("Open for signing"),
        "closed": _l("Closed"),
    },
    "signature_status": {
        "active": _l("Active"),
        "withdrawn": _l("Withdrawn"),
        "replaced": _l("Replaced by a confirmation of a newer version"),
    },
    "intent_event": {
        "created": _l("Created"),
        "edited": _l("Text edited"),
        "details": _l("Details changed"),
        "opened": _l("Opened for signing"),
        "closed": _l("Closed"),
        "moved": _l("Moved to a new specification version"),
        "signed": _l("Signed"),
        "confirmed": _l("Signature confirmed for a new version"),
        "withdrawn": _l("Signature withdrawn"),
    },
    "role": {
        "coordinator": _l("Coordinator"),
        "member": _l("Member"),
        "observer": _l("Observer"),
    },
}


def choices(group: str, blank=None) -> list[SelectChoice]:
    """Form choices for a group of codes, optionally after a blank "Choose…" option."""
    options = [SelectChoice("", blank)] if blank else []
    return options + [SelectChoice(code, label) for code, label in LABELS[group].items()]


def pairs(items) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in items]
