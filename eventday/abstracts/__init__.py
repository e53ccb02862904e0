"""The call for abstracts and posters: submissions, review, decisions, the poster session,
the book of abstracts and the best-poster prize."""
