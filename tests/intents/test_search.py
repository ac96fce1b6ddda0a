"""Letters of intent in the search index: drafts for the network's members only, opened ones for all."""
from network_app import search
from network_app.extensions import db
from network_app.intents import lifecycle, services


def titles(query, viewer):
    return [hit.title for hit in search.find(query, viewer).hits if hit.kind == "letter"]


def test_letters_are_found_by_who_may_read_them(world, in_english):
    letter = world["letter"]
    assert titles("avsiktsförklaring", None) == ["Värmepumpar 2027"]
    draft = services.create_intent(world["network"], world["spec"], world["spec"].versions[0], services.IntentDraft(
        title="Hemlig avsikt", text="# Avsiktsförklaring\n\nUtkast.\n", quantity_unit="st"),
        actor=world["coordinator"])
    assert "Hemlig avsikt" in titles("avsiktsförklaring", world["member"])
    for viewer in (None, world["outsider"], world["supplier"]):
        assert "Hemlig avsikt" not in titles("avsiktsförklaring", viewer)
    draft.closes_on = letter.closes_on
    db.session.commit()
    lifecycle.open_intent(draft, actor=world["coordinator"])
    assert "Hemlig avsikt" in titles("avsiktsförklaring", None)
