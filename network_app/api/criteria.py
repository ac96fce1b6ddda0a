"""Criteria endpoints. The YAML after '---' in each docstring becomes its OpenAPI operation."""
from flask import jsonify, request, url_for

from .. import search
from ..criteria import services as criteria
from ..labels import LABELS
from . import bp
from .auth import api_user, token_optional


def _summary(criterion) -> dict:
    return {"id": criterion.code, "title": criterion.title, "type": criterion.type, "level": criterion.level,
            "areas": [a.area for a in criterion.areas], "cpv": [c.code for c in criterion.cpv_codes],
            "categories": [c.name for c in criterion.categories], "status": criterion.status,
            "revision": criterion.head_revision, "number": criterion.revision_count,
            "network": criterion.network.slug if criterion.network else None,
            "url": url_for("criteria.show", code=criterion.code)}


@bp.route("/criteria")
@token_optional
def criteria_list():
    """Criteria of the library.
    ---
    get:
      summary: Criteria the caller may see, filtered, with facet counts
      tags: [criteria]
      parameters:
        - {name: q, in: query, schema: {type: string}, description: 'full-text search (Swedish word forms, "phrases", OR, NOT, prefix*); at most 100 results'}
        - {name: type, in: query, schema: {type: string, enum: [qualification, technical, award, contract]}}
        - {name: level, in: query, schema: {type: string, enum: [basic, advanced, spearhead]}}
        - {name: area, in: query, schema: {type: string}}
        - {name: cpv, in: query, schema: {type: string}, description: a CPV division (two digits) or code}
      responses:
        200: {description: 'results, total and facets', content: {application/json: {schema: {type: object}}}}
    """
    filters = {name: request.args.get(name, "") for name in criteria.FACETS}
    query = request.args.get("q", "").strip()
    if query:  # full text through the search index: Swedish word forms, phrases, OR, NOT, prefix*
        result = search.find(query, api_user(), kind="criterion", filters=filters, per_page=100)
        found = criteria.by_ids([hit.id for hit in result.hits])
        return jsonify(results=[_summary(c) for c in found], total=result.total,
                       notice=str(result.notice) if result.notice else None,
                       facets={name: [{"value": v, "count": n} for v, n in values]
                               for name, values in result.facets.items() if name in criteria.FACETS})
    found, facets = criteria.browse(api_user(), filters)
    return jsonify(results=[_summary(c) for c in found], total=len(found),
                   facets={name: [{"value": v, "count": n} for v, n in values] for name, values in facets.items()})


@bp.route("/criteria/<code>")
@token_optional
def criterion_detail(code):
    """One criterion.
    ---
    get:
      summary: A criterion with its texts at the latest revision (or `revision`)
      tags: [criteria]
      parameters:
        - {name: code, in: path, required: true, schema: {type: string, example: K-0042}}
        - {name: revision, in: query, schema: {type: string}, description: 'rN or a commit id'}
      responses:
        200: {description: The criterion, content: {application/json: {schema: {type: object}}}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    criterion = criteria.get_criterion_or_404(code, viewer=api_user())
    revision = criteria.revision_of(criterion, request.args.get("revision") or None)
    text = criteria.text_of(criterion, revision)
    body = _summary(criterion)
    body.update(revision=revision.commit_id, number=revision.number, requirement=text.requirement,
                rationale=text.rationale, verification=text.verification,
                type_label=str(LABELS["criterion_type"][criterion.type]),
                embed=f"[[{criterion.code}@r{revision.number}]]")
    return jsonify(body)
