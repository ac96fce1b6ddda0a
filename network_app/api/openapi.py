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
                         ("Membership", MEMBERSHIP), ("User", USER)):
        spec.components.schema(name, schema)
    spec.components.response("Unauthorized", _error_response("Missing, unknown or revoked token"))
    spec.components.response("NotFound", _error_response("No such resource, or not visible to you"))
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            spec.path(view=current_app.view_functions[rule.endpoint], app=current_app)
    return spec.to_dict()
