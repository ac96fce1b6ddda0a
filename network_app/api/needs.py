"""Planned needs over the API, and their open data (OCDS). The YAML after '---' in each docstring
becomes its OpenAPI operation."""
from flask import Response, jsonify, request, stream_with_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import cpv
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput
from ..extensions import db
from ..links import external_url
from ..needs import engagement, opendata, services
from ..needs.models import Need
from . import bp, serializers
from .auth import api_user, token_optional, token_required

OCDS_PER_PAGE = 100
OCDS_MAX_PER_PAGE = 1000

# Why a filter value was refused (NeedFilters names the fields it could not read).
FILTER_PROBLEMS = {
    "cpv": _l("Unknown CPV code or prefix, such as 45000000 or 4521."),
    "county": _l("Unknown county code; use the two digits, such as 01 or 14."),
    "status": _l("Use one or more of planned, market_dialogue, announced, awarded, cancelled (comma-separated)."),
    "procedure": _l("Unknown procedure."),
    "value_min": _l("Enter an amount in whole kronor, for example 2500000."),
    "value_max": _l("Enter an amount in whole kronor, for example 2500000."),
    "notice_from": _l("Enter a date as YYYY-MM-DD, for example 2027-03-01."),
    "notice_to": _l("Enter a date as YYYY-MM-DD, for example 2027-03-01."),
    "buyer": _l("Enter an organisation id (a whole number)."),
}


class AlreadyRegistered(AppError):
    status, code = 409, "already_registered"
    message = _l("Your organisation has already registered interest in this need. Change the registration "
                 "with PUT on the same address, or withdraw it with DELETE.")


# --- serialisers ----------------------------------------------------------------------------------------

def _buyer(need: Need) -> dict:
    org = need.organisation
    return {"name": need.buyer_name,
            "organisation": {"id": org.id, "name": org.name, "orgnr": org.orgnr},
            "network": {"slug": need.network.slug, "name": need.network.name} if need.network_id else None}


def need_summary(need: Need) -> dict:
    """What the list shows of a need."""
    return {"id": need.id, "title": need.title, "status": need.status,
            "status_label": str(services.status_label(need.status)), "procedure": need.procedure,
            "buyer": _buyer(need), "cpv": [{"code": c, "label": cpv.label(c, "sv")} for c in need.cpv],
            "counties": need.county_codes, "value_min": need.value_min, "value_max": need.value_max,
            "planned_notice_date": need.planned_notice_date.isoformat(),
            "planned_contract_start": need.planned_contract_start.isoformat(),
            "reserved_for_non_profits": need.reserved_for_non_profits, "critical_supply": need.critical_supply,
            "published_at": need.published_at.isoformat() if need.published_at else None,
            "updated_at": need.updated_at.isoformat(),
            "url": external_url("needs.show", need_id=need.id),
            "api_url": external_url("api.need_detail", need_id=need.id)}


def need_full(need: Need) -> dict:
    body = need_summary(need)
    spec = f"{need.spec.network.slug}/{need.spec.slug}/v{need.spec_version}" if need.spec_id and need.spec else None
    body.update(description=need.description, municipalities=need.municipality_codes, quantity=need.quantity,
                preparedness_note=need.preparedness_note, spec=spec,
                contact={"name": need.contact_name, "email": need.contact_email, "phone": need.contact_phone},
                notice_reference=need.notice_reference or None, notice_url=need.notice_url or None,
                status_reason=need.status_reason or None,
                ocid=opendata.ocid(need) if need.is_published else None,
                interest_count=services.interest_count(need))
    return body


def interest_json(interest) -> dict:
    return {"id": interest.id, "need": interest.need_id,
            "organisation": serializers.organisation(interest.organisation),
            "contact_name": interest.contact_name, "contact_email": interest.contact_email,
            "contact_phone": interest.contact_phone, "message": interest.message,
            "consortium": interest.consortium, "subcontractor": interest.subcontractor,
            "active": interest.is_active, "created_at": interest.created_at.isoformat(),
            "updated_at": interest.updated_at.isoformat()}


# --- reading JSON bodies -----------------------------------------------------------------------------------

def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput({}, message=_l("Send a JSON object with Content-Type: application/json."))
    return body


def _read(body: dict, errors: dict, name: str, kind: str, default=None):
    """body[name] when it has the kind (str, bool, strings, amount); else a field error and the default."""
    value = body.get(name, default)
    if value is None:
        return default
    ok = {"str": isinstance(value, str), "bool": isinstance(value, bool),
          "strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
          "amount": isinstance(value, (int, str)) and not isinstance(value, bool)}[kind]
    if not ok:
        errors[name] = {"str": _l("Must be a string."), "bool": _l("Must be true or false."),
                        "strings": _l("Must be a list of strings."),
                        "amount": _l("Must be a whole number of kronor.")}[kind]
        return default
    return value


def _values(body: dict, errors: dict) -> tuple:
    """(value_min, value_max) from value_min/value_max or estimated_value (a number, or {min, max})."""
    low = _read(body, errors, "value_min", "amount")
    high = _read(body, errors, "value_max", "amount")
    estimated = body.get("estimated_value")
    if estimated is not None:
        if low is not None or high is not None:
            errors["estimated_value"] = _l("Give estimated_value or value_min/value_max, not both.")
        elif isinstance(estimated, dict) and set(estimated) <= {"min", "max"}:
            low = _read(estimated, errors, "min", "amount")
            high = _read(estimated, errors, "max", "amount")
            for part in ("min", "max"):
                if part in errors:
                    errors["estimated_value"] = errors.pop(part)
        elif isinstance(estimated, float) and estimated.is_integer():
            low = int(estimated)
        elif isinstance(estimated, int) and not isinstance(estimated, bool):
            low = estimated
        else:
            errors["estimated_value"] = _l("Give a whole number of kronor, or an object with min and max.")
    return low, high


def _need_draft(body: dict) -> tuple[services.NeedDraft, str, bool]:
    errors: dict = {}
    strings = {name: _read(body, errors, name, "str", "") for name in (
        "title", "description", "quantity", "procedure", "planned_notice_date", "planned_contract_start",
        "preparedness_note", "spec", "contact_name", "contact_email", "contact_phone", "network")}
    lists = {name: _read(body, errors, name, "strings", []) for name in ("cpv", "counties", "municipalities")}
    flags = {name: _read(body, errors, name, "bool", False) for name in ("reserved_for_non_profits",
                                                                         "critical_supply")}
    publish = _read(body, errors, "publish", "bool", True)
    low, high = _values(body, errors)
    if errors:
        raise InvalidInput(errors)
    network = strings.pop("network")
    draft = services.NeedDraft(**strings, **lists, **flags, value_min=low, value_max=high)
    return draft, network.strip(), publish


def _filters(args) -> services.NeedFilters:
    filters = services.NeedFilters.from_args(args)
    if filters.problems:
        raise InvalidInput({name: FILTER_PROBLEMS.get(name, _l("This value cannot be read."))
                            for name in filters.problems})
    return filters


# --- routes -----------------------------------------------------------------------------------------------

FILTER_PARAMETERS = """
        - {name: cpv, in: query, schema: {type: string, example: '45000000'}, description: 'a CPV code or prefix; 45000000 covers every 45xxxxxx code'}
        - {name: county, in: query, schema: {type: string, example: '01'}, description: county code}
        - {name: status, in: query, schema: {type: string, example: 'planned,market_dialogue'}, description: 'comma-separated: planned, market_dialogue, announced, awarded, cancelled'}
        - {name: procedure, in: query, schema: {type: string, enum: [direct_award, below_threshold, open, restricted, negotiated, innovation_partnership, framework_call_off, iop]}}
        - {name: value_min, in: query, schema: {type: integer}, description: 'SEK; needs whose value range reaches it'}
        - {name: value_max, in: query, schema: {type: integer}, description: SEK}
        - {name: notice_from, in: query, schema: {type: string, format: date}}
        - {name: notice_to, in: query, schema: {type: string, format: date}}
        - {name: reserved, in: query, schema: {type: boolean}, description: reserved for non-profits only}
        - {name: critical, in: query, schema: {type: boolean}, description: critical for security of supply only}
        - {name: buyer, in: query, schema: {type: integer}, description: organisation id}
        - {name: network, in: query, schema: {type: string}, description: network slug}
"""


def _with_filters(view):
    view.__doc__ = view.__doc__.replace("        - FILTERS\n", FILTER_PARAMETERS.lstrip("\n"))
    return view


@bp.route("/needs", methods=["GET"])
@token_optional
@_with_filters
def need_list():
    """Published planned needs.
    ---
    get:
      summary: Published planned needs, filtered like the public list (unreadable filter values are 422)
      tags: [needs]
      parameters:
        - {name: q, in: query, schema: {type: string}, description: 'words (Swedish word forms) in title, description, buyer, CPV labels and counties'}
        - FILTERS
        - {name: sort, in: query, schema: {type: string, enum: [notice, newest, value, title], default: notice}}
        - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
      responses:
        200:
          description: 'A page of needs, the total, and links to the next and previous pages'
          content:
            application/json:
              schema:
                type: object
                properties:
                  needs: {type: array, items: {$ref: '#/components/schemas/NeedSummary'}}
                  total: {type: integer}
                  page: {type: integer}
                  per_page: {type: integer}
                  links: {type: object, properties: {next: {type: string, format: uri}, prev: {type: string, format: uri}}}
        401: {$ref: '#/components/responses/Unauthorized'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    filters = _filters(request.args)
    found = services.find_needs(filters)
    links = {}
    if filters.page < found.pages:
        links["next"] = external_url("api.need_list", **filters.args(page=filters.page + 1))
    if filters.page > 1:
        links["prev"] = external_url("api.need_list", **filters.args(page=min(filters.page, found.pages + 1) - 1))
    body = {"needs": [need_summary(n) for n in found.needs], "total": found.total, "page": filters.page,
            "per_page": filters.per_page, "links": links}
    if found.notice:
        body["notice"] = str(found.notice)
    return jsonify(body)


@bp.route("/needs", methods=["POST"])
@token_required
def need_create():
    """Publish a planned need.
    ---
    post:
      summary: Create a planned need for your organisation (or a network), published unless publish is false
      tags: [needs]
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [title, cpv, counties, procedure, planned_notice_date, planned_contract_start]
              properties:
                title: {type: string, maxLength: 200}
                description: {type: string}
                cpv: {type: array, items: {type: string, example: 45331000-6}}
                counties: {type: array, items: {type: string, example: '01'}}
                municipalities: {type: array, items: {type: string, example: '0180'}}
                procedure: {type: string, enum: [direct_award, below_threshold, open, restricted, negotiated, innovation_partnership, framework_call_off, iop]}
                planned_notice_date: {type: string, format: date}
                planned_contract_start: {type: string, format: date}
                network: {type: string, description: 'slug of a network to publish for (your organisation must be a member)'}
                estimated_value:
                  description: 'SEK without VAT: a number, or {min, max}; or use value_min/value_max'
                  oneOf:
                    - {type: integer}
                    - {type: object, properties: {min: {type: integer}, max: {type: integer}}}
                value_min: {type: integer}
                value_max: {type: integer}
                quantity: {type: string}
                reserved_for_non_profits: {type: boolean}
                critical_supply: {type: boolean}
                preparedness_note: {type: string}
                spec: {type: string, description: 'an adopted specification version, network/slug/vN'}
                contact_name: {type: string}
                contact_email: {type: string}
                contact_phone: {type: string}
                publish: {type: boolean, default: true}
      responses:
        201:
          description: Created; Location is its API address
          content: {application/json: {schema: {$ref: '#/components/schemas/Need'}}}
        401: {$ref: '#/components/responses/Unauthorized'}
        403: {$ref: '#/components/responses/Forbidden'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    draft, network, publish = _need_draft(_json_body())
    need = services.create_need(draft, actor=api_user(), network=network, publish=publish)
    response = jsonify(need_full(need))
    response.status_code = 201
    response.headers["Location"] = external_url("api.need_detail", need_id=need.id)
    return response


@bp.route("/needs/<int:need_id>", methods=["GET"])
@token_optional
def need_detail(need_id):
    """One planned need.
    ---
    get:
      summary: A published need (drafts only for their publishers), with the number of registered suppliers
      tags: [needs]
      parameters:
        - {name: need_id, in: path, required: true, schema: {type: integer}}
      responses:
        200: {description: The need, content: {application/json: {schema: {$ref: '#/components/schemas/Need'}}}}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    return jsonify(need_full(services.get_need_or_404(need_id, viewer=api_user())))


def _interest_draft(body: dict) -> engagement.InterestDraft:
    errors: dict = {}
    strings = {name: _read(body, errors, name, "str", "") for name in ("contact_name", "contact_email",
                                                                       "contact_phone", "message")}
    flags = {name: _read(body, errors, name, "bool", False) for name in ("consortium", "subcontractor")}
    if errors:
        raise InvalidInput(errors)
    if not strings["contact_email"].strip():
        strings["contact_email"] = api_user().email
    return engagement.InterestDraft(**strings, **flags)


INTEREST_BODY = """
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [contact_name]
              properties:
                contact_name: {type: string}
                contact_email: {type: string, description: "defaults to the token user's e-mail"}
                contact_phone: {type: string}
                message: {type: string, maxLength: 4000}
                consortium: {type: boolean, description: may tender in a consortium}
                subcontractor: {type: boolean, description: may take part as a subcontractor}
"""


def _with_interest_body(view):
    view.__doc__ = view.__doc__.replace("      BODY\n", INTEREST_BODY.lstrip("\n"))
    return view


@bp.route("/needs/<int:need_id>/interest", methods=["POST"])
@token_required
@_with_interest_body
def interest_register(need_id):
    """Register interest.
    ---
    post:
      summary: "Register your organisation's interest in an open need (suppliers); 409 if already registered"
      tags: [needs]
      security: [{bearerAuth: []}]
      parameters:
        - {name: need_id, in: path, required: true, schema: {type: integer}}
      BODY
      responses:
        201: {description: Registered, content: {application/json: {schema: {$ref: '#/components/schemas/Interest'}}}}
        401: {$ref: '#/components/responses/Unauthorized'}
        403: {$ref: '#/components/responses/Forbidden'}
        404: {$ref: '#/components/responses/NotFound'}
        409: {$ref: '#/components/responses/Conflict'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    user = api_user()
    need = services.get_need_or_404(need_id, viewer=user)
    body = _json_body()
    existing = engagement.interest_of(need, user.approved_organisation)
    if existing is not None and existing.is_active:
        raise AlreadyRegistered()
    interest, _created = engagement.register_interest(need, _interest_draft(body), actor=user)
    return jsonify(interest_json(interest)), 201


@bp.route("/needs/<int:need_id>/interest", methods=["PUT"])
@token_required
@_with_interest_body
def interest_change(need_id):
    """Change a registration of interest.
    ---
    put:
      summary: "Change your organisation's registration (or register, if there is none)"
      tags: [needs]
      security: [{bearerAuth: []}]
      parameters:
        - {name: need_id, in: path, required: true, schema: {type: integer}}
      BODY
      responses:
        200: {description: Changed, content: {application/json: {schema: {$ref: '#/components/schemas/Interest'}}}}
        201: {description: Registered, content: {application/json: {schema: {$ref: '#/components/schemas/Interest'}}}}
        401: {$ref: '#/components/responses/Unauthorized'}
        403: {$ref: '#/components/responses/Forbidden'}
        404: {$ref: '#/components/responses/NotFound'}
        409: {$ref: '#/components/responses/Conflict'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    user = api_user()
    need = services.get_need_or_404(need_id, viewer=user)
    interest, created = engagement.register_interest(need, _interest_draft(_json_body()), actor=user)
    return jsonify(interest_json(interest)), 201 if created else 200


@bp.route("/needs/<int:need_id>/interest", methods=["DELETE"])
@token_required
def interest_withdraw(need_id):
    """Withdraw a registration of interest.
    ---
    delete:
      summary: "Withdraw your organisation's registration of interest"
      tags: [needs]
      security: [{bearerAuth: []}]
      parameters:
        - {name: need_id, in: path, required: true, schema: {type: integer}}
      responses:
        204: {description: Withdrawn}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    user = api_user()
    need = services.get_need_or_404(need_id, viewer=user)
    engagement.withdraw_interest(need, actor=user)
    return "", 204


@bp.route("/ocds/releases.json")
@token_optional
@_with_filters
def ocds_releases():
    """Planned needs as OCDS.
    ---
    get:
      summary: 'An OCDS 1.1 release package of the published planned needs (planning releases), by id; per_page=all streams every one'
      tags: [open data]
      parameters:
        - FILTERS
        - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
        - {name: per_page, in: query, schema: {oneOf: [{type: integer, minimum: 1, maximum: 1000}, {type: string, enum: [all]}], default: 100}}
      responses:
        200:
          description: 'A release package (https://standard.open-contracting.org/1.1/en/schema/release_package/) with links.next and links.prev between pages'
          content: {application/json: {schema: {type: object}}}
        401: {$ref: '#/components/responses/Unauthorized'}
        422: {$ref: '#/components/responses/Invalid'}
    """
    args = request.args
    errors = {}
    if args.get("q"):
        errors["q"] = _l("Words cannot be searched here; use /api/v1/needs?q= and the other filters.")
    raw_per_page = (args.get("per_page") or "").strip()
    everything = raw_per_page == "all"
    per_page, page = OCDS_PER_PAGE, 1
    if raw_per_page and not everything:
        if raw_per_page.isdigit() and 0 < int(raw_per_page) <= OCDS_MAX_PER_PAGE:
            per_page = int(raw_per_page)
        else:
            errors["per_page"] = _l("Use a number from 1 to 1000, or all.")
    raw_page = (args.get("page") or "").strip()
    if raw_page:
        if raw_page.isdigit() and 0 < int(raw_page) <= 1_000_000:
            page = int(raw_page)
        else:
            errors["page"] = _l("Use a page number from 1.")
    if errors:
        raise InvalidInput(errors)
    filters = _filters(_without(args, ("page", "per_page", "sort", "q")))
    query = services.filtered(filters)
    extra = filters.args(sort=None, page=None, per_page=None)
    links = None
    if everything:
        uri = external_url("api.ocds_releases", per_page="all", **extra)
    else:
        ids = list(db.session.scalars(services.filtered(filters, columns=(Need.id,)).order_by(Need.id)
                                      .limit(per_page + 1).offset((page - 1) * per_page)))
        links = {}
        if len(ids) > per_page:
            links["next"] = external_url("api.ocds_releases", page=page + 1, per_page=per_page, **extra)
        if page > 1:
            links["prev"] = external_url("api.ocds_releases", page=page - 1, per_page=per_page, **extra)
        query = select(Need).where(Need.id.in_(ids[:per_page]))
        uri = external_url("api.ocds_releases", page=page, per_page=per_page, **extra)
    chunks = opendata.release_package_chunks(query, uri=uri, links=links, published_date=utcnow())
    return Response(stream_with_context(chunks), mimetype="application/json")


def _without(args, names):
    """The query arguments without `names` (a MultiDict copy)."""
    copy = args.copy()
    for name in names:
        copy.poplist(name)
    return copy
