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
                         ("Membership", MEMBERSHIP), ("User", USER), ("Signature", SIGNATURE),
                         ("Intent", INTENT)):
        spec.components.schema(name, schema)
    spec.components.response("Unauthorized", _error_response("Missing, unknown or revoked token"))
    spec.components.response("NotFound", _error_response("No such resource, or not visible to you"))
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            spec.path(view=current_app.view_functions[rule.endpoint], app=current_app)
    return spec.to_dict()
