"""The criteria provider of the search index: one document per criterion, public for the shared
library and "members:<network>" for a network's own criteria. Retired criteria stay findable
(their pages say so); the status is a stored field."""
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..errors import NotFound
from ..extensions import db
from ..labels import LABELS
from ..search.documents import (PUBLIC, SearchDocument, cpv_divisions, facet_labels, members_scope, path_for,
                                provider)
from . import services
from .models import Criterion


@provider("criterion")
def criterion_documents(ids: list[int] | None) -> Iterator[SearchDocument]:
    query = (select(Criterion).order_by(Criterion.id)
             .options(joinedload(Criterion.network), selectinload(Criterion.areas), selectinload(Criterion.cpv_codes),
                      selectinload(Criterion.categories)))
    if ids is not None:
        query = query.where(Criterion.id.in_(ids))
    for criterion in db.session.scalars(query):
        try:
            revision = services.revision_of(criterion)
        except NotFound:  # no text cached yet: `flask check --repair`
            continue
        text = services.text_of(criterion, revision)
        categories = " ".join(c.name for c in criterion.categories)
        yield SearchDocument(
            key=f"criterion:{criterion.id}", kind="criterion", id=criterion.id,
            title=f"{criterion.code} {criterion.title}",
            body=f"{text.requirement}\n\n{text.rationale}\n\n{text.verification}\n\n{categories}",
            url=path_for("criteria.show", code=criterion.code), date=revision.authored_at,
            scope=members_scope(criterion.network_id) if criterion.network_id else PUBLIC,
            network_id=criterion.network_id, type=[criterion.type], level=[criterion.level],
            area=[a.area for a in criterion.areas], cpv=cpv_divisions(c.code for c in criterion.cpv_codes),
            status=criterion.status, version=f"{revision.commit_id}:{criterion.updated_at.isoformat()}")


facet_labels("type", LABELS["criterion_type"])
facet_labels("level", LABELS["criterion_level"])
facet_labels("area", LABELS["criterion_area"])
