"""An organisation's public page, its profile, and the approval of its users."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..accounts.forms import EmptyForm
from ..errors import InvalidInput
from ..networks import services as network_services
from . import services
from .forms import OrganisationForm

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("/<int:org_id>")
def show(org_id):
    org = services.get_organisation_or_404(org_id)
    return render_template("organisations/show.html", org=org,
                           memberships=network_services.networks_of(org))


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id):
    org = services.get_organisation_or_404(org_id)
    permissions.require(current_user, "organisation.edit", org)
    form = OrganisationForm() if request.method == "POST" else OrganisationForm.from_organisation(org)
    if form.validate_on_submit():
        try:
            services.update_organisation(org, form.to_draft(), actor=current_user)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("The organisation's details are saved."), "success")
            return redirect(url_for("organisations.show", org_id=org.id))
    return render_template("organisations/edit.html", org=org, form=form), (422 if form.is_submitted() else 200)


@bp.route("/<int:org_id>/users")
@login_required
def users(org_id):
    org = services.get_organisation_or_404(org_id)
    permissions.require(current_user, "organisation.approve_users", org)
    return render_template("organisations/users.html", org=org, pending=services.pending_users(org),
                           approved=services.approved_users(org), form=EmptyForm())


@bp.route("/<int:org_id>/users/<int:user_id>/<any(approve, remove, make_admin, remove_admin, grant_signing, "
          "revoke_signing):action>",
          methods=["POST"])
@login_required
def decide_user(org_id, user_id, action):
    org = services.get_organisation_or_404(org_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("organisations.users", org_id=org.id))
    try:
        if action == "approve":
            user = services.approve_user(org, user_id, actor=current_user)
            flash(_("%(name)s can now act for %(org)s.", name=user.name, org=org.name), "success")
        elif action == "remove":
            user = services.remove_user(org, user_id, actor=current_user)
            flash(_("%(name)s no longer acts for %(org)s.", name=user.name, org=org.name), "success")
        elif action in ("grant_signing", "revoke_signing"):
            user = services.set_signing_right(org, user_id, action == "grant_signing", actor=current_user)
            flash(_("The signing right of %(name)s is updated.", name=user.name), "success")
        else:
            user = services.set_admin(org, user_id, action == "make_admin", actor=current_user)
            flash(_("Administrator rights for %(name)s are updated.", name=user.name), "success")
    except InvalidInput as err:
        flash(str(err.message), "error")
    return redirect(url_for("organisations.users", org_id=org.id))
