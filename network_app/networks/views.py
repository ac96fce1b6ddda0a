"""Network pages: list, public page, create and edit, member management, invitations."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..accounts.forms import EmptyForm
from ..errors import InvalidInput
from ..intents import services as intents
from . import services
from .forms import InviteEmailForm, InviteOrganisationForm, JoinForm, NetworkForm, RoleForm

bp = Blueprint("networks", __name__, url_prefix="/networks")


@bp.route("/")
def index():
    return render_template("networks/index.html", networks=services.list_networks(),
                           counts=services.member_counts())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    permissions.require(current_user, "network.create")
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = services.create_network(form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The network %(name)s is created. Invite its members next.", name=network.name), "success")
            return redirect(url_for("networks.manage", slug=network.slug))
    return render_template("networks/edit.html", form=form, network=None), (422 if form.is_submitted() else 200)


@bp.route("/<slug>")
def show(slug):
    network = services.get_network_or_404(slug)
    org = current_user.approved_organisation if current_user.is_authenticated else None
    return render_template("networks/show.html", network=network, members=services.members(network),
                           role=permissions.network_role(current_user, network),
                           join_request=services.pending_join_request(network, org),
                           join_form=JoinForm(), form=EmptyForm(),
                           intents=intents.list_intents(network, viewer=current_user))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    network = services.get_network_or_404(slug)
    permissions.require(current_user, "network.edit", network)
    form = NetworkForm() if request.method == "POST" else NetworkForm.from_network(network)
    if form.validate_on_submit():
        try:
            services.update_network(network, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The network's details are saved."), "success")
            return redirect(url_for("networks.show", slug=network.slug))
    return render_template("networks/edit.html", form=form, network=network), (422 if form.is_submitted() else 200)


def _render_manage(network, invite_org=None, invite_email=None, status=200):
    return render_template(
        "networks/manage.html", network=network, members=services.members(network),
        invitations=services.pending_invitations(network), join_requests=services.pending_join_requests(network),
        invite_org=invite_org or InviteOrganisationForm(), invite_email=invite_email or InviteEmailForm(),
        form=EmptyForm()), status


@bp.route("/<slug>/members")
@login_required
def manage(slug):
    network = services.get_network_or_404(slug)
    permissions.require(current_user, "network.manage_members", network)
    return _render_manage(network)


@bp.route("/<slug>/invite", methods=["POST"])
@login_required
def invite(slug):
    network = services.get_network_or_404(slug)
    permissions.require(current_user, "network.manage_members", network)
    by_email = "email" in request.form
    form = InviteEmailForm() if by_email else InviteOrganisationForm()
    if form.validate_on_submit():
        try:
            if by_email:
                services.invite_by_email(network, form.email.data or "", form.role.data, actor=current_user)
                flash(_("The invitation is sent to %(email)s.", email=form.email.data), "success")
            else:
                invitation = services.invite_organisation(network, form.orgnr.data or "", form.role.data,
                                                          actor=current_user)
                flash(_("%(org)s is invited.", org=invitation.organisation.name), "success")
            return redirect(url_for("networks.manage", slug=slug))
        except InvalidInput as err:
            form.apply_errors(err.errors)
    if by_email:
        return _render_manage(network, invite_email=form, status=422)
    return _render_manage(network, invite_org=form, status=422)


@bp.route("/<slug>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(slug, invitation_id):
    network = services.get_network_or_404(slug)
    if EmptyForm().validate_on_submit():
        services.revoke_invitation(network, invitation_id, actor=current_user)
        flash(_("The invitation is withdrawn."), "success")
    return redirect(url_for("networks.manage", slug=slug))


@bp.route("/<slug>/members/<int:membership_id>", methods=["POST"])
@login_required
def change_member(slug, membership_id):
    """Set a member's role, or remove it (the button named `remove`)."""
    network = services.get_network_or_404(slug)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            if "remove" in request.form:
                services.remove_member(network, membership_id, actor=current_user)
                flash(_("The member is removed."), "success")
            else:
                membership = services.set_role(network, membership_id, form.role.data, actor=current_user)
                flash(_("%(org)s is now %(role)s.", org=membership.organisation.name,
                        role=services.role_label(membership.role)), "success")
        except InvalidInput as err:
            flash(str(err.message), "error")
    return redirect(url_for("networks.manage", slug=slug))


@bp.route("/<slug>/join-requests/<int:request_id>", methods=["POST"])
@login_required
def decide_join(slug, request_id):
    network = services.get_network_or_404(slug)
    form = RoleForm()
    if form.validate_on_submit():
        accept = "accept" in request.form
        try:
            join = services.decide_join_request(network, request_id, accept=accept, role=form.role.data,
                                                actor=current_user)
        except InvalidInput as err:
            flash(str(err.message), "error")
        else:
            flash(_("%(org)s is now a member.", org=join.organisation.name) if accept
                  else _("The request is declined."), "success")
    return redirect(url_for("networks.manage", slug=slug))


@bp.route("/<slug>/join", methods=["POST"])
@login_required
def request_join(slug):
    network = services.get_network_or_404(slug)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            services.request_to_join(network, form.message.data, actor=current_user)
        except InvalidInput as err:
            flash(str(err.message if not err.errors else next(iter(err.errors.values()))), "error")
        else:
            flash(_("Your request is sent to the network's coordinators."), "success")
    return redirect(url_for("networks.show", slug=slug))


@bp.route("/<slug>/leave", methods=["POST"])
@login_required
def leave(slug):
    network = services.get_network_or_404(slug)
    if EmptyForm().validate_on_submit():
        try:
            services.leave_network(network, actor=current_user)
        except InvalidInput as err:
            flash(str(err.message), "error")
        else:
            flash(_("Your organisation has left %(name)s.", name=network.name), "success")
    return redirect(url_for("networks.show", slug=slug))


@bp.route("/invitations")
@login_required
def invitations():
    """Invitations waiting for the user's organisation."""
    return render_template("networks/invitations.html",
                           invitations=services.pending_invitations_for(current_user.approved_organisation),
                           form=EmptyForm())


@bp.route("/invitations/<int:invitation_id>", methods=["POST"])
@login_required
def answer_invitation(invitation_id):
    invitation = services.get_invitation_or_404(invitation_id)
    if EmptyForm().validate_on_submit():
        if "decline" in request.form:
            services.decline_invitation(invitation, actor=current_user)
            flash(_("The invitation is declined."), "success")
            return redirect(url_for("networks.invitations"))
        return _accept(invitation)
    return redirect(url_for("networks.invitations"))


def _accept(invitation):
    try:
        services.accept_invitation(invitation, actor=current_user)
    except InvalidInput as err:
        flash(str(err.message), "error")
    else:
        flash(_("Your organisation is now %(role)s in %(name)s.", role=services.role_label(invitation.role),
                name=invitation.network.name), "success")
    return redirect(url_for("networks.show", slug=invitation.network.slug))


@bp.route("/invitations/link/<token>", methods=["GET", "POST"])
def accept_link(token):
    """An e-mailed invitation: anyone may look; an organisation administrator accepts."""
    invitation = services.invitation_by_token(token)
    if request.method == "POST" and current_user.is_authenticated and EmptyForm().validate_on_submit():
        return _accept(invitation)
    return render_template("networks/accept_link.html", invitation=invitation, form=EmptyForm(),
                           can_accept=permissions.may(current_user, "invitation.accept", invitation))
