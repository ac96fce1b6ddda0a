"""Planned needs (förhandsinformation) through the browser: a visitor filters and reads, a supplier
registers, changes and withdraws interest, a buyer reads the registrations, downloads them and
writes to the suppliers, and a watch turns a newly published need into an e-mail that reaches a
real SMTP server; a draft stays hidden until published, and a question gets a public answer.
axe-core runs on every page on the way, and the main pages fit a 320 px wide screen.

The live server is shared by the whole session, so each test works on needs and users no other test
here changes (see specs/needs/needs.yaml), or creates what it needs under a unique title."""
import csv
import email
import email.policy
import io
import re
import uuid
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from network_app import mail
from network_app.regions import counties
from tests.browser.conftest import check_axe, log_in, submit, t
from tests.conftest import free_port

BUYER_BEBO = "samordnare@bebo.example"  # publishes bebo-bergvarme and bebo-franluft-innovation for BeBo
BUYER_HEMGARDEN = "medlem@bebo.example"  # Hemgården Fastigheter AB; publishes hemgarden-fonster-vaxjo
BUYER_MITTBY = "upphandlare@mittby.example"  # Mittby kommun
SUPPLIER_SOLEL = "solel@foretag.example"  # Solel & Fönster Norr AB (micro)
SUPPLIER_VARMETEKNIK = "leverantor@foretag.example"  # Värmeteknik i Småland AB (small), registered for bergvärme
SUPPLIER_BYGGJATTEN = "anbud@byggjatten.example"  # Byggjätten Sverige AB (large), registered for both below
SUPPLIER_FORENING = "forening@ideburen.example"  # Föreningen Gröna Händer (non-profit)
BERGVARME = "Samordnad upphandling av bergvärmepumpar för 14 flerbostadshus"  # 2 registrations in the demo
VINDSISOLERING = "Tilläggsisolering av vindsbjälklag i elva hus i Kalmar och Nybro"  # open, no registrations
FONSTER = "Fönsterbyte i tre kvarter i Växjö"
FRANLUFT = "Innovationspartnerskap för frånluftsvärmepumpar i hus utan schakt för ny ventilation"


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def flash(page):
    """The flashed notices at the top of the page."""
    return page.locator(".flashes")


def registered_count(page) -> int:
    """The number of suppliers the need's page says have registered interest."""
    facts = page.locator("dl.facts")
    value = facts.locator("dt", has=page.get_by_text(t("Registered interest"), exact=True)) \
        .locator("xpath=following-sibling::dd[1]")
    match = re.match(r"\s*(\d+)", value.inner_text())
    assert match, value.inner_text()
    return int(match.group(1))


def open_need(page, title: str, **filters) -> None:
    """Find a need in the public list (narrowed by query parameters) and open it by its title."""
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    page.goto("/needs/" + (f"?{query}" if query else ""))
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


# --- 1. a visitor ------------------------------------------------------------------------------------

def test_visitor_filters_the_list_and_reads_a_need(new_page):
    page = new_page()
    page.goto("/needs/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Planned procurements"))
    unfiltered = page.locator("ul.rows > li").count()
    assert unfiltered > 5
    check_axe(page, "needs-index")

    page.get_by_label(t("CPV code or prefix"), exact=True).fill("45000000")
    page.get_by_label(t("County"), exact=True).select_option(label=counties()["01"])
    page.get_by_role("button", name=t("Show needs"), exact=True).click()
    page.wait_for_url(re.compile(r"/needs/\?"))

    # The filters are in the address, so the list can be shared.
    query = parse_qs(urlsplit(page.url).query)
    assert query["cpv"] == ["45000000"] and query["county"] == ["01"], page.url
    results = page.locator("ul.rows > li")
    count = results.count()
    assert 0 < count < unfiltered
    for text in results.all_inner_texts():
        assert re.search(r"\b45\d{6}\b", text), f"a result without a 45xxxxxx code: {text}"
        assert counties()["01"] in text, f"a result outside {counties()['01']}: {text}"
    expect(page.get_by_role("link", name=BERGVARME, exact=True)).to_be_visible()
    expect(page.get_by_label(t("CPV code or prefix"), exact=True)).to_have_value("45000000")
    expect(page.get_by_label(t("County"), exact=True)).to_have_value("01")
    expect(page.get_by_role("link", name=t("Clear the filters"), exact=True)).to_be_visible()
    check_axe(page, "needs-index-filtered")
    # The feed of the list keeps the filters too.
    feed = page.get_by_role("link", name=t("Atom feed of this list"), exact=True).get_attribute("href")
    feed_query = parse_qs(urlsplit(feed).query)
    assert feed_query["cpv"][0].rstrip("0") == "45" and feed_query["county"] == ["01"], feed
    atom = page.request.get(feed)
    assert atom.ok and atom.headers["content-type"].startswith("application/atom+xml")
    assert BERGVARME in atom.text() and VINDSISOLERING not in atom.text()

    shared = new_page()
    shared.goto(page.url)
    expect(shared.locator("ul.rows > li")).to_have_count(count)
    expect(shared.locator("#results-heading")).to_have_text(page.locator("#results-heading").inner_text())

    page.get_by_role("link", name=BERGVARME, exact=True).click()
    page.wait_for_url(re.compile(r"/needs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BERGVARME)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(t("Buyer"))
    expect(facts).to_contain_text("45331100")
    expect(facts).to_contain_text(counties()["06"])
    assert registered_count(page) >= 2
    expect(page.get_by_role("heading", name=t("Description"), exact=True)).to_be_visible()
    # A visitor is asked to log in before registering.
    expect(page.locator("aside").get_by_role("link", name=t("Log in"), exact=True)).to_be_visible()
    check_axe(page, "needs-show")


# --- 2. a supplier registers interest ------------------------------------------------------------------

def test_supplier_registers_changes_and_withdraws_interest(page):
    log_in(page, SUPPLIER_SOLEL)
    open_need(page, VINDSISOLERING, county="08")
    before = registered_count(page)
    aside = page.locator("aside")
    aside.get_by_role("link", name=t("Register interest"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Register interest"))
    expect(page.get_by_label(t("Contact person"), exact=True)).to_have_value("Sune Sol")
    expect(page.get_by_label(t("Contact e-mail"), exact=True)).to_have_value(SUPPLIER_SOLEL)
    check_axe(page, "needs-interest")

    first = unique("Vi isolerar vindar i Kalmar län.")
    page.get_by_label(t("Message to the buyer (optional)"), exact=True).fill(first)
    page.get_by_label(t("We are willing to take part as a subcontractor"), exact=True).check()
    response = submit(page, page.locator("main form").get_by_role("button", name=t("Register interest"), exact=True))
    assert response.status == 302
    expect(page.get_by_role("heading", level=1)).to_have_text(VINDSISOLERING)
    expect(flash(page)).to_contain_text(
        t("Your interest is registered. The buyer sees it, and you are told when the need changes."))
    assert registered_count(page) == before + 1
    expect(aside).to_contain_text("Solel & Fönster Norr AB")

    # Change the registration: a bad address is refused and shown, then the new message is saved.
    aside.get_by_role("link", name=t("Change the registration"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Change the registration"))
    message = page.get_by_label(t("Message to the buyer (optional)"), exact=True)
    expect(message).to_have_value(first)
    expect(page.get_by_label(t("We are willing to take part as a subcontractor"), exact=True)).to_be_checked()
    second = unique("Vi kan även ta Nybro.")
    message.fill(second)
    page.get_by_label(t("Contact e-mail"), exact=True).fill("inte en adress")
    response = submit(page, page.get_by_role("button", name=t("Save the registration"), exact=True))
    assert response.status == 422
    expect(page.locator("#form-errors")).to_contain_text(t("Enter an e-mail address such as name@example.se."))
    expect(page.get_by_label(t("Message to the buyer (optional)"), exact=True)).to_have_value(second)
    check_axe(page, "needs-interest-errors")
    page.get_by_label(t("Contact e-mail"), exact=True).fill(SUPPLIER_SOLEL)
    response = submit(page, page.get_by_role("button", name=t("Save the registration"), exact=True))
    assert response.status == 302
    expect(flash(page)).to_contain_text(t("Your registration is updated."))
    assert registered_count(page) == before + 1
    aside.get_by_role("link", name=t("Change the registration"), exact=True).click()
    expect(page.get_by_label(t("Message to the buyer (optional)"), exact=True)).to_have_value(second)
    page.get_by_role("link", name=t("Cancel"), exact=True).click()

    # Withdraw it.
    response = submit(page, aside.get_by_role("button", name=t("Withdraw the registration"), exact=True))
    assert response.status == 302
    expect(flash(page)).to_contain_text(
        t("Your registration is withdrawn. You can register again while the need is open."))
    assert registered_count(page) == before
    expect(aside.get_by_role("link", name=t("Register interest"), exact=True)).to_be_visible()


# --- 3. a buyer reads the registrations and writes to the suppliers ----------------------------------------

def test_buyer_reads_registrations_downloads_them_and_messages_the_suppliers(new_page, tmp_path):
    buyer = new_page(accept_downloads=True)
    log_in(buyer, BUYER_BEBO)
    open_need(buyer, BERGVARME, county="07")
    buyer.get_by_role("link", name=t("Registrations of interest"), exact=True).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(t("Registrations of interest"))
    rows = buyer.locator("table tbody tr")
    registered = rows.count()
    assert registered >= 2
    expect(buyer.locator("table")).to_contain_text("Värmeteknik i Småland AB")
    expect(buyer.locator("table")).to_contain_text("Byggjätten Sverige AB")
    check_axe(buyer, "needs-registrations")

    # Only small companies.
    buyer.get_by_label(t("Size class"), exact=True).select_option("small")
    buyer.get_by_role("button", name=t("Filter"), exact=True).click()
    buyer.wait_for_url(re.compile(r"size_class=small"))
    expect(buyer.locator("table")).to_contain_text("Värmeteknik i Småland AB")
    expect(buyer.locator("table")).not_to_contain_text("Byggjätten Sverige AB")
    for text in rows.all_inner_texts():
        assert t("Small (fewer than 50 employees)") in text, text
    check_axe(buyer, "needs-registrations-filtered")

    # The CSV holds what the filter shows.
    with buyer.expect_download() as info:
        buyer.get_by_role("link", name=t("Download as CSV"), exact=True).click()
    download = info.value
    assert re.fullmatch(r"need-\d+-interest\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:7] == [t("Organisation"), t("Organisation number"), t("Kind"), t("Size class"),
                            t("Counties served"), t("Contact person"), t("E-mail")]
    by_name = {row[0]: row for row in table[1:]}
    assert "Byggjätten Sverige AB" not in by_name
    row = by_name["Värmeteknik i Småland AB"]
    assert row[1] == "556990-0052"
    assert row[3] == t("Small (fewer than 50 employees)")
    assert row[6] == SUPPLIER_VARMETEKNIK

    # A message to every registered supplier.
    buyer.get_by_role("link", name=t("Message every registered supplier"), exact=True).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(t("Message the suppliers"))
    check_axe(buyer, "needs-message")
    # Nothing written: refused, and the form says why.
    response = submit(buyer, buyer.get_by_role("button", name=t("Send"), exact=True))
    assert response.status == 422
    expect(buyer.locator("#form-errors")).to_be_visible()
    check_axe(buyer, "needs-message-errors")
    subject = unique("Ändrad tid för dialogmötet")
    buyer.get_by_label(t("Subject"), exact=True).fill(subject)
    buyer.get_by_label(t("Message"), exact=True).fill("Dialogmötet flyttas till den 27 januari 2027 kl. 9–11.")
    response = submit(buyer, buyer.get_by_role("button", name=t("Send"), exact=True))
    assert response.status == 302
    expect(buyer.get_by_role("heading", level=1)).to_have_text(BERGVARME)
    # A plural message: the start of the sentence up to the number, then the number.
    sent = t("The message is sent to %(num)d supplier and shown to it on the need's page.", num=registered)
    expect(flash(buyer)).to_contain_text(sent.split(str(registered))[0] + str(registered))
    need_url = buyer.url

    # A registered supplier reads it on the need's page.
    supplier = new_page()
    log_in(supplier, SUPPLIER_VARMETEKNIK)
    supplier.goto(need_url)
    messages = supplier.locator("section", has=supplier.get_by_role(
        "heading", name=t("Messages from the buyer to registered suppliers"), exact=True))
    expect(messages.get_by_role("heading", name=subject, exact=True)).to_be_visible()
    expect(messages).to_contain_text("27 januari 2027")
    check_axe(supplier, "needs-show-supplier-messages")


# --- 4. a watch ends in an e-mail ------------------------------------------------------------------------

def test_watch_mails_the_supplier_when_a_matching_need_is_published(new_page, live_server):
    county = counties()["25"]
    watch_name = unique("Lokalvård i Norrbotten")
    supplier = new_page()
    log_in(supplier, SUPPLIER_FORENING)
    supplier.goto("/needs/")
    supplier.get_by_role("link", name=t("My watches"), exact=True).click()
    expect(supplier.get_by_role("heading", level=1)).to_have_text(t("My watches"))
    check_axe(supplier, "needs-watches")
    form = supplier.locator("section", has=supplier.get_by_role("heading", name=t("New watch"), exact=True))
    form.get_by_label(t("Name of the watch"), exact=True).fill(watch_name)
    form.get_by_label(t("CPV codes or prefixes"), exact=True).fill("90910000")
    form.get_by_label(county, exact=True).check()
    response = submit(supplier, form.get_by_role("button", name=t("Save the watch"), exact=True))
    assert response.status == 302
    expect(flash(supplier)).to_contain_text(t("The watch is saved. New needs that match it reach you from now on."))
    row = supplier.get_by_role("row", name=re.compile(re.escape(watch_name)))
    expect(row).to_contain_text("9091")
    expect(row).to_contain_text(county)

    # The watch can be changed; its page is accessible too.
    row.get_by_role("link", name=f"{t('Change')} {watch_name}", exact=True).click()
    expect(supplier.get_by_role("heading", level=1)).to_have_text(t("Change the watch"))
    expect(supplier.get_by_label(t("Name of the watch"), exact=True)).to_have_value(watch_name)
    expect(supplier.get_by_label(county, exact=True)).to_be_checked()
    check_axe(supplier, "needs-watch-edit")

    # A buyer publishes a matching need; first with the contract starting before the notice.
    title = unique("Lokalvård i Kiruna och Gällivare")
    buyer = new_page()
    log_in(buyer, BUYER_MITTBY)
    buyer.goto("/needs/")
    buyer.get_by_role("link", name=t("Publish a planned need"), exact=True).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(t("Publish a planned need"))
    check_axe(buyer, "needs-form")
    buyer.get_by_label(t("Title"), exact=True).fill(title)
    buyer.get_by_label(t("Description (Markdown)"), exact=True).fill("Städning av **tre** förvaltningskontor.")
    buyer.get_by_label(t("CPV codes"), exact=True).fill("90911200-8")
    buyer.get_by_label(county, exact=True).check()
    buyer.get_by_label(t("Estimated value up to (SEK, optional)"), exact=True).fill("900 000")
    buyer.get_by_label(t("Procedure"), exact=True).select_option("below_threshold")
    buyer.get_by_label(t("Planned notice date"), exact=True).fill("2027-06-01")
    buyer.get_by_label(t("Planned contract start"), exact=True).fill("2027-05-01")
    response = submit(buyer, buyer.get_by_role("button", name=t("Publish"), exact=True))
    assert response.status == 422
    error = t("The contract cannot start before the planned notice date.")
    expect(buyer.locator("#form-errors")).to_contain_text(error)
    expect(buyer.locator("#form-errors")).to_be_focused()  # portal.js moves focus to the summary
    expect(buyer.locator("#planned_contract_start-error")).to_have_text(error)
    expect(buyer.get_by_label(t("Planned contract start"), exact=True)).to_have_attribute("aria-invalid", "true")
    expect(buyer.get_by_label(t("Title"), exact=True)).to_have_value(title)
    expect(buyer.get_by_label(county, exact=True)).to_be_checked()
    check_axe(buyer, "needs-form-errors")

    buyer.get_by_label(t("Planned contract start"), exact=True).fill("2027-09-01")
    response = submit(buyer, buyer.get_by_role("button", name=t("Publish"), exact=True))
    assert response.status == 302
    expect(buyer.get_by_role("heading", level=1)).to_have_text(title)
    expect(flash(buyer)).to_contain_text(t("The need is published."))
    need_path = urlsplit(buyer.url).path

    # The immediate watch queued an e-mail; the outbox delivers it to a real SMTP server.
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    saved = {k: live_server.app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    controller.start()
    try:
        live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with live_server.app.app_context():
            sent, failed = mail.send_outbox()
    finally:
        live_server.app.config.update(saved)
        controller.stop()
    assert sent >= 1 and failed == 0, (sent, failed)
    mine = []
    for envelope in received:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if SUPPLIER_FORENING in envelope.rcpt_tos:
            mine.append((str(message["Subject"]), message.get_body(("plain",)).get_content()))
    about = [(s, b) for s, b in mine if title in s or title in b]
    assert about, f"no message about {title!r} to {SUPPLIER_FORENING}; got {mine!r}"
    subject, body = about[0]
    assert title in subject
    assert watch_name in body
    assert live_server(need_path) in body

    # The supplier's feed on the watches page lists the match too.
    supplier.goto("/needs/watches")
    expect(supplier.get_by_role("link", name=title, exact=True)).to_be_visible()


# --- 5. the other pages -------------------------------------------------------------------------------

def test_buyer_pages_have_no_accessibility_violations(page):
    log_in(page, BUYER_BEBO)
    page.goto("/needs/")
    page.get_by_role("link", name=t("Our needs"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Our needs"))
    expect(page.get_by_role("link", name=FRANLUFT, exact=True)).to_be_visible()
    check_axe(page, "needs-mine")

    page.get_by_role("link", name=FRANLUFT, exact=True).click()
    # No empty "Interested?" panel for the buyer: its tools are the buttons at the top.
    expect(page.get_by_role("heading", name=t("Interested?"), exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=t("Registrations of interest"), exact=True)).to_be_visible()
    check_axe(page, "needs-show-buyer")
    page.get_by_role("link", name=t("Change status"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Change status"))
    expect(page.get_by_role("group", name=t("New status"))).to_be_visible()
    check_axe(page, "needs-status")


def test_spec_questions_page_has_no_accessibility_violations(new_page):
    path = "/networks/bebo/specs/varmepumpar-flerbostadshus/questions"
    visitor = new_page()
    response = visitor.goto(path)
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Värmepumpar för flerbostadshus")
    check_axe(visitor, "needs-spec-questions")

    supplier = new_page()
    log_in(supplier, SUPPLIER_VARMETEKNIK)
    assert supplier.goto(path).status == 200
    check_axe(supplier, "needs-spec-questions-supplier")


def test_needs_pages_fit_a_320_pixel_wide_screen(new_page):
    page = new_page(viewport={"width": 320, "height": 640})
    log_in(page, BUYER_BEBO)

    def fits(name):
        check_axe(page, name)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"{page.url} scrolls sideways at 320 px: it is {width} px wide"

    page.goto("/needs/?cpv=45000000")
    fits("needs-index-320px")
    page.get_by_role("link", name=BERGVARME, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BERGVARME)
    fits("needs-show-320px")
    page.get_by_role("link", name=t("Registrations of interest"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Registrations of interest"))
    fits("needs-registrations-320px")


# --- drafts, and questions and answers ------------------------------------------------------------------

def test_a_draft_is_hidden_until_the_buyer_publishes_it(new_page):
    title = unique("Matavfallskärl till fyra skolor")
    buyer = new_page()
    log_in(buyer, BUYER_MITTBY)
    buyer.goto("/needs/new")
    buyer.get_by_label(t("Title"), exact=True).fill(title)
    buyer.get_by_label(t("CPV codes"), exact=True).fill("34928480-6")
    buyer.get_by_label(counties()["20"], exact=True).check()
    buyer.get_by_label(t("Estimated value from (SEK, optional)"), exact=True).fill("150000")
    buyer.get_by_label(t("Procedure"), exact=True).select_option("direct_award")
    buyer.get_by_label(t("Planned notice date"), exact=True).fill("2027-03-01")
    buyer.get_by_label(t("Planned contract start"), exact=True).fill("2027-04-01")
    response = submit(buyer, buyer.get_by_role("button", name=t("Save as draft"), exact=True))
    assert response.status == 302
    expect(buyer.get_by_role("heading", level=1)).to_have_text(title)
    expect(flash(buyer)).to_contain_text(
        t("The need is saved as a draft. Only you and your colleagues see it until it is published."))
    expect(buyer.locator("main")).to_contain_text(
        t("This need is a draft. Only your organisation (or network) sees it until it is published."))
    check_axe(buyer, "needs-show-draft")
    need_path = urlsplit(buyer.url).path

    # Nobody else finds it, in the list or by its address.
    visitor = new_page()
    visitor.goto("/needs/?county=20")
    expect(visitor.get_by_role("link", name=title, exact=True)).to_have_count(0)
    assert visitor.goto(need_path).status == 404
    buyer.goto("/needs/mine")
    expect(buyer.get_by_role("link", name=title, exact=True)).to_be_visible()

    buyer.goto(need_path)
    response = submit(buyer, buyer.get_by_role("button", name=t("Publish the need"), exact=True))
    assert response.status == 302
    expect(flash(buyer)).to_contain_text(
        t("The need is published. Suppliers watching its CPV codes and counties are told."))
    visitor.goto("/needs/?county=20")
    visitor.get_by_role("link", name=title, exact=True).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.locator("dl.facts")).to_contain_text("34928480")


def test_supplier_asks_and_the_buyer_answers_publicly(new_page):
    question = unique("Ingår bortforsling av de gamla fönstren i uppdraget?")
    answer = unique("Ja, bortforsling och återvinning av gamla bågar ingår.")
    supplier = new_page()
    log_in(supplier, SUPPLIER_BYGGJATTEN)
    open_need(supplier, FONSTER, county="07")
    supplier.get_by_label(t("Your question"), exact=True).fill(question)
    response = submit(supplier, supplier.get_by_role("button", name=t("Ask the buyer"), exact=True))
    assert response.status == 302
    expect(flash(supplier)).to_contain_text(
        t("Your question is sent. The answer is shown here; you get it by e-mail too."))
    waiting = supplier.locator("article", has_text=question)
    expect(waiting).to_be_visible()  # the asker sees its own open question

    buyer = new_page()
    log_in(buyer, BUYER_HEMGARDEN)
    open_need(buyer, FONSTER, county="07")
    card = buyer.locator("article", has_text=question)
    check_axe(buyer, "needs-show-open-question")
    card.get_by_label(t("Answer"), exact=True).fill(answer)
    card.get_by_label(t("Everyone (published without the asker's name; suppliers registered are told)"),
                      exact=True).check()
    response = submit(buyer, card.get_by_role("button", name=t("Send the answer"), exact=True))
    assert response.status == 302
    expect(flash(buyer)).to_contain_text(t("The answer is published."))

    # Public: a visitor reads question and answer, without the asker's name.
    visitor = new_page()
    visitor.goto(buyer.url.split("#")[0])
    published = visitor.locator("article", has_text=question)
    expect(published).to_contain_text(answer)
    expect(published).not_to_contain_text("Byggjätten")
    expect(published).not_to_contain_text("Anders Anbud")
    check_axe(visitor, "needs-show-answered")
