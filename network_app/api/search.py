"""Search API. The YAML after '---' in the docstring becomes its OpenAPI operation."""
from flask import jsonify, request

from .. import search
from . import bp
from .auth import api_user, token_optional


def facets_json(facets: dict) -> dict:
    """{"kind": [{"value": "spec", "count": 3}, ...], ...}"""
    return {name: [{"value": value, "count": count} for value, count in values] for name, values in facets.items()}


@bp.route("/search")
@token_optional
def search_all():
    """Full-text search over everything the caller may read.
    ---
    get:
      summary: Search specifications, criteria, planned needs and letters of intent
      description: >
        Swedish words are matched in every inflected form ("värmepump" finds "värmepumpar").
        `q` takes words (all must match), "phrases", OR, NOT and prefix* wildcards; broken syntax
        is searched as plain words and `notice` says so. Drafts are found only by the members of
        their network. An empty `q` lists everything, newest first.
      tags: [search]
      parameters:
        - {name: q, in: query, schema: {type: string}}
        - {name: kind, in: query, schema: {type: string, enum: [spec, criterion, need, letter]}}
        - {name: type, in: query, schema: {type: string}, description: criterion type}
        - {name: level, in: query, schema: {type: string}, description: ambition level}
        - {name: area, in: query, schema: {type: string}}
        - {name: cpv, in: query, schema: {type: string, example: '45'}, description: 2-digit CPV division}
        - {name: sort, in: query, schema: {type: string, enum: [relevance, date], default: relevance}}
        - {name: page, in: query, schema: {type: integer, default: 1, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, default: 20, minimum: 1, maximum: 100}}
      responses:
        200:
          description: One page of results, the total and the facet counts
          content:
            application/json:
              schema:
                type: object
                properties:
                  results:
                    type: array
                    items:
                      type: object
                      properties:
                        kind: {type: string, enum: [spec, criterion, need, letter]}
                        id: {type: integer}
                        title: {type: string}
                        url: {type: string, description: path of the page}
                        snippet: {type: string, description: 'HTML: escaped text, matched words in <mark>'}
                        date: {type: string, format: date-time}
                  total: {type: integer}
                  page: {type: integer}
                  pages: {type: integer}
                  facets:
                    type: object
                    additionalProperties:
                      type: array
                      items: {type: object, properties: {value: {type: string}, count: {type: integer}}}
                  notice: {type: string, nullable: true}
        401: {$ref: '#/components/responses/Unauthorized'}
        503:
          description: The search index is being rebuilt or repaired
          content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
    """
    args = request.args
    result = search.find(args.get("q", ""), api_user(), kind=args.get("kind") or None,
                         filters={name: args.get(name, "") for name in ("type", "level", "area", "cpv")},
                         page=args.get("page", 1, type=int) or 1,
                         per_page=args.get("per_page", search.PER_PAGE, type=int) or search.PER_PAGE,
                         sort=args.get("sort", "relevance"))
    return jsonify(results=[{"kind": h.kind, "id": h.id, "title": h.title, "url": h.url, "snippet": str(h.snippet),
                             "date": h.date.isoformat()} for h in result.hits],
                   total=result.total, page=result.page, pages=result.pages, facets=facets_json(result.facets),
                   notice=str(result.notice) if result.notice else None)
