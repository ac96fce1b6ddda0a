"""API endpoints. The YAML after '---' in each docstring becomes its OpenAPI operation."""
from flask import jsonify

from .. import permissions
from ..networks import services as networks
from . import bp, serializers
from .auth import api_user, token_optional, token_required
from .openapi import build_spec


@bp.route("/")
@token_optional
def index():
    """API entry point.
    ---
    get:
      summary: Entry point with links to the resources
      tags: [meta]
      responses:
        200: {description: Links, content: {application/json: {schema: {type: object}}}}
    """
    return jsonify(version="1", openapi="/api/v1/openapi.json",
                   resources={"me": "/api/v1/me", "networks": "/api/v1/networks"})


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API, generated from the routes' docstrings."""
    return jsonify(build_spec())


@bp.route("/me")
@token_required
def me():
    """The token's user.
    ---
    get:
      summary: The user the token belongs to, with organisation and network roles
      tags: [accounts]
      security: [{bearerAuth: []}]
      responses:
        200: {description: The user, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
        401: {$ref: '#/components/responses/Unauthorized'}
    """
    return jsonify(serializers.user(api_user()))


@bp.route("/networks")
@token_optional
def network_list():
    """Every network.
    ---
    get:
      summary: List buyer networks and purchasing centres
      tags: [networks]
      responses:
        200:
          description: The networks, by name
          content:
            application/json:
              schema:
                type: object
                properties:
                  networks: {type: array, items: {$ref: '#/components/schemas/Network'}}
        401: {$ref: '#/components/responses/Unauthorized'}
    """
    counts = networks.member_counts()
    return jsonify(networks=[serializers.network(n, member_count=counts.get(n.id, 0))
                             for n in networks.list_networks()])


@bp.route("/networks/<slug>")
@token_optional
def network_detail(slug):
    """One network with its members.
    ---
    get:
      summary: A network and its member organisations
      tags: [networks]
      parameters:
        - {name: slug, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: The network
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: '#/components/schemas/Network'}
                  - type: object
                    properties:
                      members: {type: array, items: {$ref: '#/components/schemas/Membership'}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    network = networks.get_network_or_404(slug)
    permissions.require(api_user(), "network.view", network)
    body = serializers.network(network)
    body["members"] = [serializers.membership(m) for m in networks.members(network)]
    return jsonify(body)


@bp.route("/networks/<slug>/members")
@token_optional
def network_members(slug):
    """Members of a network.
    ---
    get:
      summary: Member organisations of a network and their roles
      tags: [networks]
      parameters:
        - {name: slug, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: Coordinators first, then members and observers
          content:
            application/json:
              schema:
                type: object
                properties:
                  members: {type: array, items: {$ref: '#/components/schemas/Membership'}}
        404: {$ref: '#/components/responses/NotFound'}
    """
    network = networks.get_network_or_404(slug)
    permissions.require(api_user(), "network.view", network)
    return jsonify(members=[serializers.membership(m) for m in networks.members(network)])
