"""The organisers' face: uploads checked and drawn again, shown on public pages, badges and mails.

An uploaded image is served only as Pillow drew it again (a PNG without the chunks, the
comments or the trailing bytes where a script hides); anything that is not a PNG, JPEG or
WebP image within the limits is refused next to its field. A draft's face stays private.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, PngImagePlugin
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from eventday.accounts.models import Role
from eventday.badges.pdf import Badge, badge_sheets_pdf
from eventday.editions import identity, images, lifecycle
from eventday.extensions import db
from eventday.mail import MailKind, compose
from eventday.programme.models import EditionState
from eventday.registration import capacity
from tests.conftest import make_edition, make_session
from tests.test_mail import applicant
from tests.test_users_admin import (
    csrf_token,
    english_client,
    field_errors,
    flashes,
    signed_in,
    text,
)

PAGE = "/admin/edition/identity/"
DAY = dt.date(2027, 1, 25)
SCRIPT = b"<script>alert(document.cookie)</script>"
DETAILS = {
    "network_name": "Réseau Cœur & Recherche",
    "contact_email": "contact@reseau.example.org",
    "controller_name": "Association Cœur & Recherche",
    "controller_address": "12 rue de la Santé\n75014 Paris",
    "controller_email": "dpo@reseau.example.org",
    "transport": "Métro ligne 6, station Glacière\nBus 21",
    "map_url": "https://www.openstreetmap.org/#map=18/48.83/2.34",
    "accessibility": "Entrée de plain-pied, ascenseur jusqu'à l'amphithéâtre.",
}
IMAGE_LINK = re.compile(r'src="(/identity/[^"]+\.png)"')
ICON_LINK = re.compile(r'<link rel="icon" type="image/png" href="([^"]+)">')


def picture(
    size: tuple[int, int] = (300, 120), kind: str = "PNG", noise: bool = False, **save: object
) -> bytes:
    """An image made here: a coloured rectangle (or random pixels, which do not compress)."""
    if noise:
        made = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        made = Image.new("RGB", size, (200, 30, 60))
    out = io.BytesIO()
    made.save(out, kind, **save)
    return out.getvalue()


def png_with_a_script() -> bytes:
    """A real PNG holding HTML in a text chunk and after its end (a polyglot)."""
    chunks = PngImagePlugin.PngInfo()
    chunks.add_text("Comment", SCRIPT.decode())
    return picture(pnginfo=chunks) + b"<html><body>" + SCRIPT + b"</body></html>"


@pytest.fixture
def edition_id(app: Flask) -> int:
    with app.app_context():
        edition = make_edition(DAY)
        make_session(edition.id, DAY, "09:00", "10:00", "Ouverture et conférence", kind="plenary")
        make_session(edition.id, DAY, "10:30", "12:00", "Atelier A", kind="workshop", capacity=9)
        make_session(edition.id, DAY, "16:00", "17:00", "Table ronde finale", kind="round-table")
        return edition.id


@pytest.fixture
def organiser(app: Flask, edition_id: int) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


def multipart(client: FlaskClient, path: str, fields: dict[str, object]) -> TestResponse:
    """POST `fields` as a browser's multipart body; (bytes, name) values are files.

    Encoded in memory: the test client would spool a large body to a file it never closes.
    """
    values = MultiDict(
        [
            (
                name,
                FileStorage(io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value,
            )
            for name, value in fields.items()
        ]
    )
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def save(
    client: FlaskClient, files: dict[str, tuple[bytes, str]] | None = None, **fields: str
) -> TestResponse:
    """Send the identity form as a browser does, with `files` as {field: (bytes, name)}."""
    token = csrf_token(client, PAGE)
    return multipart(client, PAGE, {"csrf_token": token, **DETAILS, **fields, **(files or {})})


def add_sponsor(
    client: FlaskClient, name: str, tier: str, position: int, logo: bytes | None = None
):
    data: dict[str, object] = {
        "sponsor-csrf_token": csrf_token(client, PAGE),
        "sponsor-name": name,
        "sponsor-tier": tier,
        "sponsor-position": str(position),
        "sponsor-website": f"https://example.org/sponsor-{position}",
    }
    if logo is not None:
        data["sponsor-logo"] = (logo, "logo.png")
    answer = multipart(client, "/admin/edition/identity/sponsors", data)
    assert answer.status_code == 303, text(answer)
    return answer


def stored(app: Flask, edition_id: int) -> identity.EditionIdentity | None:
    with app.app_context():
        found = identity.identity_of(edition_id)
        if found is not None:
            found.logo, found.favicon  # noqa: B018 -- loaded before the session goes
            db.session.expunge(found)
        return found


def served(client: FlaskClient, path: str) -> TestResponse:
    answer = client.get(path)
    assert answer.status_code == 200, path
    assert answer.mimetype == "image/png"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Disposition"].startswith("inline")
    assert answer.cache_control.max_age == 365 * 24 * 3600 and answer.cache_control.immutable
    return answer


# --- what is accepted, and how it is served -----------------------------------------------------


def test_a_png_with_a_script_inside_is_served_drawn_again_without_it(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    answer = save(organiser, {"logo": (png_with_a_script(), "logo.png")})
    assert answer.status_code == 303
    assert ("info", "Saved.") in flashes(organiser.get(PAGE))

    home = english_client(app).get("/")
    [logo_path] = IMAGE_LINK.findall(text(home))
    logo = served(english_client(app), logo_path)
    assert b"<script" not in logo.data and b"<html" not in logo.data
    with Image.open(io.BytesIO(logo.data)) as drawn:
        assert drawn.format == "PNG" and drawn.size == (300, 120)
        assert "Comment" not in drawn.info
    # The site icon is drawn from the logo, square, on every page.
    [icon_path] = ICON_LINK.findall(text(home))
    assert ICON_LINK.findall(text(english_client(app).get("/privacy"))) == [icon_path]
    with Image.open(io.BytesIO(served(english_client(app), icon_path).data)) as icon:
        assert icon.size == (images.ICON_SIDE, images.ICON_SIDE)


def test_a_jpeg_logo_loses_its_metadata_and_a_large_one_is_made_smaller(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    exif = Image.Exif()
    exif[0x010E] = "<script>x</script>"  # ImageDescription
    jpeg = picture((2000, 1000), "JPEG", exif=exif.tobytes(), comment=SCRIPT)
    assert save(organiser, {"logo": (jpeg, "logo.jpg")}).status_code == 303
    found = stored(app, edition_id)
    assert found is not None and found.logo is not None
    assert b"<script" not in found.logo
    with Image.open(io.BytesIO(found.logo)) as drawn:
        assert drawn.format == "PNG"
        assert drawn.size == (images.LOGO_SIDE, images.LOGO_SIDE // 2)
        assert not drawn.getexif()


REFUSED = {
    "text": (b"Just some words, not an image at all.\n", "logo.png"),
    "pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "logo.pdf"),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
    ),
    "html-named-png": (b"<!doctype html><html>" + SCRIPT + b"</html>", "logo.png"),
    "gif": (picture(kind="GIF"), "logo.gif"),
    "truncated-png": (picture()[:60], "logo.png"),
    "too-wide": (picture((images.MAX_SIDE + 1, 10)), "logo.png"),
    "too-heavy": (picture((560, 560), noise=True), "logo.png"),
}


@pytest.mark.parametrize("sent", REFUSED.values(), ids=REFUSED.keys())
def test_anything_but_a_png_jpeg_or_webp_within_the_limits_is_refused_next_to_the_field(
    app: Flask, organiser: FlaskClient, edition_id: int, sent: tuple[bytes, str]
) -> None:
    answer = save(organiser, {"logo": sent})
    assert answer.status_code == 422
    [message] = field_errors(answer, "logo")
    assert message.startswith(("This file", "This image", "A PNG, JPEG or WebP image"))
    assert stored(app, edition_id) is None
    assert b"<script" not in answer.data.replace(b"&lt;script", b"")


def test_a_webp_site_icon_of_its_own_is_kept_when_the_logo_changes(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    files = {"logo": (picture(), "logo.png"), "favicon": (picture((40, 80), "WEBP"), "i.webp")}
    assert save(organiser, files).status_code == 303
    icon = stored(app, edition_id).favicon
    assert save(organiser, {"logo": (picture((100, 100)), "logo.png")}).status_code == 303
    assert stored(app, edition_id).favicon == icon
    assert save(organiser, remove_favicon="y").status_code == 303
    again = stored(app, edition_id)
    assert again.favicon != icon and not again.favicon_uploaded
    assert save(organiser, remove_logo="y").status_code == 303
    gone = stored(app, edition_id)
    assert gone.logo is None and gone.favicon is None and gone.logo_digest == ""


def test_a_body_over_the_request_limit_shows_the_form_again_with_the_reason(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    huge = picture((600, 600), noise=True) + bytes(app.config["MAX_CONTENT_LENGTH"])
    answer = save(organiser, {"logo": (huge, "logo.png")})
    assert answer.status_code == 413
    assert field_errors(answer, "logo") == ["This file is too large: at most 900 KB, please."]
    assert 'enctype="multipart/form-data"' in text(answer)
    assert stored(app, edition_id) is None


def test_a_file_sent_for_a_text_field_is_refused(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    fields = {k: v for k, v in DETAILS.items() if k != "network_name"}
    data: dict[str, object] = {"csrf_token": csrf_token(organiser, PAGE), **fields}
    data["network_name"] = (picture(), "name.png")
    answer = multipart(organiser, PAGE, data)
    assert answer.status_code == 422
    assert field_errors(answer, "network_name") == ["A file was sent where text is expected."]


def test_a_map_link_must_be_an_https_address(organiser: FlaskClient, edition_id: int) -> None:
    for link in ("javascript:alert(1)", "http://example.org/map", "https://user:pw@example.org"):
        answer = save(organiser, map_url=link)
        assert answer.status_code == 422, link
        assert field_errors(answer, "map_url") == ["An address starting with https://, please."]


def test_a_sponsor_is_changed_and_deleted_and_another_editions_is_not_found(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    add_sponsor(organiser, "Fondation Or", "Gold", 10, logo=picture((500, 200)))
    with app.app_context():
        [sponsor] = identity.sponsors(edition_id)
        sponsor_id = sponsor.id
        draft = lifecycle.EditionDraft("Brouillon", "other-day", DAY, DAY)
        other_id = lifecycle.create_edition(draft, state=EditionState.DRAFT).id
        stranger = identity.save_sponsor(other_id, identity.SponsorDetails("Ailleurs")).id
    path = f"/admin/edition/identity/sponsors/{sponsor_id}"
    page = organiser.get(path)
    assert 'value="Fondation Or"' in text(page) and "data:image/png;base64," in text(page)
    fields = {
        "csrf_token": csrf_token(organiser, path),
        "name": "Fondation Or",
        "tier": "Platinum",
        "position": "1",
        "remove_logo": "y",
    }
    assert multipart(organiser, path, fields).status_code == 303
    with app.app_context():
        [changed] = identity.sponsors(edition_id)
        assert (changed.tier, changed.position, changed.logo_digest) == ("Platinum", 1, "")

    huge = {**fields, "logo": (bytes(app.config["MAX_CONTENT_LENGTH"]), "logo.png")}
    too_large = multipart(organiser, path, huge)
    assert too_large.status_code == 413
    assert field_errors(too_large, "logo") == ["This file is too large: at most 900 KB, please."]

    token = csrf_token(organiser, PAGE)
    gone = f"/admin/edition/identity/sponsors/{stranger}"
    assert organiser.get(gone).status_code == 404
    assert organiser.post(f"{gone}/delete", data={"csrf_token": token}).status_code == 404
    assert organiser.post(f"{path}/delete", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert identity.sponsors(edition_id) == []
        assert [s.name for s in identity.sponsors(other_id)] == ["Ailleurs"]


# --- where the face shows ----------------------------------------------------------------------


def test_the_privacy_notice_names_the_data_controller(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    assert "data controller" not in text(english_client(app).get("/privacy"))
    assert save(organiser).status_code == 303
    page = text(english_client(app).get("/privacy"))
    assert "The data controller is Association Cœur &amp; Recherche." in page
    assert "12 rue de la Santé\n75014 Paris" in page
    assert 'href="mailto:dpo@reseau.example.org"' in page


def test_the_home_page_shows_the_day_at_a_glance_the_practical_section_and_sponsors_by_tier(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    assert save(organiser).status_code == 303
    add_sponsor(organiser, "Bronze SA", "Partner", 30)
    add_sponsor(organiser, "Fondation Or", "Gold", 10, logo=picture((500, 200)))
    add_sponsor(organiser, "Argent & Co", "Silver", 20)
    add_sponsor(organiser, "Second Or", "Gold", 15)
    page = text(english_client(app).get("/"))

    glance = page[page.index("The day at a glance") :]
    assert glance.index("Ouverture et conférence") < glance.index("Table ronde finale")
    assert "Atelier A" not in glance[: glance.index("</section>")]
    assert "9:00" in glance and "Registration is open." in page
    assert "Organised by Réseau Cœur &amp; Recherche" in page

    practical = page[page.index("Practical information") :]
    assert "Métro ligne 6, station Glacière\nBus 21" in practical
    assert f'href="{DETAILS["map_url"]}"' in practical
    assert "plain-pied" in practical

    sponsors = page[page.index("Sponsors and partners") :]
    order = ["<h3>Gold</h3>", 'alt="Fondation Or"', "Second Or", "<h3>Silver</h3>", "Argent"]
    order += ["<h3>Partner</h3>", "Bronze SA"]
    positions = [sponsors.index(marker) for marker in order]
    assert positions == sorted(positions)
    [sponsor_logo] = [p for p in IMAGE_LINK.findall(sponsors) if "/sponsors/" in p]
    with Image.open(io.BytesIO(served(english_client(app), sponsor_logo).data)) as drawn:
        assert drawn.size == (images.SPONSOR_SIDE, 160)


def test_the_mail_signature_carries_the_networks_name_and_contact(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    assert save(organiser).status_code == 303
    with app.test_request_context():
        registration = capacity.register(edition_id, applicant("Zoé"))
        _subject, body = compose(registration, MailKind.CONFIRMED)
    signature = body[body.index("-- \n") :]
    assert "Réseau Cœur & Recherche · contact@reseau.example.org" in signature


def test_a_thousand_badges_hold_one_copy_of_the_logo_and_stay_fast() -> None:
    logo = images.clean_image(picture((600, 200)), images.LOGO_SIDE)
    people = [
        Badge(
            f"Prénom{n}", f"Nom{n}", "Inserm", "researcher", "Chercheur·e", "Journée", f"C{n}", "R"
        )
        for n in range(1000)
    ]
    started = time.perf_counter()
    plain = badge_sheets_pdf(people)
    without = time.perf_counter() - started
    started = time.perf_counter()
    pdf = badge_sheets_pdf(people, logo=logo)
    with_logo = time.perf_counter() - started
    assert with_logo < without * 1.5 + 1.0, (with_logo, without)
    assert len(pdf) < len(plain) + 2 * len(logo) + 200_000  # one copy, referred to 1,000 times

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 100
    embedded = {
        ref.idnum
        for page in reader.pages
        for ref in page["/Resources"]["/XObject"].values()  # type: ignore[union-attr]
    }
    assert len(embedded) == 1
    assert all(len(page.images) == 1 for page in reader.pages[:3])


def test_the_badges_organisers_and_attendees_download_carry_the_stored_logo(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    assert save(organiser, {"logo": (png_with_a_script(), "logo.png")}).status_code == 303
    with app.test_request_context():
        registration_id = capacity.register(edition_id, applicant("Zoé")).id
    for path in ("/admin/badges.pdf", f"/admin/registrations/{registration_id}/badge.pdf"):
        answer = organiser.get(path)
        assert answer.status_code == 200, path
        [image] = PdfReader(io.BytesIO(answer.data)).pages[0].images
        assert image.image.size == (300, 120)
        assert SCRIPT not in answer.data


# --- a draft's face, and next year's --------------------------------------------------------------


def test_copying_the_edition_copies_its_face_which_stays_private_while_a_draft(
    app: Flask, organiser: FlaskClient, edition_id: int
) -> None:
    assert save(organiser, {"logo": (picture(), "logo.png")}).status_code == 303
    add_sponsor(organiser, "Fondation Or", "Gold", 10, logo=picture((500, 200)))
    with app.app_context():
        draft = lifecycle.next_edition(
            edition_id, "Journée 2028", "jr-2028", dt.date(2028, 1, 24), None
        )
        draft_id = draft.id
        copied = identity.identity_of(draft_id)
        source = identity.identity_of(edition_id)
        assert copied is not None and copied.network_name == DETAILS["network_name"]
        assert copied.logo == source.logo and copied.logo_digest == source.logo_digest
        assert copied.favicon_digest == source.favicon_digest
        [sponsor] = identity.sponsors(draft_id)
        assert (sponsor.name, sponsor.tier, sponsor.logo_digest != "") == (
            "Fondation Or",
            "Gold",
            True,
        )
        assert identity.public_face(draft) is None
        digest, sponsor_id, sponsor_digest = copied.logo_digest, sponsor.id, sponsor.logo_digest

    visitor = english_client(app)
    assert visitor.get(f"/identity/{draft_id}/logo.{digest}.png").status_code == 404
    assert (
        visitor.get(f"/identity/sponsors/{sponsor_id}/logo.{sponsor_digest}.png").status_code == 404
    )
    assert visitor.get(f"/identity/{edition_id}/logo.{digest}.png").status_code == 200
    assert visitor.get(f"/identity/{edition_id}/logo.000000000000.png").status_code == 404


def test_organisers_only(app: Flask, edition_id: int) -> None:
    anonymous = english_client(app).get(PAGE)
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]
    desk = signed_in(app, Role.CHECKIN)
    assert desk.get(PAGE).status_code == 403
    token = csrf_token(desk, "/admin/checkin")
    refused = multipart(desk, PAGE, {"csrf_token": token, **DETAILS})
    assert refused.status_code == 403
    assert (
        desk.post("/admin/edition/identity/sponsors", data={"csrf_token": token}).status_code == 403
    )
    assert stored(app, edition_id) is None
