"""Planned needs: the public list and feed, a need's page with its history, publishing and status,
interest registrations, messages, questions and answers, and a supplier's watches."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import permissions
from ..accounts.forms import EmptyForm
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..labels import choices, pairs
from ..links import external_url
from ..networks.models import Network
from ..rendering import render
from . import engagement, notify, opendata, services, watches  # noqa: F401 - notify listens for adoptions
from . import search as _search_provider  # noqa: F401 - registers the needs with the search index
from .forms import (AnswerForm, InterestForm, MessageForm, NeedForm, QuestionForm, StatusForm, WatchForm,
                    municipality_names)
from .models import NEXT_STATUSES

bp = Blueprint("needs", __name__)


def _need(need_id: int):
    return services.get_need_or_404(need_id, viewer=current_user)


def _managed(need_id: int):
    need = _need(need_id)
    permissions.require(current_user, "need.edit", need)
    return need


# --- the public list and feed -------------------------------------------------------------------------

@bp.route("/needs/")
def index():
    filters = services.NeedFilters.from_args(request.args)
    found = services.find_needs(filters)
    networks = db.session.execute(select(Network.slug, Network.name).order_by(Network.name)).all()
    return render_template("needs/index.html", page=found, filters=filters, buyers=services.buyers(),
                           networks=networks, sorts=_sort_labels(),
                           may_publish=bool(services.publishers(current_user)))


def _sort_labels():
    return [("notice", _("Planned notice date")), ("newest", _("Newest published")), ("value", _("Highest value")),
            ("title", _("Title"))]


@bp.route("/needs/feed.atom")
def feed():
    filters = services.NeedFilters.from_args(request.args)
    filters.sort, filters.page = "newest", 1
    filters.per_page = min(filters.per_page, 50) if "per_page" in request.args else 50
    found = services.find_needs(filters)
    args = filters.args(sort=None, page=None)
    body = opendata.needs_atom(found.needs, title=_("Planned procurements"),
                               feed_url=external_url("needs.feed", **args),
                               alternate_url=external_url("needs.index", **args))
    return Response(body, mimetype="application/atom+xml")


@bp.route("/needs/mine")
@login_required
def mine():
    return render_template("needs/mine.html", needs=services.own_needs(current_user),
                           may_publish=bool(services.publishers(current_user)))


# --- publishing ---------------------------------------------------------------------------------------

def _need_form(form: NeedForm, publishers) -> NeedForm:
    form.network.choices = pairs(publishers)
    form.spec.choices = pairs([("", _("None"))] + services.adopted_versions())
    form.intent.choices = pairs([("", _("None"))] + services.opened_intents())
    return form


@bp.route("/needs/new", methods=["GET", "POST"])
@login_required
def create():
    publishers = services.publishers(current_user)
    if not publishers:
        permissions.require(current_user, "need.create")
    form = _need_form(NeedForm(), publishers)
    if request.method == "GET":
        form.network.data = request.args.get("network", "")
        form.contact_name.data, form.contact_email.data = current_user.name, current_user.email
    elif form.validate_on_submit():
        try:
            need = services.create_need(form.to_draft(), actor=current_user, network=form.network.data or "",
                                        publish="publish" in request.form)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The need is published.") if need.is_published else
                  _("The need is saved as a draft. Only you and your colleagues see it until it is published."),
                  "success")
            return redirect(url_for("needs.show", need_id=need.id))
    status = 422 if form.is_submitted() else 200
    return render_template("needs/form.html", form=form, need=None), status


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit(need_id):
    need = _managed(need_id)
    form = _need_form(NeedForm(), [("", need.buyer_name)])
    if request.method == "GET":
        form.fill(services.draft_of(need))
    elif form.validate_on_submit():
        try:
            changes = services.update_need(need, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except services.StatusRefused as err:
            flash(err.message, "error")
            return redirect(url_for("needs.show", need_id=need.id))
        else:
            flash(_("Saved. The change is shown in the need's history.") if changes and need.is_published else
                  _("Saved.") if changes else _("Nothing had changed."), "success" if changes else "info")
            return redirect(url_for("needs.show", need_id=need.id))
    status = 422 if form.is_submitted() else 200
    return render_template("needs/form.html", form=form, need=need), status


@bp.route("/needs/<int:need_id>/publish", methods=["POST"])
@login_required
def publish(need_id):
    need = _managed(need_id)
    if EmptyForm().validate_on_submit():
        try:
            services.publish_need(need, actor=current_user)
        except services.StatusRefused as err:
            flash(err.message, "error")
        else:
            flash(_("The need is published. Suppliers watching its CPV codes and counties are told."), "success")
    return redirect(url_for("needs.show", need_id=need.id))


@bp.route("/needs/<int:need_id>/status", methods=["GET", "POST"])
@login_required
def status(need_id):
    need = _managed(need_id)
    form = StatusForm()
    from ..labels import LABELS

    form.status.choices = pairs((s, LABELS["need_status"][s]) for s in NEXT_STATUSES.get(need.status, ()))
    if form.validate_on_submit():
        try:
            services.change_status(need, form.status.data or "", actor=current_user,
                                   notice_reference=form.notice_reference.data or "",
                                   notice_url=form.notice_url.data or "", reason=form.reason.data or "")
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except services.StatusRefused as err:
            form.status.errors = list(form.status.errors) + [str(err.message)]
        else:
            flash(_("The status is changed. Suppliers who registered interest are told."), "success")
            return redirect(url_for("needs.show", need_id=need.id))
    code = 422 if form.is_submitted() else 200
    return render_template("needs/status.html", need=need, form=form), code


# --- a need's page ------------------------------------------------------------------------------------

@bp.route("/needs/<int:need_id>")
def show(need_id):
    need = _need(need_id)
    org = permissions.Actor.of(current_user).organisation
    interest = engagement.interest_of(need, org) if org else None
    answered, open_questions = engagement.questions_for(need, current_user)
    return render_template(
        "needs/show.html", need=need, description=render(need.description).html, interest=interest,
        interest_count=services.interest_count(need), history=services.history(need),
        messages=engagement.messages_for(need, current_user), answered=answered, open_questions=open_questions,
        may_edit=permissions.may(current_user, "need.edit", need),
        may_register=permissions.may(current_user, "need.register_interest", need),
        may_ask=permissions.may(current_user, "question.ask", need), question_form=QuestionForm(),
        answer_forms=_answer_forms(need, open_questions),
        answer_url=lambda q: url_for("needs.answer", need_id=need.id, question_id=q.id),
        empty=EmptyForm(), **_history_words())


def _answer_forms(target, open_questions) -> dict:
    """question id -> its answer form, for people who answer questions about `target`."""
    if not permissions.may(current_user, "question.answer", target):
        return {}
    return {q.id: AnswerForm(prefix=f"a{q.id}", formdata=None) for q in open_questions}


def _history_words() -> dict:
    """What the history table needs to name events, fields and values."""
    from ..labels import LABELS
    from ..regions import counties

    form = NeedForm(formdata=None)
    field_labels = {f.name: f.label.text for f in form if f.name in services.TRACKED}
    field_labels.update(value_min=_("Estimated value from"), value_max=_("Estimated value up to"))

    def show_value(name, value):
        if value in (None, "", []):
            return "–"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if name == "procedure":
            return LABELS["procedure"].get(value, value)
        if name == "counties":
            return ", ".join(counties().get(c, c) for c in value)
        if name == "municipalities":
            return municipality_names(value)
        if isinstance(value, list):
            return ", ".join(value)
        if name == "description" and len(value) > 200:
            return value[:200] + "…"
        return value

    return {"event_labels": {"created": _("Created"), "published": _("Published"), "edited": _("Changed"),
                             "status": _("Status changed")},
            "field_labels": field_labels, "show_value": show_value, "municipality_names": municipality_names}


@bp.route("/needs/<int:need_id>/interest", methods=["GET", "POST"])
@login_required
def interest(need_id):
    need = _need(need_id)
    existing = engagement.interest_of(need, current_user.approved_organisation)
    form = InterestForm(obj=existing if existing and existing.is_active else None)
    if request.method == "GET" and not (existing and existing.is_active):
        form.contact_name.data, form.contact_email.data = current_user.name, current_user.email
    if form.validate_on_submit():
        try:
            _interest, created = engagement.register_interest(need, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        except engagement.InterestRefused as err:
            flash(err.message, "error")
            return redirect(url_for("needs.show", need_id=need.id))
        else:
            flash(_("Your interest is registered. The buyer sees it, and you are told when the need changes.")
                  if created else _("Your registration is updated."), "success")
            return redirect(url_for("needs.show", need_id=need.id))
    elif request.method == "GET" and not permissions.may(current_user, "need.register_interest", need):
        if not need.is_open:
            flash(_("Interest can only be registered while a need is planned, in market dialogue or announced."),
                  "error")
            return redirect(url_for("needs.show", need_id=need.id))
        permissions.require(current_user, "need.register_interest", need)
    code = 422 if form.is_submitted() else 200
    return render_template("needs/interest.html", need=need, form=form, existing=existing), code


@bp.route("/needs/<int:need_id>/interest/withdraw", methods=["POST"])
@login_required
def withdraw(need_id):
    need = _need(need_id)
    if EmptyForm().validate_on_submit():
        engagement.withdraw_interest(need, actor=current_user)
        flash(_("Your registration is withdrawn. You can register again while the need is open."), "success")
    return redirect(url_for("needs.show", need_id=need.id))


@bp.route("/needs/<int:need_id>/registrations")
@login_required
def registrations(need_id):
    need = _managed(need_id)
    filters = engagement.RegistrationFilters.from_args(request.args)
    rows = engagement.registrations(need, filters, actor=current_user)
    return render_template("needs/registrations.html", need=need, rows=rows, filters=filters,
                           size_classes=choices("size_class", blank=_("All")))


@bp.route("/needs/<int:need_id>/registrations.csv")
@login_required
def registrations_csv(need_id):
    need = _managed(need_id)
    filters = engagement.RegistrationFilters.from_args(request.args)
    rows = engagement.registrations(need, filters, actor=current_user)
    return Response(engagement.registrations_csv(need, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="need-{need.id}-interest.csv"'})


@bp.route("/needs/<int:need_id>/message", methods=["GET", "POST"])
@login_required
def message(need_id):
    need = _managed(need_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            sent = engagement.send_message(need, form.subject.data, form.body.data, actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(ngettext("The message is sent to %(num)d supplier and shown to it on the need's page.",
                           "The message is sent to %(num)d suppliers and shown to them on the need's page.",
                           sent.recipients), "success")
            return redirect(url_for("needs.show", need_id=need.id))
    code = 422 if form.is_submitted() else 200
    return render_template("needs/message.html", need=need, form=form,
                           recipients=services.interest_count(need)), code


# --- questions and answers ----------------------------------------------------------------------------

def _ask(target, back: str):
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            engagement.ask(target, form.text.data, actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("Your question is sent. The answer is shown here; you get it by e-mail too."), "success")
            return redirect(back)
    flash(" ".join(str(e) for e in form.text.errors) or _("Write your question (at most 4,000 characters)."),
          "error")
    return redirect(back)


def _answer(target, question_id: int, back: str):
    question = engagement.get_question_or_404(question_id, target)
    form = AnswerForm(prefix=f"a{question.id}")
    if form.validate_on_submit():
        try:
            engagement.answer(question, target, form.answer.data, form.visibility.data == "public",
                              actor=current_user)
        except InvalidInput as err:
            flash(" ".join(str(m) for m in err.errors.values()), "error")
        else:
            flash(_("The answer is published.") if question.public else _("The answer is sent to the asker."),
                  "success")
    else:
        flash(_("Write the answer (at most 10,000 characters)."), "error")
    return redirect(back)


@bp.route("/needs/<int:need_id>/questions", methods=["POST"])
@login_required
def ask(need_id):
    need = _need(need_id)
    return _ask(need, url_for("needs.show", need_id=need.id, _anchor="questions"))


@bp.route("/needs/<int:need_id>/questions/<int:question_id>/answer", methods=["POST"])
@login_required
def answer(need_id, question_id):
    need = _managed(need_id)
    return _answer(need, question_id, url_for("needs.show", need_id=need.id, _anchor=f"q{question_id}"))


def _spec(network, slug):
    from ..specs import services as specs

    return specs.get_spec_or_404(network, slug, viewer=current_user)


@bp.route("/networks/<network>/specs/<slug>/questions", methods=["GET", "POST"])
def spec_questions(network, slug):
    """Questions about a specification in consultation, and the network's answers."""
    spec = _spec(network, slug)
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        return _ask(spec, url_for("needs.spec_questions", network=network, slug=slug))
    answered, open_questions = engagement.questions_for(spec, current_user)
    return render_template(
        "needs/spec_questions.html", spec=spec, network=spec.network, answered=answered,
        open_questions=open_questions, question_form=QuestionForm(), answer_forms=_answer_forms(spec, open_questions),
        answer_url=lambda q: url_for("needs.spec_answer", network=network, slug=slug, question_id=q.id),
        may_ask=permissions.may(current_user, "question.ask", spec))


@bp.route("/networks/<network>/specs/<slug>/questions/<int:question_id>/answer", methods=["POST"])
@login_required
def spec_answer(network, slug, question_id):
    spec = _spec(network, slug)
    permissions.require(current_user, "question.answer", spec)
    return _answer(spec, question_id, url_for("needs.spec_questions", network=network, slug=slug,
                                              _anchor=f"q{question_id}"))


# --- watches ------------------------------------------------------------------------------------------

@bp.route("/needs/watches", methods=["GET", "POST"], endpoint="watches")
@login_required
def watches_page():
    permissions.require(current_user, "watch.create")
    form = WatchForm()
    if form.validate_on_submit():
        try:
            watches.create_watch(form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The watch is saved. New needs that match it reach you from now on."), "success")
            return redirect(url_for("needs.watches"))
    code = 422 if form.is_submitted() else 200
    return render_template("needs/watches.html", form=form, watches=watches.watches_of(current_user),
                           feed_url=external_url("needs.watch_feed", token=watches.feed_token(current_user)),
                           items=watches.feed_items(current_user.id)[:10], empty=EmptyForm()), code


@bp.route("/needs/watches/<int:watch_id>/edit", methods=["GET", "POST"])
@login_required
def edit_watch(watch_id):
    watch = watches.get_watch_or_404(watch_id, owner=current_user)
    form = WatchForm()
    if request.method == "GET":
        form.fill(watch)
    elif form.validate_on_submit():
        try:
            watches.update_watch(watch, form.to_draft())
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The watch is saved."), "success")
            return redirect(url_for("needs.watches"))
    code = 422 if form.is_submitted() else 200
    return render_template("needs/watch_edit.html", form=form, watch=watch), code


@bp.route("/needs/watches/<int:watch_id>/delete", methods=["POST"])
@login_required
def delete_watch(watch_id):
    watch = watches.get_watch_or_404(watch_id, owner=current_user)
    if EmptyForm().validate_on_submit():
        watches.delete_watch(watch)
        flash(_("The watch is removed."), "success")
    return redirect(url_for("needs.watches"))


@bp.route("/needs/watches/feed/renew", methods=["POST"])
@login_required
def renew_feed():
    if EmptyForm().validate_on_submit():
        watches.feed_token(current_user, renew=True)
        flash(_("Your feed has a new address. The old one no longer works."), "success")
    return redirect(url_for("needs.watches"))


@bp.route("/needs/watches/feed/<token>.atom")
def watch_feed(token):
    user = watches.user_of_token(token)
    if user is None:
        raise NotFound()
    body = opendata.watch_atom(watches.feed_items(user.id), user=user,
                               feed_url=external_url("needs.watch_feed", token=token))
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": "private, no-store"})
