"""The organisers' face of an edition: its network, data controller, practical facts, logo,
site icon and sponsors, which the home page, the privacy notice, badges and mails show.

Images are kept only as `images.clean_image` drew them again, in the database beside the
edition, so a backup holds them and every worker serves the same. A draft's face is for
its organisers: `public_face` and the image lookups give nothing for a draft, so next
year's sponsors stay private until the edition is published.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from eventday.database import UTCDateTime, utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.editions import images
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition, EditionState


class EditionIdentity(db.Model):
    """One edition's organisers' face; at most one row per edition."""

    __tablename__ = "edition_identities"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True
    )
    network_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # Who answers for attendees' personal data (RGPD art. 13): named on /privacy.
    controller_name: Mapped[str] = mapped_column(String(200), default="")
    controller_address: Mapped[str] = mapped_column(Text, default="")
    controller_email: Mapped[str] = mapped_column(String(254), default="")
    transport: Mapped[str] = mapped_column(Text, default="")
    transport_en: Mapped[str] = mapped_column(Text, default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    accessibility_en: Mapped[str] = mapped_column(Text, default="")
    # Deferred: pages read the digests (in the images' addresses), never the bytes.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_digest: Mapped[str] = mapped_column(String(12), default="")
    favicon: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    favicon_digest: Mapped[str] = mapped_column(String(12), default="")
    # False: the icon is drawn from the logo, and follows it when the logo changes.
    favicon_uploaded: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def has_practical(self) -> bool:
        return bool(self.transport or self.map_url or self.accessibility)

    @property
    def has_controller(self) -> bool:
        return bool(self.controller_name)


class Sponsor(db.Model):
    """A sponsor or partner of one edition, in a tier the organisers name ("Gold", "Partner")."""

    __tablename__ = "sponsors"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    website: Mapped[str] = mapped_column(String(500), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_digest: Mapped[str] = mapped_column(String(12), default="")


@dataclasses.dataclass(frozen=True)
class IdentityDetails:
    """The texts of the organisers' face, as the form gives them."""

    network_name: str = ""
    contact_email: str = ""
    controller_name: str = ""
    controller_address: str = ""
    controller_email: str = ""
    transport: str = ""
    map_url: str = ""
    accessibility: str = ""
    transport_en: str = ""
    accessibility_en: str = ""


@dataclasses.dataclass(frozen=True)
class SponsorDetails:
    name: str
    tier: str = ""
    position: int = 0
    website: str = ""


@dataclasses.dataclass(frozen=True)
class Upload:
    """What a form asks of one image: a new file's bytes, or its removal, or neither."""

    data: bytes | None = None
    remove: bool = False


@dataclasses.dataclass(frozen=True)
class SponsorTier:
    name: str
    sponsors: list[Sponsor]


@dataclasses.dataclass(frozen=True)
class PublicFace:
    """What public pages show of a published edition's face (identity None: never set)."""

    identity: EditionIdentity | None
    tiers: list[SponsorTier]


class IdentityRefused(DomainError):
    pass


def identity_of(edition_id: int) -> EditionIdentity | None:
    return db.session.get(EditionIdentity, edition_id)


def sponsors(edition_id: int) -> list[Sponsor]:
    """The edition's sponsors in the organisers' order."""
    return list(
        db.session.scalars(
            select(Sponsor)
            .where(Sponsor.edition_id == edition_id)
            .order_by(Sponsor.position, Sponsor.id)
        )
    )


def sponsor_tiers(ordered: Sequence[Sponsor]) -> list[SponsorTier]:
    """The sponsors grouped by tier, tiers in the order of their first sponsor."""
    tiers: dict[str, list[Sponsor]] = {}
    for sponsor in ordered:
        tiers.setdefault(sponsor.tier, []).append(sponsor)
    return [SponsorTier(name, members) for name, members in tiers.items()]


def public_face(edition: Edition | None) -> PublicFace | None:
    """A published edition's face for its home page; None for a draft or no edition."""
    if edition is None or not edition.is_published:
        return None
    return PublicFace(published_identity(edition), sponsor_tiers(sponsors(edition.id)))


def published_identity(edition: Edition | None) -> EditionIdentity | None:
    """A published edition's identity (the privacy notice's data controller); None for a draft."""
    if edition is None or not edition.is_published:
        return None
    return identity_of(edition.id)


def _cleaned(
    field: str, upload: Upload, side: int, refusals: list[Violation], *, square: bool = False
) -> bytes | None:
    """The upload's image drawn again, or None (nothing sent, or refused: said in `refusals`)."""
    if upload.data is None:
        return None
    try:
        return images.clean_image(upload.data, side, square=square)
    except images.ImageRefused as refused:
        refusals.append(Violation(field, str(refused)))
        return None


def save_identity(
    edition_id: int,
    details: IdentityDetails,
    logo: Upload = Upload(),
    favicon: Upload = Upload(),
) -> EditionIdentity:
    """Set the edition's face; every image is checked before anything is written.

    A new file wins over a removal sent with it; `favicon.remove` goes back to the icon
    drawn from the logo.
    """
    refusals: list[Violation] = []
    logo_png = _cleaned("logo", logo, images.LOGO_SIDE, refusals)
    icon_png = _cleaned("favicon", favicon, images.ICON_SIDE, refusals, square=True)
    if refusals:
        raise IdentityRefused(refusals)
    with write_transaction(edition_id):
        identity = identity_of(edition_id)
        if identity is None:
            identity = EditionIdentity(edition_id=edition_id)
            db.session.add(identity)
        for name, value in dataclasses.asdict(details).items():
            setattr(identity, name, value.strip())
        logo_changed = logo_png is not None or logo.remove
        if logo_changed:
            _set_image(identity, "logo", logo_png)
        if icon_png is not None:
            _set_image(identity, "favicon", icon_png)
            identity.favicon_uploaded = True
        elif favicon.remove or (logo_changed and not identity.favicon_uploaded):
            logo_now = identity.logo
            drawn = (
                images.clean_image(logo_now, images.ICON_SIDE, square=True) if logo_now else None
            )
            _set_image(identity, "favicon", drawn)
            identity.favicon_uploaded = False
        # The site icon is in every cached page's head.
        rules.raise_version(edition_id)
    return identity


def _set_image(row: EditionIdentity | Sponsor, name: str, png: bytes | None) -> None:
    """Store an image (None: none) and the digest its addresses carry."""
    setattr(row, name, png)
    setattr(row, f"{name}_digest", images.digest(png) if png else "")


def save_sponsor(
    edition_id: int,
    details: SponsorDetails,
    logo: Upload = Upload(),
    sponsor_id: int | None = None,
) -> Sponsor:
    """Add a sponsor (no `sponsor_id`) or change one; LookupError for another edition's."""
    refusals: list[Violation] = []
    logo_png = _cleaned("logo", logo, images.SPONSOR_SIDE, refusals)
    if refusals:
        raise IdentityRefused(refusals)
    with write_transaction(edition_id):
        if sponsor_id is None:
            sponsor = Sponsor(edition_id=edition_id)
            db.session.add(sponsor)
        else:
            sponsor = _sponsor_of(edition_id, sponsor_id)
        sponsor.name = details.name.strip()
        sponsor.tier = details.tier.strip()
        sponsor.position = details.position
        sponsor.website = details.website.strip()
        if logo_png is not None or logo.remove:
            _set_image(sponsor, "logo", logo_png)
    return sponsor


def delete_sponsor(edition_id: int, sponsor_id: int) -> None:
    with write_transaction(edition_id):
        db.session.delete(_sponsor_of(edition_id, sponsor_id))


def sponsor_of(edition_id: int, sponsor_id: int) -> Sponsor | None:
    sponsor = db.session.get(Sponsor, sponsor_id)
    return sponsor if sponsor is not None and sponsor.edition_id == edition_id else None


def _sponsor_of(edition_id: int, sponsor_id: int) -> Sponsor:
    sponsor = sponsor_of(edition_id, sponsor_id)
    if sponsor is None:
        raise LookupError(f"no sponsor {sponsor_id} in edition {edition_id}")
    return sponsor


def copy_identity(source_id: int, target_id: int) -> None:
    """Next year's draft starts with this year's face and sponsors (its organisers edit them)."""
    with write_transaction(target_id):
        source = identity_of(source_id)
        if source is not None:
            db.session.add(_copied(source, edition_id=target_id))
        for sponsor in sponsors(source_id):
            db.session.add(_copied(sponsor, id=None, edition_id=target_id))


def _copied(row: EditionIdentity | Sponsor, **changes: object) -> EditionIdentity | Sponsor:
    """A new row of the same model with `row`'s columns, images included, and `changes`."""
    columns = {column.key: getattr(row, column.key) for column in row.__table__.columns}
    return type(row)(**{**columns, **changes})


def published_image(kind: str, owner_id: int, digest: str) -> bytes | None:
    """A published edition's stored image by its address: `kind` "logo" or "favicon" of the
    edition `owner_id`, or "sponsor" (the sponsor `owner_id`'s logo); None when the digest
    is not the image's now, or the edition is a draft."""
    if kind == "sponsor":
        query = select(Sponsor.logo).where(Sponsor.id == owner_id, Sponsor.logo_digest == digest)
        owner = Sponsor.edition_id
    else:
        data, stored = {
            "logo": (EditionIdentity.logo, EditionIdentity.logo_digest),
            "favicon": (EditionIdentity.favicon, EditionIdentity.favicon_digest),
        }[kind]
        query = select(data).where(EditionIdentity.edition_id == owner_id, stored == digest)
        owner = EditionIdentity.edition_id
    query = query.join(Edition, Edition.id == owner).where(Edition.state != EditionState.DRAFT)
    return db.session.scalar(query)


def badge_logo(edition_id: int) -> bytes | None:
    """The logo a badge prints in its corner (the organisers print their own drafts' too)."""
    return db.session.scalar(
        select(EditionIdentity.logo).where(EditionIdentity.edition_id == edition_id)
    )
