"""The search page: GET /search?q=&kind=&type=&level=&area=&cpv=&sort=&page="""
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from . import FACETS, SORTS, SearchUnavailable, find, init_app, label_of

bp = Blueprint("search", __name__, url_prefix="/search")
# Registering the blueprint sets up the index upkeep for that app (create_app registers it).
bp.record_once(lambda state: init_app(state.app))
PARAMETERS = ("q", *FACETS, "sort", "page")


@bp.route("")
def index():
    args = {name: request.args.get(name, "").strip() for name in PARAMETERS}
    page = request.args.get("page", 1, type=int) or 1
    try:
        result = find(args["q"], current_user, kind=args["kind"] or None,
                      filters={name: args[name] for name in FACETS if name != "kind"},
                      page=page, sort=args["sort"] or "relevance")
        unavailable = None
    except SearchUnavailable as err:
        result, unavailable = None, err.message

    def link(**changes) -> str:
        """This search with some parameters changed (None removes one); back to page 1 unless
        the page is what changes."""
        values = {k: v for k, v in args.items() if v and k != "page"}
        values.update(changes)
        return url_for("search.index", **{k: v for k, v in values.items() if v})

    return render_template("search/index.html", args=args, result=result, unavailable=unavailable,
                           link=link, facet_names=FACETS, sorts=SORTS, label_of=label_of)
