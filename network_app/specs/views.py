"""Specification pages: list, create, read (any revision), edit (whole or a section) with merge or
conflict, preview, history, compare, blame, revert, versions and the lifecycle."""
import re
import secrets
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .. import cpv, permissions
from ..accounts.forms import EmptyForm
from ..errors import InvalidInput, NotFound
from ..networks import services as networks
from ..rendering import render
from ..util import LRUCache
from ..criteria import services as criteria
from . import lifecycle, sections, services
from .forms import AdoptForm, ArchiveForm, ConsultationForm, DetailsForm, EditForm, RevertForm, SpecForm

bp = Blueprint("specs", __name__, url_prefix="/networks/<network>/specs")
PAGE = 25
_pages = LRUCache(1024)  # page bodies of specifications, see show()
_CSRF_SLOT = f"csrf-slot-{secrets.token_hex(12)}"  # stands for the reader's CSRF token in cached bodies
_CLOSING_HEADING = re.compile(r"</h[1-6]>")


def _spec(network, slug):
    return services.get_spec_or_404(network, slug, viewer=current_user)


def _upto(spec):
    return services.visible_upto(spec, current_user)


def _render(template, spec, status=200, **context):
    return render_template(template, spec=spec, network=spec.network, **context), status


@bp.route("/")
def index(network):
    found = networks.get_network_or_404(network)
    return render_template("specs/index.html", network=found,
                           specs=services.list_specs(found, viewer=current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(network):
    found = networks.get_network_or_404(network)
    permissions.require(current_user, "spec.create", found)
    form = SpecForm()
    if form.validate_on_submit() and "preview" not in request.form:
        try:
            spec = services.create_spec(found, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The specification is created as a draft."), "success")
            return redirect(url_for("specs.show", network=network, slug=spec.slug))
    preview = render(form.text.data or "") if "preview" in request.form else None
    status = 422 if form.is_submitted() and not preview else 200
    return render_template("specs/new.html", network=found, form=form, preview=preview), status


@bp.route("/preview", methods=["POST"])
@login_required
def preview(network):
    """The rendered text as an HTML fragment, for the editor's live preview (same renderer as the page)."""
    found = networks.get_network_or_404(network)
    permissions.require(current_user, "spec.create", found)
    form = EditForm()
    if not form.validate():
        abort(400)
    return Response(render(form.text.data or "").html, mimetype="text/html")


@bp.route("/<slug>")
def show(network, slug):
    """The rendered text. The page body is cached per process under a key holding everything it
    shows: the specification row's updated_at moves on every save, state or details change, and
    when a criterion its text embeds changes (see criteria.services)."""
    spec = _spec(network, slug)
    upto = _upto(spec)
    requested = request.args.get("revision") or None
    may_edit = permissions.may(current_user, "spec.edit", spec)
    may_manage = permissions.may(current_user, "spec.manage", spec)
    key = (spec.id, spec.updated_at, spec.head_revision, spec.public_revision, spec.network.name, requested,
           upto, may_edit, may_manage, _locale(), date.today())
    content = _pages.get(key)
    if content is None:
        content = Markup(_show_body(spec, requested, upto, may_edit, may_manage))
        _pages.put(key, content)
    if _CSRF_SLOT in content:  # forms in a cached body get this reader's token
        content = Markup(content.replace(_CSRF_SLOT, generate_csrf()))
    return render_template("specs/show.html", spec=spec, network=spec.network, content=content)


def _show_body(spec, requested, upto, may_edit, may_manage) -> str:
    revision, text = services.read_spec(spec, requested, upto=upto)
    rendered = services.rendered_of(spec, revision)
    is_latest = revision.commit_id == spec.head_revision
    html = rendered.html
    if is_latest and upto is None and may_edit:
        html = _with_section_links(spec, rendered, text)
    updates = criteria.pin_updates(spec, text) if is_latest and may_edit else []
    public = None
    if spec.public_revision:
        public = revision if spec.public_revision == revision.commit_id else services.revision_of(
            spec, spec.public_revision)
    return render_template("specs/_show.html", spec=spec, network=spec.network, revision=revision,
                           rendered=rendered, html=html, is_latest=is_latest, text=text,
                           is_readers_latest=upto is None and is_latest or revision.number == upto,
                           version=services.version_of(spec, revision.commit_id), public=public,
                           today=date.today(), may_edit=may_edit, may_manage=may_manage, csrf_slot=_CSRF_SLOT, updates=[
                               (c, pinned, latest, criteria.diff(c, criteria.revision_of(c, f"r{pinned}"), latest))
                               for c, pinned, latest in updates],
                           cpv_labels=[(c.code, cpv.label(c.code, _locale())) for c in spec.cpv_codes])


def _locale() -> str:
    from flask_babel import get_locale
    return str(get_locale() or "sv")


def _with_section_links(spec, rendered, text) -> Markup:
    """Put an "edit this section" link after each heading, when the source's headings, the page's
    headings and the table of contents agree (raw HTML headings in a text, say, make them differ)."""
    html = str(rendered.html)
    if not len(sections.headings(text)) == len(rendered.toc) == len(_CLOSING_HEADING.findall(html)):
        return rendered.html
    counter = iter(range(1, len(rendered.toc) + 1))
    edit_url = url_for("specs.edit", network=spec.network.slug, slug=spec.slug)
    label = escape(_("Edit section"))

    def link(match):
        number = next(counter)
        heading = rendered.toc[number - 1]
        url = f"{edit_url}?section={number}"
        return (f'{match.group(0)}<p class="section-edit"><a href="{escape(url)}">{label}'
                f'<span class="visually-hidden"> “{escape(heading.title)}”</span></a></p>')

    return Markup(_CLOSING_HEADING.sub(link, html))


@bp.route("/<slug>/raw")
def raw(network, slug):
    spec = _spec(network, slug)
    revision, text = services.read_spec(spec, request.args.get("revision") or None, upto=_upto(spec))
    filename = f"{spec.slug}-r{revision.number}.md"
    return Response(text, mimetype="text/markdown", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(network, slug):
    spec = _spec(network, slug)
    permissions.require(current_user, "spec.edit", spec)
    if request.method == "GET":
        revision, text = services.read_spec(spec)
        section = request.args.get("section", type=int)
        if section is not None:
            text = services.section_text(spec, revision, section)
        form = EditForm(text=text, base_revision=revision.commit_id, section=section)
        return _render("specs/edit.html", spec, form=form, preview=None)
    form = EditForm()
    if "preview" in request.form and form.validate():
        return _render("specs/edit.html", spec, form=form, preview=render(form.text.data or ""))
    if form.validate_on_submit():
        try:
            outcome = services.save_spec(spec, form.text.data or "", base_revision=form.base_revision.data or "",
                                         message=form.message.data or "", actor=current_user,
                                         section=form.section.data)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except services.EditConflict as conflict:
            return _conflict(spec, form, conflict)
        else:
            _flash_outcome(outcome)
            return redirect(url_for("specs.show", network=network, slug=slug))
    return _render("specs/edit.html", spec, 422, form=form, preview=None)


def _flash_outcome(outcome) -> None:
    if outcome.is_unchanged:
        flash(_("Nothing had changed, so no new revision was made."), "info")
    elif outcome.merged:
        flash(_("Your change was merged with changes saved meanwhile by %(names)s, and saved.",
                names=", ".join(outcome.merged_with)), "success")
    else:
        flash(_("Saved."), "success")


def _conflict(spec, form, conflict):
    """409: the person's whole text (with conflict markers) stays in the editor, based on the new head."""
    mine = form.text.data or ""
    if form.section.data is not None:  # the conflict is about the whole text now
        mine = conflict.conflict_text
    diff = services.diff_texts(conflict.current_text, mine)
    form.text.data = conflict.conflict_text
    form.base_revision.data = conflict.current_revision
    form.section.data, form.section.raw_data = None, []  # the field would echo the submitted value
    return _render("specs/conflict.html", spec, 409, form=form, conflict=conflict, diff=diff)


@bp.route("/<slug>/history")
def history(network, slug):
    spec = _spec(network, slug)
    page = max(1, request.args.get("page", 1, type=int))
    revisions, total = services.history(spec, limit=PAGE, offset=(page - 1) * PAGE, upto=_upto(spec))
    versions = {v.commit_id: v for v in spec.versions}
    return _render("specs/history.html", spec, revisions=revisions, total=total, page=page,
                   pages=max(1, -(-total // PAGE)), versions=versions,
                   may_edit=permissions.may(current_user, "spec.edit", spec))


@bp.route("/<slug>/diff")
def diff(network, slug):
    spec = _spec(network, slug)
    upto = _upto(spec)
    new = services.revision_of(spec, request.args.get("to") or None, upto=upto)
    old_arg = request.args.get("from") or f"r{max(1, new.number - 1)}"
    old = services.revision_of(spec, old_arg, upto=upto)
    layout = "inline" if request.args.get("layout") == "inline" else "side"
    return _render("specs/diff.html", spec, old=old, new=new, rows=services.diff(spec, old, new), layout=layout)


@bp.route("/<slug>/blame")
def blame(network, slug):
    spec = _spec(network, slug)
    revision = services.revision_of(spec, request.args.get("revision") or None, upto=_upto(spec))
    return _render("specs/blame.html", spec, revision=revision, lines=services.blame(spec, revision))


@bp.route("/<slug>/revert", methods=["GET", "POST"])
@login_required
def revert(network, slug):
    spec = _spec(network, slug)
    permissions.require(current_user, "spec.edit", spec)
    target = services.revision_of(spec, request.values.get("revision") or "r1")
    latest = services.revision_of(spec)
    form = RevertForm()
    if form.validate_on_submit():
        try:
            outcome = services.revert_spec(spec, target.commit_id, reason=form.reason.data or "",
                                           actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except services.EditConflict:  # cannot happen with base = head, but never lose the request
            flash(_("The text changed while you reverted. Look at the latest revision and try again."), "error")
        else:
            _flash_outcome(outcome)
            return redirect(url_for("specs.show", network=network, slug=slug))
    status = 422 if form.is_submitted() else 200
    return _render("specs/revert.html", spec, status, form=form, target=target, latest=latest,
                   rows=services.diff(spec, latest, target))


@bp.route("/<slug>/details", methods=["GET", "POST"])
@login_required
def details(network, slug):
    spec = _spec(network, slug)
    permissions.require(current_user, "spec.edit", spec)
    form = DetailsForm()
    if request.method == "GET":
        form.fill(spec)
    elif form.validate_on_submit():
        try:
            services.update_details(spec, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The details are saved."), "success")
            return redirect(url_for("specs.show", network=network, slug=slug))
    return _render("specs/details.html", spec, 422 if form.is_submitted() else 200, form=form)


# --- versions and lifecycle ----------------------------------------------------------------------

@bp.route("/<slug>/versions")
def versions(network, slug):
    spec = _spec(network, slug)
    return _render("specs/versions.html", spec, versions=list(reversed(spec.versions)))


@bp.route("/<slug>/versions/v<int:number>")
def version(network, slug, number):
    """An adopted version and what changed since the previous one."""
    spec = _spec(network, slug)
    found = next((v for v in spec.versions if v.number == number), None)
    if found is None:
        raise NotFound()
    new = services.revision_of(spec, found.commit_id)
    previous = next((v for v in spec.versions if v.number == number - 1), None)
    old = services.revision_of(spec, previous.commit_id) if previous else None
    rows = services.diff(spec, old, new) if old else None
    return _render("specs/version.html", spec, version=found, previous=previous, old=old, new=new, rows=rows)


@bp.route("/<slug>/status", methods=["GET"])
@login_required
def status(network, slug):
    spec = _spec(network, slug)
    permissions.require(current_user, "spec.manage", spec)
    return _status_page(spec)


def _status_page(spec, status=200, *, consultation=None, adopt=None, archive=None):
    archive = archive or ArchiveForm()
    archive.successor.choices = [("", _("No successor"))] + [
        (s.slug, s.title) for s in services.list_specs(spec.network, viewer=current_user)
        if s.id != spec.id and s.is_public]
    return _render("specs/status.html", spec, status, consultation=consultation or ConsultationForm(),
                   adopt=adopt or AdoptForm(), archive=archive, empty=EmptyForm(),
                   latest=services.revision_of(spec))


def _lifecycle_action(spec, form_name, form, action):
    """Run a lifecycle change from the status page; on bad input show the page again with the form."""
    if form.validate_on_submit():
        try:
            message = action()
        except InvalidInput as err:
            form.apply_errors(err.errors)
            if not err.errors:
                flash(str(err.message), "error")
        else:
            flash(message, "success")
            return redirect(url_for("specs.show", network=spec.network.slug, slug=spec.slug))
    return _status_page(spec, 422, **({form_name: form} if form_name else {}))


@bp.route("/<slug>/consultation", methods=["POST"])
@login_required
def consultation(network, slug):
    spec = _spec(network, slug)
    form = ConsultationForm()

    def run():
        lifecycle.open_consultation(spec, form.closes.data, actor=current_user)
        return _("The specification is out for consultation.")
    return _lifecycle_action(spec, "consultation", form, run)


@bp.route("/<slug>/consultation/end", methods=["POST"])
@login_required
def end_consultation(network, slug):
    spec = _spec(network, slug)

    def run():
        lifecycle.end_consultation(spec, actor=current_user)
        return _("The consultation is closed.")
    return _lifecycle_action(spec, None, EmptyForm(), run)


@bp.route("/<slug>/adopt", methods=["POST"])
@login_required
def adopt(network, slug):
    spec = _spec(network, slug)
    form = AdoptForm()

    def run():
        version = lifecycle.adopt(spec, note=form.note.data or "", decided_on=form.decided_on.data,
                                  actor=current_user)
        return _("Version %(version)s is adopted and public.", version=version.label)
    return _lifecycle_action(spec, "adopt", form, run)


@bp.route("/<slug>/archive", methods=["POST"])
@login_required
def archive(network, slug):
    spec = _spec(network, slug)
    form = ArchiveForm()  # the successor is checked by the service

    def run():
        successor = (services.get_spec_or_404(network, form.successor.data, viewer=current_user)
                     if form.successor.data else None)
        lifecycle.archive(spec, actor=current_user, successor=successor)
        return _("The specification is superseded.") if successor else _("The specification is archived.")
    return _lifecycle_action(spec, "archive", form, run)


@bp.route("/<slug>/criteria/<code>/update", methods=["POST"])
@login_required
def update_criterion(network, slug, code):
    """Point the text's references to a criterion at its latest revision (a revision like any edit)."""
    spec = _spec(network, slug)
    permissions.require(current_user, "spec.edit", spec)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        outcome = criteria.update_pin(spec, code, actor=current_user)
    except services.EditConflict:
        flash(_("The text changed meanwhile. Look at the latest revision and try again."), "error")
    else:
        _flash_outcome(outcome)
    return redirect(url_for("specs.show", network=network, slug=slug))


@bp.route("/<slug>/criteria.csv")
def criteria_csv(network, slug):
    """The embedded criteria as a checklist for the procurement documents (safe in spreadsheets)."""
    spec = _spec(network, slug)
    revision, text = services.read_spec(spec, request.args.get("revision") or None, upto=_upto(spec))
    filename = f"{spec.slug}-r{revision.number}-kriterier.csv"
    return Response(criteria.checklist_csv(spec, text), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
