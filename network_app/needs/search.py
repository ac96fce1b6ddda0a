"""The planned-needs provider of the search index: one public document per published need (drafts
are not indexed). The needs list takes its words from here and everything else from the database."""
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import cpv, regions
from ..extensions import db
from ..search.documents import PUBLIC, SearchDocument, cpv_divisions, path_for, provider
from .models import Need


@provider("need")
def need_documents(ids: list[int] | None) -> Iterator[SearchDocument]:
    query = (select(Need).where(Need.status != "draft").order_by(Need.id)
             .options(joinedload(Need.organisation), joinedload(Need.network), selectinload(Need.cpv_codes),
                      selectinload(Need.counties)))
    if ids is not None:
        query = query.where(Need.id.in_(ids))
    for need in db.session.scalars(query).unique():
        yield document(need)


def document(need: Need) -> SearchDocument:
    # Buyer, CPV labels and counties are words too: "Kalmar", "värmepumpar", "Bostadsbolaget".
    places = " ".join(regions.counties().get(c, c) for c in need.county_codes)
    labels = " ".join(cpv.label(c, "sv") for c in need.cpv)
    return SearchDocument(
        key=f"need:{need.id}", kind="need", id=need.id, title=need.title,
        body=f"{need.description}\n\n{need.buyer_name} {need.organisation.name}\n{labels}\n{places}",
        url=path_for("needs.show", need_id=need.id), date=need.published_at or need.updated_at, scope=PUBLIC,
        cpv=cpv_divisions(need.cpv), status=need.status, version=need.updated_at.isoformat())
