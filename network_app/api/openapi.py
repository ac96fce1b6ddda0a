"""Builds the OpenAPI 3 document from the API blueprint's routes (apispec + its Flask plugin)."""
from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}

ORGANISATION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"},
    "orgnr": {"type": "string", "example": "556036-0793"},
    "kind": {"type": "string", "enum": ["municipality", "region", "state_agency", "housing_company",
                                        "purchasing_centre", "company", "non_profit"]},
    "size_class": {"type": "string", "nullable": True, "enum": ["micro", "small", "medium", "large", None]},
    "counties": {"type": "array", "items": {"type": "string", "example": "01"}}}}

NETWORK = {"type": "object", "properties": {
    "slug": {"type": "string"}, "name": {"type": "string"},
    "kind": {"type": "string", "enum": ["buyer_network", "purchasing_centre"]},
    "description": {"type": "string"}, "member_count": {"type": "integer"},
    "url": {"type": "string", "format": "uri"}, "created_at": {"type": "string", "format": "date-time"}}}

MEMBERSHIP = {"type": "object", "properties": {
    "organisation": {"$ref": "#/components/schemas/Organisation"},
    "role": {"type": "string", "enum": ["coordinator", "member", "observer"]},
    "since": {"type": "string", "format": "date-time"}}}

USER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
    "organisation": {"allOf": [{"$ref": "#/components/schemas/Organisation"}], "nullable": True},
    "organisation_approved": {"type": "boolean"}, "is_org_admin": {"type": "boolean"},
    "is_portal_admin": {"type": "boolean"},
    "networks": {"type": "array", "items": {"type": "object", "properties": {
        "slug": {"type": "string"}, "role": {"type": "string"}}}},
    "permissions": {"type": "object", "additionalProperties": {"type": "boolean"}}}}

NEED_SUMMARY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"},
    "status": {"type": "string", "enum": ["draft", "planned", "market_dialogue", "announced", "awarded", "cancelled"]},
    "status_label": {"type": "string"},
    "procedure": {"type": "string", "enum": ["direct_award", "below_threshold", "open", "restricted", "negotiated",
                                             "innovation_partnership", "framework_call_off", "iop"]},
    "buyer": {"type": "object", "properties": {
        "name": {"type": "string"},
        "organisation": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                          "orgnr": {"type": "string"}}},
        "network": {"type": "object", "nullable": True, "properties": {"slug": {"type": "string"},
                                                                       "name": {"type": "string"}}}}},
    "cpv": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string", "example": "45331000-6"}, "label": {"type": "string"}}}},
    "counties": {"type": "array", "items": {"type": "string", "example": "01"}},
    "value_min": {"type": "integer", "nullable": True, "description": "SEK without VAT"},
    "value_max": {"type": "integer", "nullable": True},
    "planned_notice_date": {"type": "string", "format": "date"},
    "planned_contract_start": {"type": "string", "format": "date"},
    "reserved_for_non_profits": {"type": "boolean"}, "critical_supply": {"type": "boolean"},
    "published_at": {"type": "string", "format": "date-time", "nullable": True},
    "updated_at": {"type": "string", "format": "date-time"},
    "url": {"type": "string", "format": "uri"}, "api_url": {"type": "string", "format": "uri"}}}

NEED = {"allOf": [{"$ref": "#/components/schemas/NeedSummary"}, {"type": "object", "properties": {
    "description": {"type": "string"}, "municipalities": {"type": "array", "items": {"type": "string"}},
    "quantity": {"type": "string"}, "preparedness_note": {"type": "string"},
    "spec": {"type": "string", "nullable": True, "example": "bebo/heat-pumps/v1"},
    "contact": {"type": "object", "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                                                 "phone": {"type": "string"}}},
    "notice_reference": {"type": "string", "nullable": True}, "notice_url": {"type": "string", "nullable": True},
    "status_reason": {"type": "string", "nullable": True},
    "ocid": {"type": "string", "nullable": True, "description": "the OCDS ocid of its releases"},
    "interest_count": {"type": "integer", "description": "active registrations of interest"}}}]}

INTEREST = {"type": "object", "properties": {
    "id": {"type": "integer"}, "need": {"type": "integer"},
    "organisation": {"$ref": "#/components/schemas/Organisation"},
    "contact_name": {"type": "string"}, "contact_email": {"type": "string"}, "contact_phone": {"type": "string"},
    "message": {"type": "string"}, "consortium": {"type": "boolean"}, "subcontractor": {"type": "boolean"},
    "active": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"}}}

INVALID = {"allOf": [{"$ref": "#/components/schemas/Error"}, {"type": "object", "properties": {"error": {
    "type": "object", "properties": {"fields": {"type": "object", "additionalProperties": {"type": "string"},
                                                "description": "field name -> what is wrong"}}}}}]}
SIGNATURE = {"type": "object", "properties": {
    "organisation": {"type": "string", "nullable": True, "description": "null: a company that chose not to be named"},
    "organisation_kind": {"type": "string"}, "spec_version": {"type": "string", "example": "v1"},
    "spec_tag": {"type": "string", "example": "specs/varmepumpar-flerbostadshus/v1"},
    "spec_revision": {"type": "string"}, "intent_revision": {"type": "string"},
    "signed_at": {"type": "string", "format": "date-time"}, "quantity": {"type": "number", "nullable": True},
    "unit": {"type": "string"}, "value": {"type": "integer", "nullable": True},
    "window": {"type": "object", "nullable": True, "properties": {
        "from": {"type": "string", "example": "2027-03"}, "to": {"type": "string", "example": "2027-09"}}},
    "counties": {"type": "array", "items": {"type": "string"}}}}

INTENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "slug": {"type": "string"}, "title": {"type": "string"},
    "network": {"type": "string"}, "status": {"type": "string", "enum": ["draft", "open", "closed"]},
    "binding": {"type": "boolean", "description": "true: a binding commitment; false: a declaration of intent"},
    "spec": {"type": "object", "properties": {"slug": {"type": "string"}, "title": {"type": "string"}}},
    "spec_version": {"type": "string", "example": "v1"}, "spec_revision": {"type": "string"},
    "intent_revision": {"type": "string"}, "opens_on": {"type": "string", "format": "date", "nullable": True},
    "closes_on": {"type": "string", "format": "date", "nullable": True},
    "organisations": {"type": "integer", "description": "organisations with an active signature"},
    "quantities": {"type": "array", "items": {"type": "object", "properties": {
        "unit": {"type": "string"}, "total": {"type": "number"}}}},
    "total_value": {"type": "integer", "description": "SEK, excluding VAT"},
    "anonymous": {"type": "integer"},
    "counties": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}}}},
    "versions_signed": {"type": "object", "additionalProperties": {"type": "integer"}},
    "signatures": {"type": "array", "items": {"$ref": "#/components/schemas/Signature"}},
    "url": {"type": "string", "format": "uri"}}}


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def build_spec() -> dict:
    spec = APISpec(title="network_app API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[FlaskPlugin()],
                   info={"description": "Buyer networks, purchasing centres and their work. "
                                        "Send `Authorization: Bearer <token>`; create a token on your "
                                        "profile page or with `flask create-token`."})
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for name, schema in (("Error", ERROR), ("Organisation", ORGANISATION), ("Network", NETWORK),
                         ("Membership", MEMBERSHIP), ("User", USER), ("NeedSummary", NEED_SUMMARY),
                         ("Need", NEED), ("Interest", INTEREST), ("InvalidInput", INVALID), ("Signature", SIGNATURE),
                         ("Intent", INTENT)):
        spec.components.schema(name, schema)
    spec.components.response("Unauthorized", _error_response("Missing, unknown or revoked token"))
    spec.components.response("NotFound", _error_response("No such resource, or not visible to you"))
    spec.components.response("Forbidden", _error_response("You may not do that"))
    spec.components.response("Conflict", _error_response("The resource's state does not allow it"))
    spec.components.response("Invalid", {"description": "Invalid input; error.fields names each field",
                                          "content": {"application/json": {
                                              "schema": {"$ref": "#/components/schemas/InvalidInput"}}}})
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            spec.path(view=current_app.view_functions[rule.endpoint], app=current_app)
    return spec.to_dict()
