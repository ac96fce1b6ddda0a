"""The letter of intent provider: what the search index holds for each letter.

Every letter gives a "members:<network>" document (drafts included); an opened or closed one
also gives a "public" document. Both hold the latest text: a letter has no unpublished work
once it is opened.
"""
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..search.documents import PUBLIC, SearchDocument, cpv_divisions, members_scope, path_for, provider
from . import services
from .models import Intent


@provider("letter")
def letter_documents(ids: list[int] | None) -> Iterator[SearchDocument]:
    query = select(Intent).order_by(Intent.id).options(joinedload(Intent.network), joinedload(Intent.spec))
    if ids is not None:
        query = query.where(Intent.id.in_(ids))
    for intent in db.session.scalars(query):
        try:
            revision, _header, body = services.read_intent(intent)
        except NotFound:  # no text cached yet (`flask check --repair` rebuilds the cache from git)
            continue
        scopes = [(members_scope(intent.network_id), "members")]
        if intent.is_public:
            scopes.append((PUBLIC, "public"))
        for scope, suffix in scopes:
            yield SearchDocument(
                key=f"letter:{intent.id}:{suffix}", kind="letter", id=intent.id, title=intent.title,
                body=f"{intent.spec.title}\n\n{body}", date=revision.authored_at, scope=scope,
                url=path_for("intents.show", network=intent.network.slug, slug=intent.slug),
                network_id=intent.network_id, cpv=cpv_divisions(c.code for c in intent.spec.cpv_codes),
                status=intent.status,
                version=f"{revision.commit_id}:{intent.status}:{intent.spec_version}:{intent.title}")
