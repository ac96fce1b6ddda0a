"""Letter of intent pages: list, draft, read (with the aggregated demand), edit with merge or
conflict, history and compare, open and close, move to a new version, sign, confirm, withdraw,
receipt, print view, signatory CSV and the audit log."""
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..accounts.forms import EmptyForm
from ..errors import InvalidInput, NotFound
from ..networks import services as networks
from ..needs import services as needs
from ..rendering import render
from . import search as _search_provider  # noqa: F401 - registers letters with the search index
from . import lifecycle, services, signing
from .chart import timeline
from .forms import DetailsForm, EditForm, IntentForm, MoveForm, SignForm, WithdrawForm
from .models import PUBLIC_BODY_KINDS

bp = Blueprint("intents", __name__, url_prefix="/networks/<network>/intents")


def _intent(network, slug):
    return services.get_intent_or_404(network, slug, viewer=current_user)


def _render(template, intent, status=200, **context):
    return render_template(template, intent=intent, network=intent.network, **context), status


def _back(intent):
    return redirect(url_for("intents.show", network=intent.network.slug, slug=intent.slug))


@bp.route("/")
def index(network):
    found = networks.get_network_or_404(network)
    return render_template("intents/index.html", network=found,
                           intents=services.list_intents(found, viewer=current_user))


def _version_choices(network):
    return [(f"{spec.slug}@{v.number}", f"{spec.title} – v{v.number}")
            for spec, v in services.adopted_versions(network)]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(network):
    found = networks.get_network_or_404(network)
    permissions.require(current_user, "intent.create", found)
    form = IntentForm()
    form.version.choices = _version_choices(found)
    if form.validate_on_submit():
        spec_slug, _sep, number = (form.version.data or "").partition("@")
        try:
            spec, version = services.find_version(found, spec_slug, int(number) if number.isdigit() else None)
            intent = services.create_intent(found, spec, version, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The letter of intent is created as a draft."), "success")
            return redirect(url_for("intents.show", network=network, slug=intent.slug))
    return render_template("intents/new.html", network=found, form=form), (422 if form.is_submitted() else 200)


@bp.route("/<slug>")
def show(network, slug):
    """The letter: text, what is at stake (the aggregate and its timeline), who signed which version."""
    intent = _intent(network, slug)
    revision, header, body = services.read_intent(intent)
    aggregate = signing.aggregate(intent)
    own = None
    if current_user.is_authenticated and current_user.approved_organisation:
        own = signing.active_signature(intent, current_user.approved_organisation.id)
    return _render("intents/show.html", intent, revision=revision, header=header, html=render(body).html,
                   aggregate=aggregate, chart=_chart(aggregate), own=own, empty=EmptyForm(),
                   newer=lifecycle.newer_version(intent), move=_move_form(intent), today=date.today(),
                   history=[s for s in intent.signatures if s.status != "active"],
                   related_needs=needs.related_to_intent(intent))


def _chart(aggregate):
    return timeline([(s.organisation.name if s.shows_name else _("Organisation not named"), s.window_start,
                      s.window_end) for s in aggregate.signatures])


def _move_form(intent):
    form = MoveForm()
    form.version.choices = [(str(v.number), f"v{v.number} ({v.decided_on.isoformat()})")
                            for v in reversed(intent.spec.versions) if v.number > intent.spec_version]
    return form


@bp.route("/<slug>/print")
def print_view(network, slug):
    """The letter and its signature list, for paper (public names only unless the reader is a member)."""
    intent = _intent(network, slug)
    revision, header, body = services.read_intent(intent)
    return _render("intents/print.html", intent, revision=revision, html=render(body).html,
                   aggregate=signing.aggregate(intent),
                   members_view=permissions.may(current_user, "intent.signatories", intent))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(network, slug):
    intent = _intent(network, slug)
    permissions.require(current_user, "intent.edit", intent)
    if request.method == "GET":
        revision, _header, body = services.read_intent(intent)
        return _render("intents/edit.html", intent, form=EditForm(text=body, base_revision=revision.commit_id),
                       preview=None)
    form = EditForm()
    if "preview" in request.form and form.validate():
        return _render("intents/edit.html", intent, form=form, preview=render(form.text.data or ""))
    if form.validate_on_submit():
        try:
            outcome = services.save_intent(intent, form.text.data or "", base_revision=form.base_revision.data or "",
                                           message=form.message.data or "", actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except services.EditConflict as conflict:
            _header, theirs = services.split(conflict.current_text)
            _header, mine = services.split(conflict.conflict_text)
            rows = services.diff_texts(theirs, form.text.data or "")
            form.text.data, form.base_revision.data = mine, conflict.current_revision
            return _render("intents/conflict.html", intent, 409, form=form, rows=rows)
        else:
            if outcome.is_unchanged:
                flash(_("Nothing had changed, so no new revision was made."), "info")
            elif outcome.merged:
                flash(_("Your change was merged with changes saved meanwhile by %(names)s, and saved.",
                        names=", ".join(outcome.merged_with)), "success")
            else:
                flash(_("Saved."), "success")
            return _back(intent)
    return _render("intents/edit.html", intent, 422, form=form, preview=None)


@bp.route("/<slug>/details", methods=["GET", "POST"])
@login_required
def details(network, slug):
    intent = _intent(network, slug)
    permissions.require(current_user, "intent.edit", intent)
    form = DetailsForm()
    if request.method == "GET":
        form.fill(intent)
    elif form.validate_on_submit():
        try:
            services.update_details(intent, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The details are saved."), "success")
            return _back(intent)
    return _render("intents/details.html", intent, 422 if form.is_submitted() else 200, form=form)


@bp.route("/<slug>/history")
def history(network, slug):
    intent = _intent(network, slug)
    return _render("intents/history.html", intent, revisions=services.history(intent))


@bp.route("/<slug>/diff")
def diff(network, slug):
    intent = _intent(network, slug)
    new = services.revision_of(intent, request.args.get("to") or None)
    old = services.revision_of(intent, request.args.get("from") or f"r{max(1, new.number - 1)}")
    return _render("intents/diff.html", intent, old=old, new=new, rows=services.diff(intent, old, new))


@bp.route("/<slug>/<any(open, close):action>", methods=["POST"])
@login_required
def change_status(network, slug, action):
    intent = _intent(network, slug)
    permissions.require(current_user, "intent.manage", intent)
    if EmptyForm().validate_on_submit():
        try:
            if action == "open":
                lifecycle.open_intent(intent, actor=current_user)
                flash(_("The letter is open: the market sees it and signers may sign."), "success")
            else:
                lifecycle.close_intent(intent, actor=current_user)
                flash(_("The letter is closed for signing."), "success")
        except InvalidInput as err:
            flash(str(err.message), "error")
    return _back(intent)


@bp.route("/<slug>/move", methods=["POST"])
@login_required
def move(network, slug):
    intent = _intent(network, slug)
    permissions.require(current_user, "intent.manage", intent)
    form = _move_form(intent)
    if form.validate_on_submit():
        try:
            lifecycle.move_to_version(intent, int(form.version.data) if (form.version.data or "").isdigit() else 0,
                                     actor=current_user)
        except InvalidInput as err:
            flash(str(err.errors.get("version") or err.message), "error")
        except services.EditConflict:
            flash(_("The text changed meanwhile. Look at the latest revision and try again."), "error")
        else:
            flash(_("The letter now refers to %(version)s. Signers of earlier versions are asked to confirm.",
                    version=intent.version_label), "success")
    return _back(intent)


def _sign_page(intent, form, status=200, *, confirming=None):
    version = services.current_version(intent)
    return _render("intents/sign.html", intent, status, form=form, confirming=confirming, version=version,
                   tag=services.spec_tag(intent.spec, version), revision=services.revision_of(intent),
                   is_public_body=current_user.approved_organisation.kind in PUBLIC_BODY_KINDS)


@bp.route("/<slug>/sign", methods=["GET", "POST"])
@login_required
def sign(network, slug):
    intent = _intent(network, slug)
    permissions.require(current_user, "intent.sign", intent)
    form = SignForm()
    if request.method == "GET":
        form.signer_name.data, form.quantity_unit.data = current_user.name, intent.quantity_unit
        return _sign_page(intent, form)
    if form.validate_on_submit():
        try:
            signature = signing.sign_intent(intent, form.to_draft(), actor=current_user)
        except signing.AlreadySigned as err:
            form.errors_banner = str(err.message)
            return _sign_page(intent, form, 409)
        except InvalidInput as err:
            form.apply_errors(err.errors)
            if not err.errors:
                form.errors_banner = str(err.message)
        else:
            flash(_("Signed for %(org)s. Keep the receipt.", org=signature.organisation.name), "success")
            return redirect(url_for("intents.receipt", network=network, slug=slug, signature_id=signature.id))
    return _sign_page(intent, form, 422)


@bp.route("/<slug>/confirm", methods=["GET", "POST"])
@login_required
def confirm(network, slug):
    intent = _intent(network, slug)
    permissions.require(current_user, "intent.sign", intent)
    old = signing.active_signature(intent, current_user.approved_organisation.id)
    if old is None or not old.needs_confirmation:
        flash(_("Your organisation has no signature waiting for confirmation."), "info")
        return _back(intent)
    form = SignForm()
    if request.method == "GET":
        form.fill(signing.SignatureDraft.from_signature(old))
        form.signer_name.data = current_user.name
        return _sign_page(intent, form, confirming=old)
    if form.validate_on_submit():
        try:
            signature = signing.confirm_signature(intent, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
            if not err.errors:
                form.errors_banner = str(err.message)
        else:
            flash(_("Confirmed for %(version)s.", version=signature.version_label), "success")
            return redirect(url_for("intents.receipt", network=network, slug=slug, signature_id=signature.id))
    return _sign_page(intent, form, 422, confirming=old)


@bp.route("/<slug>/signatures/<int:signature_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(network, slug, signature_id):
    intent = _intent(network, slug)
    signature = signing.get_signature_or_404(intent, signature_id)
    permissions.require(current_user, "signature.withdraw", signature)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            signing.withdraw_signature(signature, form.reason.data or "", actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The signature is withdrawn. It stays in the letter's history."), "success")
            return _back(intent)
    return _render("intents/withdraw.html", intent, 422 if form.is_submitted() else 200, form=form,
                   signature=signature)


@bp.route("/<slug>/signatures/<int:signature_id>")
@login_required
def receipt(network, slug, signature_id):
    """A printable receipt with the ids the signature is bound to (the signing organisation and the
    network's members)."""
    intent = _intent(network, slug)
    signature = signing.get_signature_or_404(intent, signature_id)
    own = current_user.approved_organisation and current_user.approved_organisation.id == signature.organisation_id
    if not own and not permissions.may(current_user, "intent.signatories", intent):
        raise NotFound()
    return _render("intents/receipt.html", intent, signature=signature)


@bp.route("/<slug>/signatories.csv")
@login_required
def signatories_csv(network, slug):
    intent = _intent(network, slug)
    body = signing.signatories_csv(intent, viewer=current_user)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{intent.slug}-signaturer.csv"'})


@bp.route("/<slug>/audit")
@login_required
def audit(network, slug):
    intent = _intent(network, slug)
    return _render("intents/audit.html", intent, events=services.audit_log(intent, viewer=current_user))
