"""An abstract's authors as they are printed: names with numbered affiliations.

The same institution, written the same way (spaces and case aside), gets one
number across the abstract, numbered in the order it first appears: the
first author's first affiliation is 1. Each author's numbers are given in
ascending order. One function for every place that prints authors: the
submitter's and organisers' pages, /posters, the programme (and its JSON),
the book of abstracts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from eventday.abstracts.models import Abstract, Author


@dataclasses.dataclass(frozen=True)
class Listed:
    name: str
    numbers: tuple[int, ...]
    presenting: bool


@dataclasses.dataclass(frozen=True)
class AuthorList:
    authors: list[Listed]
    institutions: list[str]


def _key(institution: str) -> str:
    return " ".join(institution.split()).casefold()


def authors_with_affiliations(abstract: Abstract | Iterable[Author]) -> AuthorList:
    authors = abstract.authors if isinstance(abstract, Abstract) else list(abstract)
    numbers: dict[str, int] = {}
    institutions: list[str] = []
    listed = []
    for author in authors:
        own = []
        for institution in author.institutions:
            key = _key(institution)
            if key not in numbers:
                institutions.append(" ".join(institution.split()))
                numbers[key] = len(institutions)
            if numbers[key] not in own:
                own.append(numbers[key])
        listed.append(
            Listed(" ".join(author.name.split()), tuple(sorted(own)), bool(author.presenting))
        )
    return AuthorList(listed, institutions)
