"""Specification pages: list, create, read (any revision), edit with merge or conflict, history, diff."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..errors import InvalidInput
from ..networks import services as networks
from ..rendering import render
from . import services
from .forms import EditForm, SpecForm

bp = Blueprint("specs", __name__, url_prefix="/networks/<network>/specs")
PAGE = 25


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
    if form.validate_on_submit():
        try:
            spec = services.create_spec(found, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The specification is created as a draft."), "success")
            return redirect(url_for("specs.show", network=network, slug=spec.slug))
    return render_template("specs/new.html", network=found, form=form), (422 if form.is_submitted() else 200)


@bp.route("/<slug>")
def show(network, slug):
    spec = services.get_spec_or_404(network, slug, viewer=current_user)
    revision, text = services.read_spec(spec, request.args.get("revision") or None)
    return render_template("specs/show.html", spec=spec, network=spec.network, revision=revision,
                           rendered=render(text), is_latest=revision.commit_id == spec.head_revision)


@bp.route("/<slug>/raw")
def raw(network, slug):
    spec = services.get_spec_or_404(network, slug, viewer=current_user)
    revision, text = services.read_spec(spec, request.args.get("revision") or None)
    filename = f"{spec.slug}-r{revision.number}.md"
    return Response(text, mimetype="text/markdown", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(network, slug):
    spec = services.get_spec_or_404(network, slug, viewer=current_user)
    permissions.require(current_user, "spec.edit", spec)
    if request.method == "GET":
        revision, text = services.read_spec(spec)
        form = EditForm(text=text, base_revision=revision.commit_id)
        return render_template("specs/edit.html", spec=spec, network=spec.network, form=form)
    form = EditForm()
    if form.validate_on_submit():
        try:
            outcome = services.save_spec(spec, form.text.data or "", base_revision=form.base_revision.data or "",
                                         message=form.message.data or "", actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except services.EditConflict as conflict:
            return _conflict(spec, form, conflict)
        else:
            if outcome.is_unchanged:
                flash(_("Nothing had changed, so no new revision was made."), "info")
            elif outcome.merged:
                flash(_("Your change was merged with changes saved meanwhile by %(names)s, and saved.",
                        names=", ".join(outcome.merged_with)), "success")
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("specs.show", network=network, slug=slug))
    return render_template("specs/edit.html", spec=spec, network=spec.network, form=form), 422


def _conflict(spec, form, conflict):
    """409: the person's text (with conflict markers) stays in the editor, based on the new head."""
    diff = services.diff_texts(conflict.current_text, form.text.data or "")
    form.text.data = conflict.conflict_text
    form.base_revision.data = conflict.current_revision
    return render_template("specs/conflict.html", spec=spec, network=spec.network, form=form,
                           conflict=conflict, diff=diff), 409


@bp.route("/<slug>/history")
def history(network, slug):
    spec = services.get_spec_or_404(network, slug, viewer=current_user)
    page = max(1, request.args.get("page", 1, type=int))
    revisions, total = services.history(spec, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("specs/history.html", spec=spec, network=spec.network, revisions=revisions,
                           total=total, page=page, pages=max(1, -(-total // PAGE)))


@bp.route("/<slug>/diff")
def diff(network, slug):
    spec = services.get_spec_or_404(network, slug, viewer=current_user)
    old, new = request.args.get("from") or "r1", request.args.get("to") or None
    old_revision, new_revision = services.revision_of(spec, old), services.revision_of(spec, new)
    lines = services.diff_lines(services.diff(spec, old_revision.commit_id, new_revision.commit_id))
    return render_template("specs/diff.html", spec=spec, network=spec.network, old=old_revision,
                           new=new_revision, lines=lines)
