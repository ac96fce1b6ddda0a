"""Plain dicts for the API, one function per resource."""
from flask import url_for

from .. import permissions
from ..networks import services as networks


def organisation(org) -> dict:
    return {"id": org.id, "name": org.name, "orgnr": org.orgnr, "kind": org.kind,
            "size_class": org.size_class, "counties": org.county_codes}


def membership(m) -> dict:
    return {"organisation": organisation(m.organisation), "role": m.role, "since": m.created_at.isoformat()}


def network(n, *, member_count: int | None = None) -> dict:
    return {"slug": n.slug, "name": n.name, "kind": n.kind, "description": n.description,
            "member_count": len(n.memberships) if member_count is None else member_count,
            "url": url_for("networks.show", slug=n.slug, _external=True),
            "created_at": n.created_at.isoformat()}


def user(u) -> dict:
    org = u.organisation
    return {"id": u.id, "email": u.email, "name": u.name,
            "organisation": organisation(org) if org else None,
            "organisation_approved": u.is_org_approved, "is_org_admin": u.is_org_admin,
            "is_portal_admin": u.is_portal_admin,
            "networks": [{"slug": m.network.slug, "role": m.role}
                         for m in networks.networks_of(u.approved_organisation)],
            "permissions": {"create_network": permissions.may(u, "network.create")}}
