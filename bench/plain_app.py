"""A plain Flask page for `bench/specs.py`: the yardstick for the specification page's throughput.

One route renders a Jinja template (bench/templates/plain.html) to a page of PLAIN_PAGE_BYTES bytes
(the size of the specification page the benchmark fetched), with no database, session or git:
what Flask, Jinja and gunicorn cost for a page of that size on the same server settings.

    PLAIN_PAGE_BYTES=20000 .venv/bin/gunicorn --workers 2 --chdir bench plain_app:app
"""
import os
from pathlib import Path

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
TARGET = int(os.environ.get("PLAIN_PAGE_BYTES", "20000"))
SENTENCE = ("Leverantören ska redovisa hur kravet uppfylls & verifieras, med mätvärden enligt "
            "standarden och en kontaktperson för uppföljning under avtalstiden. ")
TITLE = "Kravspecifikation"


def _paragraphs(target: int) -> list[str]:
    """Paragraphs that make the rendered page `target` bytes long (escaping included)."""
    with app.app_context():
        empty = len(render_template("plain.html", title=TITLE, paragraphs=[]).encode("utf-8"))
        one = len(render_template("plain.html", title=TITLE, paragraphs=[SENTENCE]).encode("utf-8")) - empty
        paragraphs = [SENTENCE] * max(0, (target - empty) // one)
        size = len(render_template("plain.html", title=TITLE, paragraphs=paragraphs).encode("utf-8"))
        if target - size > len("<p></p>\n"):  # pad with a shorter last paragraph
            paragraphs.append("x" * (target - size - len("<p></p>\n")))
    return paragraphs


PARAGRAPHS = _paragraphs(TARGET)


@app.route("/")
def page():
    return render_template("plain.html", title=TITLE, paragraphs=PARAGRAPHS)
