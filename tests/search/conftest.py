"""Search fixtures: a network "bebo" with a coordinator and a member, an outsider network "belok",
a supplier, a portal administrator, and a factory for specifications (through the services, so
the index follows them through the signal like in production)."""
import pytest

from network_app import search
from network_app.specs import services as specs


@pytest.fixture(autouse=True)
def english(client, in_english):
    """Pages and messages in English (the source language), whatever the catalogue holds."""
    client.set_cookie("lang", "en")


@pytest.fixture
def people(bebo):
    return bebo


@pytest.fixture
def make_spec(people):
    def make(title="Värmepumpar för flerbostadshus", text="# Värmepumpar\n\nKrav på värmepumpar.\n", *,
             network=None, actor=None, cpv=(), summary=""):
        return specs.create_spec(network or people["network"],
                                 specs.SpecDraft(title=title, text=text, cpv=list(cpv), summary=summary),
                                 actor=actor or people["coordinator"])
    return make


def find(query="", viewer=None, **options) -> search.SearchResult:
    return search.find(query, viewer, **options)


def titles(result) -> list[str]:
    return [hit.title for hit in result.hits]
