"""Specification endpoints. The YAML after '---' in each docstring becomes its OpenAPI operation."""
from flask import jsonify, request

from ..errors import InvalidInput
from ..networks import services as networks
from .. import cpv
from ..specs import services as specs
from . import bp
from .auth import api_user, token_optional, token_required


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput({}, message="Send a JSON object with Content-Type: application/json.")
    return body


def _string(body: dict, name: str, *, required: bool = False) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value):
        raise InvalidInput({name: f"'{name}' must be a non-empty string." if required
                            else f"'{name}' must be a string."})
    return value


def _strings(body: dict, name: str) -> list[str]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput({name: f"'{name}' must be a list of strings."})
    return value


def _summary(spec, viewer) -> dict:
    """What a list shows. Outside the network, the latest revision is the published one."""
    upto = specs.visible_upto(spec, viewer)
    latest = spec.head_revision if upto is None else spec.public_revision
    latest_version = spec.latest_version
    return {"slug": spec.slug, "title": spec.title, "status": spec.status, "summary": spec.summary,
            "category": spec.category, "tags": [t.tag for t in spec.tags],
            "cpv": [c.code for c in spec.cpv_codes], "revision": latest,
            "number": spec.revision_count if upto is None else upto,
            "version": latest_version.label if latest_version else None,
            "consultation_closes": spec.consultation_closes.isoformat() if spec.consultation_closes else None,
            "updated_at": spec.updated_at.isoformat()}


def _version(version) -> dict:
    return {"version": version.label, "revision": version.commit_id, "number": version.revision_number,
            "decided_on": version.decided_on.isoformat(), "decided_by": version.decided_by_name,
            "organisation": version.organisation_name, "note": version.note}


@bp.route("/networks/<network>/specs", methods=["GET"])
@token_optional
def spec_list(network):
    """Specifications of a network that the caller may see.
    ---
    get:
      summary: List the network's specifications (drafts only for its members)
      tags: [specs]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
      responses:
        200: {description: The specifications, content: {application/json: {schema: {type: object}}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    found = networks.get_network_or_404(network)
    return jsonify(specs=[_summary(s, api_user()) for s in specs.list_specs(found, viewer=api_user())])


@bp.route("/networks/<network>/specs", methods=["POST"])
@token_required
def spec_create(network):
    """Create a specification.
    ---
    post:
      summary: Create a draft specification; its text becomes revision r1
      tags: [specs]
      security: [{bearerAuth: []}]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [title, text]
              properties:
                title: {type: string}
                text: {type: string, description: Markdown}
                message: {type: string}
                summary: {type: string}
                cpv: {type: array, items: {type: string, example: 45331000-6}}
                category: {type: string}
                tags: {type: array, items: {type: string}}
      responses:
        201: {description: Created, content: {application/json: {schema: {type: object}}}}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
        422: {description: Invalid input, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
    """
    found = networks.get_network_or_404(network)
    body = _json_body()
    draft = specs.SpecDraft(title=_string(body, "title", required=True), text=_string(body, "text"),
                            message=_string(body, "message"), summary=_string(body, "summary"),
                            cpv=_strings(body, "cpv"), category=_string(body, "category"),
                            tags=_strings(body, "tags"))
    spec = specs.create_spec(found, draft, actor=api_user())
    return jsonify(_summary(spec, api_user())), 201


@bp.route("/networks/<network>/specs/<slug>", methods=["GET"])
@token_optional
def spec_detail(network, slug):
    """A specification at a revision.
    ---
    get:
      summary: Text and rendered HTML of a specification, latest or at `revision`
      tags: [specs]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
        - {name: slug, in: path, required: true, schema: {type: string}}
        - {name: revision, in: query, schema: {type: string}, description: 'commit id, rN or vN'}
      responses:
        200: {description: The specification, content: {application/json: {schema: {type: object}}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    spec = specs.get_spec_or_404(network, slug, viewer=api_user())
    revision, text = specs.read_spec(spec, request.args.get("revision") or None,
                                     upto=specs.visible_upto(spec, api_user()))
    body = _summary(spec, api_user())
    version = specs.version_of(spec, revision.commit_id)
    body.update(revision=revision.commit_id, number=revision.number, author_name=revision.author_name,
                authored_at=revision.authored_at.isoformat(), message=revision.message,
                version=version.label if version else None, text=text,
                html=str(specs.rendered_of(spec, revision).html))
    return jsonify(body)


@bp.route("/networks/<network>/specs/<slug>", methods=["PUT"])
@token_required
def spec_save(network, slug):
    """Save an edit.
    ---
    put:
      summary: Save a new text; merged with changes saved since base_revision, or 409 on overlap
      tags: [specs]
      security: [{bearerAuth: []}]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
        - {name: slug, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [text, base_revision]
              properties:
                text: {type: string}
                base_revision: {type: string, description: the commit id the edit started from}
                message: {type: string}
      responses:
        200:
          description: Saved (merged tells whether it was merged with others' changes)
          content:
            application/json:
              schema:
                type: object
                properties:
                  revision: {type: string}
                  merged: {type: boolean}
                  merged_with: {type: array, items: {type: string}}
        409:
          description: Overlapping change; nothing saved
          content:
            application/json:
              schema:
                type: object
                properties:
                  error: {type: object, properties: {code: {type: string}, message: {type: string}}}
                  current_revision: {type: string}
                  current_text: {type: string}
                  conflict_text: {type: string}
        401: {$ref: '#/components/responses/Unauthorized'}
        404: {$ref: '#/components/responses/NotFound'}
    """
    spec = specs.get_spec_or_404(network, slug, viewer=api_user())
    body = _json_body()
    try:
        outcome = specs.save_spec(spec, _string(body, "text"), base_revision=_string(body, "base_revision",
                                                                                    required=True),
                                  message=_string(body, "message"), actor=api_user())
    except specs.EditConflict as conflict:
        return jsonify(error={"code": conflict.code, "message": str(conflict.message)},
                       current_revision=conflict.current_revision, current_text=conflict.current_text,
                       conflict_text=conflict.conflict_text), 409
    return jsonify(revision=outcome.commit_id or spec.head_revision, merged=outcome.merged,
                   merged_with=list(outcome.merged_with), unchanged=outcome.is_unchanged)


@bp.route("/networks/<network>/specs/<slug>/history")
@token_optional
def spec_history(network, slug):
    """Revisions of a specification.
    ---
    get:
      summary: Revisions, newest first, paginated
      tags: [specs]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
        - {name: slug, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, default: 50, maximum: 200}}
        - {name: offset, in: query, schema: {type: integer, default: 0}}
      responses:
        200: {description: A page of revisions and the total, content: {application/json: {schema: {type: object}}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    spec = specs.get_spec_or_404(network, slug, viewer=api_user())
    limit = request.args.get("limit", 50, type=int)
    offset = request.args.get("offset", 0, type=int)
    revisions, total = specs.history(spec, limit=limit, offset=offset, upto=specs.visible_upto(spec, api_user()))
    return jsonify(total=total, revisions=[
        {"revision": r.commit_id, "number": r.number, "author_name": r.author_name,
         "authored_at": r.authored_at.isoformat(), "message": r.message} for r in revisions])


@bp.route("/networks/<network>/specs/<slug>/diff")
@token_optional
def spec_diff(network, slug):
    """Difference between two revisions.
    ---
    get:
      summary: Unified diff of the text between two revisions (commit ids, rN or vN)
      tags: [specs]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
        - {name: slug, in: path, required: true, schema: {type: string}}
        - {name: from, in: query, required: true, schema: {type: string}}
        - {name: to, in: query, required: true, schema: {type: string}}
      responses:
        200: {description: The diff, content: {application/json: {schema: {type: object}}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    spec = specs.get_spec_or_404(network, slug, viewer=api_user())
    upto = specs.visible_upto(spec, api_user())
    old = specs.revision_of(spec, request.args.get("from") or "x", upto=upto)
    new = specs.revision_of(spec, request.args.get("to") or "x", upto=upto)
    return jsonify({"from": old.commit_id, "to": new.commit_id, "from_number": old.number,
                    "to_number": new.number, "diff": specs.unified_diff(spec, old, new)})


@bp.route("/networks/<network>/specs/<slug>/versions")
@token_optional
def spec_versions(network, slug):
    """Adopted versions of a specification.
    ---
    get:
      summary: Adopted versions (git tags vN), oldest first, with the decision behind each
      tags: [specs]
      parameters:
        - {name: network, in: path, required: true, schema: {type: string}}
        - {name: slug, in: path, required: true, schema: {type: string}}
      responses:
        200: {description: The versions, content: {application/json: {schema: {type: object}}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    spec = specs.get_spec_or_404(network, slug, viewer=api_user())
    return jsonify(versions=[_version(v) for v in spec.versions])


@bp.route("/cpv")
def cpv_search():
    """Search the CPV vocabulary.
    ---
    get:
      summary: CPV codes whose code or Swedish or English label matches `q` (at most 20)
      tags: [reference]
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
      responses:
        200: {description: Matching codes, content: {application/json: {schema: {type: object}}}}
    """
    return jsonify(codes=[{"code": code, "label_sv": sv, "label_en": en}
                          for code, sv, en in cpv.search(request.args.get("q", ""), limit=20)])
