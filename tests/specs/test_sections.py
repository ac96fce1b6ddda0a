"""Sections of a Markdown text (pure functions) and editing one section through the edit page."""
import html
import re

import pytest

from network_app.specs import sections, services
from tests.conftest import login

DOC = """# Värmepumpar

Inledning.

## Bakgrund

Bakgrundstext rad ett.

## Krav

Krav 1: COP minst 3.

Krav 2: ljudnivå högst 45 dB.

### Ljud

Mätning enligt SS-EN 12102.

## Garanti

Garanti 5 år.
"""

KRAV = """## Krav

Krav 1: COP minst 3.

Krav 2: ljudnivå högst 45 dB.

### Ljud

Mätning enligt SS-EN 12102.
"""

FENCED = """# Titel

```markdown
# Inte en rubrik
## Inte heller
```

~~~~
```
# fortfarande kod: ett kortare staket av annat slag stänger inte
~~~~

## Riktig rubrik

Text.
"""


# --- pure functions ------------------------------------------------------------------------------

def test_headings_are_numbered_in_document_order_with_their_levels():
    assert sections.headings(DOC) == [(0, 1), (4, 2), (8, 2), (14, 3), (18, 2)]


def test_headings_in_fenced_code_do_not_count():
    assert sections.headings(FENCED) == [(0, 1), (12, 2)]
    assert sections.section(FENCED, 2) == "## Riktig rubrik\n\nText.\n"
    assert sections.section(FENCED, 3) is None


@pytest.mark.parametrize("line, is_heading", [
    ("# A", True), ("###### Sex", True), ("   ## Indragen tre", True), ("##", True),
    ("#Utan mellanslag", False), ("####### Sju", False), ("    # Kodindrag", False), ("Text # mitt i", False),
])
def test_what_counts_as_a_heading(line, is_heading):
    assert bool(sections.headings(f"{line}\n\ntext\n")) is is_heading


def test_a_section_runs_to_the_next_heading_of_the_same_or_a_higher_level():
    assert sections.section(DOC, 1) == DOC  # the level-1 title holds everything
    assert sections.section(DOC, 2) == "## Bakgrund\n\nBakgrundstext rad ett.\n"
    assert sections.section(DOC, 3) == KRAV  # includes its ### subsection
    assert sections.section(DOC, 4) == "### Ljud\n\nMätning enligt SS-EN 12102.\n"
    assert sections.section(DOC, 5) == "## Garanti\n\nGaranti 5 år.\n"


@pytest.mark.parametrize("number", [0, -1, 6, 99])
def test_numbers_out_of_range_are_none(number):
    assert sections.section(DOC, number) is None
    assert sections.replace_section(DOC, number, "## Ny\n") is None


def test_a_text_without_headings_has_no_sections():
    assert sections.headings("Bara text.\n\nOch mer.\n") == []
    assert sections.section("Bara text.\n", 1) is None
    assert sections.replace_section("Bara text.\n", 1, "x") is None


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_replacing_a_section_with_itself_gives_back_the_same_text(number):
    assert sections.replace_section(DOC, number, sections.section(DOC, number)) == DOC


@pytest.mark.parametrize("text", [
    "# A\n\na\n\n## B\n\nb\n\n# C\n\nc",  # no final newline
    "# A\na\n# B\nb\n",  # a heading straight after a paragraph
    "# A\n\na\n\n\n\n# B\n\nb\n\n\n",  # several blank lines, inside and at the end
    "Inledning utan rubrik.\n\n## A\n\na\n## B\n",  # text before the first heading, an empty last section
    FENCED,
])
def test_every_section_replaced_with_itself_gives_back_the_same_text(text):
    for number in range(1, len(sections.headings(text)) + 1):
        assert sections.replace_section(text, number, sections.section(text, number)) == text, number


def test_replace_section_changes_only_that_section():
    new_krav = KRAV.replace("COP minst 3", "COP minst 4")
    assert sections.replace_section(DOC, 3, new_krav) == DOC.replace("COP minst 3", "COP minst 4")
    # A replacement without a final blank line still leaves one before the next heading.
    assert sections.replace_section(DOC, 2, "## Bakgrund\n\nKortare.") == DOC.replace(
        "Bakgrundstext rad ett.", "Kortare.")
    # Windows line endings from a browser are normalised.
    assert sections.replace_section(DOC, 5, "## Garanti\r\n\r\nGaranti 10 år.\r\n") == DOC.replace("5 år", "10 år")
    # A nested section replaced: the parent's other parts stay.
    replaced = sections.replace_section(DOC, 4, "### Ljud\n\nMätning enligt ISO 3744.\n")
    assert replaced == DOC.replace("SS-EN 12102", "ISO 3744")


def test_a_section_can_gain_a_heading():
    replaced = sections.replace_section(DOC, 5, "## Garanti\n\nGaranti 5 år.\n\n## Service\n\nÅrlig service.\n")
    assert sections.headings(replaced)[-1] == (22, 2)
    assert sections.section(replaced, 6) == "## Service\n\nÅrlig service.\n"


# --- the section edit page -----------------------------------------------------------------------

@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def people(bebo):
    return bebo["network"], bebo["coordinator"], bebo["member"]


@pytest.fixture
def spec(people):
    network, coordinator, _ = people
    return services.create_spec(network, services.SpecDraft(title="Värmepumpar", text=DOC), actor=coordinator)


URL = "/networks/bebo/specs/varmepumpar"


def editor_text(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, page
    return html.unescape(match.group(1)).removeprefix("\r\n").removeprefix("\n")


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, page
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def latest_text(spec) -> str:
    return services.read_spec(spec)[1]


def test_the_edit_page_for_a_section_shows_only_that_section(client, spec, people):
    login(client, people[2].email)
    page = client.get(f"{URL}/edit?section=3")
    assert page.status_code == 200
    assert "Edit a section of Värmepumpar" in page.text
    assert editor_text(page.text) == KRAV
    assert hidden(page.text, "section") == "3" and hidden(page.text, "base_revision") == spec.head_revision
    assert client.get(f"{URL}/edit?section=6").status_code == 404
    assert client.get(f"{URL}/edit?section=0").status_code == 404


def test_the_page_links_each_heading_to_its_section_skipping_code(client, people):
    network, coordinator, member = people
    services.create_spec(network, services.SpecDraft(title="Kod", text=FENCED), actor=coordinator)
    login(client, member.email)
    page = client.get("/networks/bebo/specs/kod")
    links = re.findall(r'href="/networks/bebo/specs/kod/edit\?section=(\d+)"', page.text)
    assert links == ["1", "2"]
    assert editor_text(client.get("/networks/bebo/specs/kod/edit?section=2").text).startswith("## Riktig rubrik")


def test_saving_a_section_changes_only_that_section(client, spec, people):
    login(client, people[2].email)
    base = spec.head_revision
    response = client.post(f"{URL}/edit", data={"text": KRAV.replace("COP minst 3", "COP minst 4"),
                                                 "base_revision": base, "section": "3", "message": "Högre COP"})
    assert response.status_code == 302
    assert spec.revision_count == 2
    assert latest_text(spec) == DOC.replace("COP minst 3", "COP minst 4")


def test_saving_the_last_section_keeps_the_text_whole(client, spec, people):
    login(client, people[2].email)
    response = client.post(f"{URL}/edit", data={"text": "## Garanti\r\n\r\nGaranti 10 år.\r\n",
                                                 "base_revision": spec.head_revision, "section": "5"})
    assert response.status_code == 302
    assert latest_text(spec) == DOC.replace("5 år", "10 år")


def test_saving_a_section_unchanged_makes_no_revision(client, spec, people):
    login(client, people[2].email)
    response = client.post(f"{URL}/edit", data={"text": KRAV, "base_revision": spec.head_revision, "section": "3"},
                           follow_redirects=True)
    assert "Nothing had changed" in response.text
    assert spec.revision_count == 1


def test_saving_an_unchanged_section_before_a_tight_heading_makes_no_revision(client, people):
    network, coordinator, member = people
    tight = services.create_spec(network, services.SpecDraft(title="Tät", text="# A\nText a.\n# B\nText b.\n"),
                                 actor=coordinator)
    login(client, member.email)
    client.post("/networks/bebo/specs/tat/edit", data={"text": "# A\nText a.\n", "section": "1",
                                                        "base_revision": tight.head_revision})
    assert tight.revision_count == 1


def test_a_change_saved_meanwhile_in_another_section_is_merged(client, spec, people):
    _, coordinator, member = people
    base = spec.head_revision
    services.save_spec(spec, DOC.replace("Garanti 5 år", "Garanti 10 år"), base_revision=base, actor=coordinator)
    login(client, member.email)
    response = client.post(f"{URL}/edit", data={"text": KRAV.replace("45 dB", "40 dB"), "base_revision": base,
                                                 "section": "3"}, follow_redirects=True)
    assert response.status_code == 200
    assert "merged with changes saved meanwhile by Cora Coordinator" in response.text
    assert latest_text(spec) == DOC.replace("Garanti 5 år", "Garanti 10 år").replace("45 dB", "40 dB")
    assert spec.revision_count == 3


def test_an_overlapping_change_gives_the_conflict_page_with_the_whole_text(client, spec, people):
    _, coordinator, member = people
    base = spec.head_revision
    services.save_spec(spec, DOC.replace("COP minst 3", "COP minst 5"), base_revision=base, actor=coordinator)
    head = spec.head_revision
    login(client, member.email)
    response = client.post(f"{URL}/edit", data={"text": KRAV.replace("COP minst 3", "COP minst 4"),
                                                 "base_revision": base, "section": "3"})
    assert response.status_code == 409
    assert "Your edit overlaps another change" in response.text
    mine = editor_text(response.text)
    # The whole text, not just the section: the other sections are there, with both versions marked.
    assert mine.startswith("# Värmepumpar\n") and "Bakgrundstext rad ett." in mine and "Garanti 5 år." in mine
    assert "<<<<<<< your edit" in mine and ">>>>>>> saved meanwhile" in mine
    assert "COP minst 4" in mine and "COP minst 5" in mine
    assert hidden(response.text, "base_revision") == head
    assert spec.revision_count == 2 and latest_text(spec) == DOC.replace("COP minst 3", "COP minst 5")
    # Resolving the markers and saving the whole text from the new head works.
    resolved = DOC.replace("COP minst 3", "COP minst 4,5")
    again = client.post(f"{URL}/edit", data={"text": resolved, "base_revision": head})
    assert again.status_code == 302 and latest_text(spec) == resolved


def test_saving_the_conflict_page_of_a_section_edit_as_sent_stores_the_resolved_text(client, spec, people):
    _, coordinator, member = people
    base = spec.head_revision
    services.save_spec(spec, DOC.replace("COP minst 3", "COP minst 5"), base_revision=base, actor=coordinator)
    login(client, member.email)
    conflict = client.post(f"{URL}/edit", data={"text": KRAV.replace("COP minst 3", "COP minst 4"),
                                                 "base_revision": base, "section": "3"})
    assert conflict.status_code == 409
    resolved = DOC.replace("COP minst 3", "COP minst 4,5")
    # What the browser sends back: the page's hidden fields and the resolved editor text.
    client.post(f"{URL}/edit", data={"text": resolved, "base_revision": hidden(conflict.text, "base_revision"),
                                     "section": hidden(conflict.text, "section")})
    assert latest_text(spec) == resolved


def test_a_section_missing_from_the_base_revision_is_refused(client, spec, people):
    login(client, people[2].email)
    response = client.post(f"{URL}/edit", data={"text": "## Ny\n\nText.\n", "base_revision": spec.head_revision,
                                                 "section": "9"})
    assert response.status_code == 422
    assert "That section does not exist in the revision you started from." in response.text
    assert spec.revision_count == 1


@pytest.mark.parametrize("app", [{"RENDER_500_IN_TESTS": True}], indirect=True)
def test_a_raw_html_heading_does_not_break_the_page_for_editors(client, people):
    network, coordinator, member = people
    services.create_spec(network, services.SpecDraft(
        title="Rå", text="# A\n\nText.\n\n<h2>Rå rubrik</h2>\n\n## B\n\nMer.\n"), actor=coordinator)
    login(client, member.email)
    page = client.get("/networks/bebo/specs/ra")
    assert page.status_code == 200
    links = re.findall(r'href="/networks/bebo/specs/ra/edit\?section=(\d+)"', page.text)
    assert links in ([], ["1", "2"])
