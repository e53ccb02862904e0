"""The blueprints every abstracts view module adds its routes to.

`public`: the call, submission and the submitter's page, posters, the book, the vote.
`admin`: the organisers' pages (/admin/abstracts…); `review`: the reviewers' and the
jury's pages (/admin/abstracts/reviews…), each route guarded by its own roles.
"""

from __future__ import annotations

from flask import Blueprint

from eventday.accounts.access import organiser_blueprint

public = Blueprint("abstracts", __name__)
admin = organiser_blueprint("abstracts_admin", "/admin/abstracts")
review = organiser_blueprint("abstracts_review", "/admin/abstracts/reviews")
