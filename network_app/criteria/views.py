"""Criteria pages: browse with facets, a criterion with its history, compare, create and edit."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..errors import InvalidInput, NotFound
from ..networks import services as networks
from ..rendering import render
from ..revcache import EditConflict
from . import search as _search_provider  # noqa: F401 - registers the criteria with the search index
from . import services
from .forms import CriterionForm, StatusForm

bp = Blueprint("criteria", __name__, url_prefix="/criteria")


@bp.route("/")
def index():
    filters = {name: request.args.get(name, "") for name in services.FACETS}
    criteria, facets = services.browse(current_user, filters)
    own = [n for n in networks.list_networks() if permissions.may(current_user, "criterion.create", n)] \
        if current_user.is_authenticated else []
    return render_template("criteria/index.html", criteria=criteria, facets=facets, filters=filters,
                           may_create=permissions.may(current_user, "criterion.create", None), own_networks=own)


@bp.route("/<code>")
def show(code):
    criterion = services.get_criterion_or_404(code, viewer=current_user)
    revision = services.revision_of(criterion, request.args.get("revision") or None)
    text = services.text_of(criterion, revision)
    return render_template("criteria/show.html", criterion=criterion, revision=revision,
                           requirement=render(text.requirement), rationale=render(text.rationale),
                           verification=render(text.verification), history=services.history(criterion, limit=20),
                           used_in=services.used_in(criterion, viewer=current_user),
                           may_edit=permissions.may(current_user, "criterion.edit", criterion),
                           status_form=StatusForm(status=criterion.status,
                                                  successor=criterion.successor.code if criterion.successor else ""))


@bp.route("/<code>/status", methods=["POST"])
@login_required
def status(code):
    """Mark a criterion active, revised (pointing to its successor) or retired."""
    criterion = services.get_criterion_or_404(code, viewer=current_user)
    permissions.require(current_user, "criterion.edit", criterion)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            successor = (services.get_criterion_or_404(form.successor.data.strip(), viewer=current_user)
                         if (form.successor.data or "").strip() else None)
            services.set_status(criterion, form.status.data, actor=current_user, successor=successor)
        except (InvalidInput, NotFound):
            flash(_("A revised criterion names its successor (an existing criterion); others do not."), "error")
        else:
            flash(_("The status is saved."), "success")
    return redirect(url_for("criteria.show", code=criterion.code))


@bp.route("/<code>/diff")
def diff(code):
    criterion = services.get_criterion_or_404(code, viewer=current_user)
    new = services.revision_of(criterion, request.args.get("to") or None)
    old = services.revision_of(criterion, request.args.get("from") or f"r{max(1, new.number - 1)}")
    return render_template("criteria/diff.html", criterion=criterion, old=old, new=new,
                           rows=services.diff(criterion, old, new))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    network = networks.get_network_or_404(request.args["network"]) if request.args.get("network") else None
    permissions.require(current_user, "criterion.create", network)
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            criterion = services.create_criterion(form.to_draft(), actor=current_user, network=network)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("Criterion %(code)s is created.", code=criterion.code), "success")
            return redirect(url_for("criteria.show", code=criterion.code))
    return render_template("criteria/edit.html", form=form, criterion=None, network=network), (
        422 if form.is_submitted() else 200)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code):
    criterion = services.get_criterion_or_404(code, viewer=current_user)
    permissions.require(current_user, "criterion.edit", criterion)
    form = CriterionForm()
    if request.method == "GET":
        revision = services.revision_of(criterion)
        form.fill(criterion, services.text_of(criterion, revision), revision)
    elif form.validate_on_submit():
        try:
            outcome = services.save_criterion(criterion, form.to_draft(), base_revision=form.base_revision.data or "",
                                              actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except EditConflict as conflict:
            parts = services.CriterionText.parse(conflict.conflict_text)
            form.requirement.data, form.rationale.data, form.verification.data = (parts.requirement, parts.rationale,
                                                                                  parts.verification)
            form.base_revision.data = conflict.current_revision
            flash(_("Someone else changed the same part of the text since you started. Your text is kept "
                    "below with both versions between the markers: keep what should stay and save again."), "error")
            return render_template("criteria/edit.html", form=form, criterion=criterion, network=criterion.network), 409
        else:
            flash(_("Merged with changes saved meanwhile by %(names)s, and saved.", names=", ".join(outcome.merged_with))
                  if outcome.merged else _("Saved."), "success")
            return redirect(url_for("criteria.show", code=criterion.code))
    return render_template("criteria/edit.html", form=form, criterion=criterion, network=criterion.network), (
        422 if form.is_submitted() else 200)
