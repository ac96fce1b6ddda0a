"""The specification provider: what the index holds for each specification.

Every specification gives a "members:<network>" document with its latest text (what the network's
members read); a public one (consultation, adopted, archived, superseded) also gives a "public"
document with the published text (Spec.public_revision), so work on the next version never
reaches outsiders through search.
"""
import hashlib
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..errors import NotFound
from ..extensions import db
from ..specs import services as specs
from ..specs.models import Spec
from .documents import PUBLIC, SearchDocument, cpv_divisions, members_scope, path_for, provider


@provider("spec")
def spec_documents(ids: list[int] | None) -> Iterator[SearchDocument]:
    query = (select(Spec).order_by(Spec.id)
             .options(joinedload(Spec.network), selectinload(Spec.cpv_codes)))
    if ids is not None:
        query = query.where(Spec.id.in_(ids))
    for spec in db.session.scalars(query):
        yield from _documents(spec)


def _documents(spec: Spec) -> Iterator[SearchDocument]:
    try:
        latest = specs.revision_of(spec)
    except NotFound:  # no text cached yet (`flask check --repair` rebuilds the cache from git)
        return
    yield _document(spec, latest, members_scope(spec.network_id), "members")
    if spec.is_public and spec.public_revision:
        try:
            published = specs.revision_of(spec, spec.public_revision)
        except NotFound:
            return
        yield _document(spec, published, PUBLIC, "public")


def _document(spec: Spec, revision, scope: str, suffix: str) -> SearchDocument:
    text = specs.text_of(spec, revision)
    body = f"{spec.summary}\n\n{text}" if spec.summary else text
    cpv = cpv_divisions(c.code for c in spec.cpv_codes)
    # What the document is made of, not updated_at (which also moves when nothing searchable does).
    details = hashlib.sha1(f"{spec.title}\n{spec.summary}\n{cpv}\n{spec.network.slug}/{spec.slug}".encode())
    return SearchDocument(
        key=f"spec:{spec.id}:{suffix}", kind="spec", id=spec.id, title=spec.title, body=body,
        url=path_for("specs.show", network=spec.network.slug, slug=spec.slug), date=revision.authored_at,
        scope=scope, network_id=spec.network_id, cpv=cpv, status=spec.status,
        version=f"{revision.commit_id}:{spec.status}:{details.hexdigest()[:16]}")
