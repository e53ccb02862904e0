"""The book of abstracts: accepted abstracts only, read back from the PDF; its cache; its URL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import secrets
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from eventday.abstracts import book, people
from eventday.abstracts.models import Abstract, Author, Book, Call
from eventday.database import utcnow, write_transaction
from eventday.extensions import db
from eventday.programme.models import Track
from tests.conftest import make_edition, make_session

DAY = dt.date(2027, 1, 25)
PASTEUR = "Institut Pasteur, Unité d'immunologie, Paris"


@dataclasses.dataclass
class Seeded:
    edition_id: int
    call_id: int
    shown: list[str]  # titles the book must show
    hidden: list[str]  # titles (and a name each) it must not


def add_abstract(
    edition_id: int,
    number: int,
    title: str,
    authors: list[tuple[str, str, str]],
    released: str | None,
    *,
    staged: str | None = None,
    status: str = "submitted",
    body: str = "Un résumé.",
    track: Track | None = None,
    board: int | None = None,
    session_id: int | None = None,
) -> Abstract:
    """An abstract and its authors (first, last, affiliations), the first presenting."""
    abstract = Abstract(
        edition_id=edition_id,
        token=secrets.token_hex(32),
        number=number,
        title=title,
        body=body,
        track=track,
        keywords="cytokines, lymphocytes T",
        presentation="either",
        status=status,
        decision=staged or released,
        released_decision=released,
        board_number=board,
        session_id=session_id,
        authors=[
            Author(
                position=position,
                first_name=first,
                last_name=last,
                email=f"author{number}-{position}@example.org",
                affiliations=affiliations,
                presenting=position == 0,
            )
            for position, (first, last, affiliations) in enumerate(authors)
        ],
    )
    db.session.add(abstract)
    return abstract


def seed(released: bool = True) -> Seeded:
    """A current edition whose call holds accepted orals and posters, and three not shown."""
    edition = make_edition(start=DAY)
    session = make_session(edition.id, DAY, "10:00", "11:00", title="Séance d'immunologie")
    with write_transaction(edition.id):
        call = Call(edition_id=edition.id, released_at=utcnow() if released else None)
        immunology = Track(edition_id=edition.id, name="Immunologie")
        genetics = Track(edition_id=edition.id, name="Génétique")
        db.session.add_all([call, immunology, genetics])
        body = (
            "Le TNF-α et l'IFN-γ activent les lymphocytes T CD4<sup>+</sup> chez "
            "<i>Mus musculus</i> ; la voie β-caténine règle le CO<sub>2</sub> cellulaire."
        )
        add_abstract(
            edition.id,
            1,
            "Rôle de l'IFN-γ dans la tuberculose",
            [
                ("Hélène", "Lefèvre-Ñúñez", f"{PASTEUR}\nCNRS UMR 3738"),
                ("Zoé", "Αλεξίου", PASTEUR),
                ("Jérôme", "Dupré", "Université Paris Cité"),
            ],
            "oral",
            body=body,
            track=immunology,
            session_id=session.id,
        )
        add_abstract(
            edition.id,
            2,
            "Variants génétiques et réponse aux vaccins",
            [("Gaël", "Le Bihan", "Inserm U1016")],
            "poster",
            track=genetics,
            board=7,
        )
        add_abstract(
            edition.id,
            3,
            "Une communication orale sans séance",
            [("Anaïs", "Ferré", "Hôpital Necker")],
            "oral",
        )
        add_abstract(edition.id, 4, "Titre refusé partout", [("Rémi", "Refusé", "X")], "rejected")
        add_abstract(
            edition.id,
            5,
            "Titre retiré par son auteur",
            [("Wanda", "Retirée", "Y")],
            "poster",
            status="withdrawn",
        )
        add_abstract(
            edition.id,
            6,
            "Titre accepté mais pas encore annoncé",
            [("Sacha", "Enattente", "Z")],
            None,
            staged="poster",
        )
    return Seeded(
        edition.id,
        call.id,
        shown=[
            "Rôle de l'IFN-γ dans la tuberculose",
            "Variants génétiques et réponse aux vaccins",
            "Une communication orale sans séance",
        ],
        hidden=[
            "Titre refusé partout",
            "Refusé",
            "Titre retiré par son auteur",
            "Retirée",
            "Titre accepté mais pas encore annoncé",
            "Enattente",
        ],
    )


def pages(pdf: bytes) -> list[str]:
    """Each page's text, white space (line breaks included) made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_book_holds_the_accepted_abstracts_only(app: Flask):
    with app.app_context():
        seeded = seed()
        text = " ".join(pages(book.build(seeded.edition_id)))
    assert "Journée d'essai" in text and "Livre des résumés" in text
    for title in seeded.shown:
        assert title in text
    for name in ("Hélène Lefèvre-Ñúñez", "Zoé Αλεξίου", "Jérôme Dupré", "Gaël Le Bihan"):
        assert name in text
    for hidden in seeded.hidden:
        assert hidden not in text


def test_accents_greek_letters_and_marks_read_back(app: Flask):
    with app.app_context():
        seeded = seed()
        text = " ".join(pages(book.build(seeded.edition_id)))
    assert "Le TNF-α et l'IFN-γ activent les lymphocytes T CD4" in text
    assert "Mus musculus" in text and "β-caténine" in text
    assert "Mots-clés : cytokines, lymphocytes T" in text
    assert "Affiche 7" in text


def test_an_institution_written_the_same_way_has_one_number(app: Flask):
    with app.app_context():
        seeded = seed()
        abstract = db.session.scalars(select(Abstract).where(Abstract.number == 1)).one()
        listed = people.authors_with_affiliations(abstract)
        text = " ".join(pages(book.build(seeded.edition_id)))
    assert [one.numbers for one in listed.authors] == [(1, 2), (1,), (3,)]
    assert listed.institutions == [PASTEUR, "CNRS UMR 3738", "Université Paris Cité"]
    assert text.count(PASTEUR) == 1


def test_orals_by_session_then_the_others_then_posters(app: Flask):
    with app.app_context():
        seeded = seed()
        text = " ".join(pages(book.build(seeded.edition_id))[2:])  # after the cover and contents
    session = text.index("Séance d'immunologie")
    unscheduled = text.index("Une communication orale sans séance")
    poster = text.index("Variants génétiques et réponse aux vaccins")
    assert session < unscheduled < poster


def test_contents_and_index_give_the_pages_of_the_abstracts(app: Flask):
    with app.app_context():
        seeded = seed()
        pdf = book.build(seeded.edition_id)
    read = pages(pdf)
    assert "Sommaire" in read[1]
    page_of_title = next(
        number
        for number, text in enumerate(read, start=1)
        if "Variants génétiques et réponse aux vaccins Gaël" in text
    )
    contents = re.search(r"A-002 · Affiche 7 Variants génétiques[^0-9]*(\d+)", read[1])
    assert contents is not None and int(contents.group(1)) == page_of_title
    index = read[-1]
    assert index.startswith("Index des auteurs")
    for name in ("Lefèvre-Ñúñez, Hélène", "Αλεξίου, Zoé", "Le Bihan, Gaël"):
        assert name in index
    entry = re.search(r"Le Bihan, Gaël\s*(\d+)", index)
    assert entry is not None and int(entry.group(1)) == page_of_title
    assert "Refusé" not in index
    outline = [
        item.title for item in PdfReader(io.BytesIO(pdf)).outline if not isinstance(item, list)
    ]
    assert "Séance d'immunologie" in outline and "Index des auteurs" in outline


def test_the_cached_book_is_returned_until_the_version_rises(app: Flask, monkeypatch):
    drawn = []
    build = book.build
    monkeypatch.setattr(
        book, "build", lambda edition_id: drawn.append(edition_id) or build(edition_id)
    )
    with app.app_context():
        seeded = seed()
        first = book.pdf_for(seeded.edition_id)
        assert book.pdf_for(seeded.edition_id) == first
        assert len(drawn) == 1
        with write_transaction(seeded.edition_id):
            call = db.session.get_one(Call, seeded.call_id)
            book.outdated(call)
            abstract = db.session.scalars(select(Abstract).where(Abstract.number == 6)).one()
            abstract.released_decision = "poster"
        again = book.pdf_for(seeded.edition_id)
        stored = db.session.get_one(Book, seeded.edition_id)
        assert (stored.version, stored.pdf) == (1, again)
    assert len(drawn) == 2
    assert "Titre accepté mais pas encore annoncé" in " ".join(pages(again))


def test_two_readers_at_once_get_the_book_drawn_once(app: Flask, monkeypatch):
    """The second reader waits for the first one's drawing rather than drawing it again."""
    with app.app_context():
        seeded = seed()
    started = threading.Event()
    drawn = []
    build = book.build

    def slow_build(edition_id: int) -> bytes:
        drawn.append(edition_id)
        started.set()
        return build(edition_id)

    monkeypatch.setattr(book, "build", slow_build)
    results: list[bytes] = []
    errors: list[BaseException] = []

    def read() -> None:
        with app.app_context():
            try:
                results.append(book.pdf_for(seeded.edition_id))
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    first = threading.Thread(target=read)
    first.start()
    assert started.wait(timeout=30)
    second = threading.Thread(target=read)
    second.start()
    for reader in (first, second):
        reader.join(timeout=60)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1] and results[0][:5] == b"%PDF-"
    assert len(drawn) == 1
    with app.app_context():
        assert db.session.scalars(select(Book.version)).all() == [0]


@pytest.mark.parametrize("released", [False, True])
def test_the_book_is_public_once_decisions_are_released(
    app: Flask, client: FlaskClient, released: bool
):
    assert client.get("/abstracts.pdf").status_code == 404
    with app.app_context():
        seed(released=released)
    response = client.get("/abstracts.pdf")
    if not released:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="livre-des-resumes.pdf"'
    assert "Rôle de l'IFN-γ dans la tuberculose" in " ".join(pages(response.data))
    etag = response.headers["ETag"]
    assert client.get("/abstracts.pdf", headers={"If-None-Match": etag}).status_code == 304


def drawn(pdf: bytes) -> list[tuple[str, float, str]]:
    """Every piece of text as drawn: its text, font size and font name."""
    pieces = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: pieces.append(
                (text, size, str(font["/BaseFont"]) if font else "")
            )
        )
    return [piece for piece in pieces if piece[0].strip()]


def test_marks_are_drawn_in_their_face_and_size(app: Flask):
    with app.app_context():
        seeded = seed()
        pieces = drawn(book.build(seeded.edition_id))
    sizes = {text: size for text, size, _font in pieces}
    fonts = {text: font for text, _size, font in pieces}
    # A raised piece is smaller, and the text after it is back at its own size.
    assert (
        sizes["+"] < sizes[" chez "] == sizes["Le TNF-α et l'IFN-γ activent les lymphocytes T CD4"]
    )
    assert sizes["2"] < sizes[" cellulaire."]
    assert sizes[f" {PASTEUR}"] == 8 and sizes["1"] < 8
    assert fonts["Mus musculus"].endswith("Oblique") and not fonts[" chez "].endswith("Oblique")


def test_hostile_text_prints_as_typed(app: Flask):
    long_word = "ACGT" * 60
    with app.app_context():
        edition = make_edition(start=DAY)
        with write_transaction(edition.id):
            db.session.add(Call(edition_id=edition.id, released_at=utcnow()))
            add_abstract(
                edition.id,
                1,
                "**Gras** {nb} <script>alert(1)</script> 🧬 fin",
                [("Ève", "O'Brien\tLe\u200bGoff", "Labo <b>A</b>")],
                "poster",
                body=f"Séquence {long_word} puis <b>rien</b> de plus.",
            )
        text = " ".join(pages(book.build(edition.id)))
    # A title is marked source like the body: other tags and a script's content are dropped.
    assert "**Gras** {nb} \ufffd fin" in text and "alert" not in text
    assert "Ève O'Brien LeGoff" in text and "Labo <b>A</b>" in text
    assert long_word in text.replace(" ", "")
    assert "puis rien de plus." in text


def test_a_call_without_accepted_abstracts_still_has_a_book(app: Flask):
    with app.app_context():
        edition = make_edition(start=DAY)
        with write_transaction(edition.id):
            db.session.add(Call(edition_id=edition.id, released_at=utcnow()))
        read = pages(book.build(edition.id))
    assert "Livre des résumés" in read[0] and "Sommaire" in read[1]
    assert read[-1].startswith("Index des auteurs")


def test_a_session_renamed_redraws_the_book(app: Flask, monkeypatch):
    """The book prints sessions' titles: a programme change outdates it too."""
    from eventday.programme import rules
    from eventday.programme.models import Session

    drawn = []
    build = book.build
    monkeypatch.setattr(
        book, "build", lambda edition_id: drawn.append(edition_id) or build(edition_id)
    )
    with app.app_context():
        seeded = seed()
        book.pdf_for(seeded.edition_id)
        session = db.session.scalars(select(Session)).first()
        draft = rules.SessionDraft(
            title="Séance renommée",
            kind=session.kind,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            room_id=session.room_id,
        )
        rules.save_session(seeded.edition_id, draft, session.id)
        again = book.pdf_for(seeded.edition_id)
        assert book.pdf_for(seeded.edition_id) == again
    assert len(drawn) == 2
    assert "Séance renommée" in " ".join(pages(again))
