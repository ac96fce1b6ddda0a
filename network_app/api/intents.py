"""Letter of intent endpoints: the aggregated demand (public for opened letters) and signing."""
from datetime import date
from decimal import Decimal

from flask import jsonify, url_for

from ..errors import InvalidInput
from ..intents import services as intents
from ..intents import signing
from ..networks import services as networks
from . import bp
from .auth import api_user, token_optional, token_required
from .specs import _json_body, _string, _strings


def _number(value: Decimal | int | None):
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _summary(intent) -> dict:
    return {"id": intent.id, "slug": intent.slug, "title": intent.title, "network": intent.network.slug,
            "status": intent.status, "binding": intent.is_binding,
            "spec": {"slug": intent.spec.slug, "title": intent.spec.title},
            "spec_version": intent.version_label,
            "opens_on": intent.opens_on.isoformat() if intent.opens_on else None,
            "closes_on": intent.closes_on.isoformat() if intent.closes_on else None,
            "organisations": len(intent.active_signatures),
            "url": url_for("intents.show", network=intent.network.slug, slug=intent.slug, _external=True)}


def _signature(s) -> dict:
    return {"organisation": s.organisation.name if s.shows_name else None,
            "organisation_kind": s.organisation.kind, "spec_version": s.version_label, "spec_tag": s.spec_tag,
            "spec_revision": s.spec_revision, "intent_revision": s.intent_revision,
            "signed_at": s.signed_at.isoformat(), "quantity": _number(s.quantity), "unit": s.quantity_unit,
            "value": s.value_sek,
            "window": {"from": s.window_start.strftime("%Y-%m"), "to": s.window_end.strftime("%Y-%m")}
            if s.window_start else None,
            "counties": s.county_codes}


@bp.route("/networks/<network>/intents", methods=["GET"])
@token_optional
def intent_list(network):
    """Letters of intent of a network.
    ---
    get:
      summary: List the network's letters of intent (drafts only for its members)
      tags: [intents]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: The letters
          content: {application/json: {schema: {type: object, properties: {intents: {type: array, items: {type: object}}}}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    found = networks.get_network_or_404(network)
    return jsonify(intents=[_summary(i) for i in intents.list_intents(found, viewer=api_user())])


@bp.route("/intents/<int:intent_id>", methods=["GET"])
@token_optional
def intent_detail(intent_id):
    """A letter of intent and what is at stake.
    ---
    get:
      summary: The letter with its aggregated demand and active signatures (no login for an opened letter)
      tags: [intents]
      parameters:
        - {name: intent_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: The letter and the aggregate of its active signatures
          content: {application/json: {schema: {$ref: '#/components/schemas/Intent'}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    intent = intents.get_intent_by_id_or_404(intent_id, viewer=api_user())
    aggregate = signing.aggregate(intent)
    body = _summary(intent)
    body.update(intent_revision=intent.head_revision, spec_revision=intents.current_version(intent).commit_id,
                organisations=aggregate.organisations,
                quantities=[{"unit": unit, "total": _number(total)} for unit, total in aggregate.quantities],
                total_value=aggregate.total_value, anonymous=aggregate.anonymous,
                counties=[{"code": code, "name": name} for code, name in aggregate.counties],
                versions_signed={f"v{n}": count for n, count in aggregate.by_version.items()},
                signatures=[_signature(s) for s in aggregate.signatures])
    return jsonify(body)


def _month(body: dict, name: str) -> date | None:
    value = _string(body, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value if len(value) > 7 else value + "-01").replace(day=1)
    except ValueError:
        raise InvalidInput({name: f"'{name}' must be a month, YYYY-MM."}) from None


@bp.route("/intents/<int:intent_id>/signatures", methods=["POST"])
@token_required
def intent_sign(intent_id):
    """Sign a letter of intent for the token user's organisation.
    ---
    post:
      summary: Sign for your organisation; the signature is bound to the letter's and the specification's commits
      tags: [intents]
      security: [{bearerAuth: []}]
      parameters:
        - {name: intent_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [signer_name, signer_title]
              properties:
                signer_name: {type: string}
                signer_title: {type: string}
                quantity: {type: string, example: '12,5'}
                quantity_unit: {type: string}
                value: {type: integer, description: estimated value in SEK}
                window_start: {type: string, example: 2027-03}
                window_end: {type: string, example: 2027-09}
                counties: {type: array, items: {type: string, example: '01'}}
                sites: {type: string}
                comment: {type: string}
                named: {type: boolean, description: companies may choose not to be named publicly}
      responses:
        201:
          description: Signed
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer}
                  intent_revision: {type: string}
                  spec_revision: {type: string}
                  spec_version: {type: string}
                  spec_tag: {type: string}
                  signed_at: {type: string, format: date-time}
        401: {$ref: '#/components/responses/Unauthorized'}
        403: {description: No signing right, or not a member organisation, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        404: {$ref: '#/components/responses/NotFound'}
        409: {description: 'Already signed; error.signed_at is the date of the first signature', content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        422: {description: Invalid input, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
    """
    intent = intents.get_intent_by_id_or_404(intent_id, viewer=api_user())
    body = _json_body()
    quantity, value = body.get("quantity"), body.get("value")
    if quantity is not None and (not isinstance(quantity, (str, int, float)) or isinstance(quantity, bool)):
        raise InvalidInput({"quantity": "'quantity' must be a number or a string."})
    if value is not None and (not isinstance(value, (str, int)) or isinstance(value, bool)):
        raise InvalidInput({"value": "'value' must be a whole number of kronor."})
    named = body.get("named", True)
    if not isinstance(named, bool):
        raise InvalidInput({"named": "'named' must be true or false."})
    draft = signing.SignatureDraft(
        signer_name=_string(body, "signer_name", required=True), signer_title=_string(body, "signer_title"),
        quantity="" if quantity is None else str(quantity), quantity_unit=_string(body, "quantity_unit"),
        value="" if value is None else str(value), window_start=_month(body, "window_start"),
        window_end=_month(body, "window_end"), counties=_strings(body, "counties"), sites=_string(body, "sites"),
        comment=_string(body, "comment"), is_named=named)
    signature = signing.sign_intent(intent, draft, actor=api_user())
    return jsonify(id=signature.id, intent_revision=signature.intent_revision,
                   intent_revision_number=signature.intent_revision_number, spec_revision=signature.spec_revision,
                   spec_version=signature.version_label, spec_tag=signature.spec_tag,
                   signed_at=signature.signed_at.isoformat()), 201
