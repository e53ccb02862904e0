"""The demo edition (a realistic research day) and large synthetic programmes for benchmarks."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from eventday.editions.lifecycle import EditionDraft, create_edition
from eventday.programme import rules
from eventday.programme.models import Edition, SessionKind

DEMO_SLUG = "journee-2027"
DEMO_DAY = dt.date(2027, 1, 25)  # a Monday
PARIS = ZoneInfo("Europe/Paris")

ROOMS = [
    ("Amphithéâtre Charcot", 600),
    ("Salle Pasteur", 60),
    ("Salle Claude-Bernard", 40),
    ("Salle Dausset", 30),
]
TRACKS = [
    ("Lupus et connectivites", "#b83280"),
    ("Maladies rares", "#2b6cb0"),
    ("Immunologie fondamentale", "#2f855a"),
    ("Patients et société", "#c05621"),
]
SPEAKERS = [
    ("Pr Hélène Marchand", "Service de médecine interne, hôpital universitaire Paris-Centre"),
    ("Dr Karim Benali", "Laboratoire d'immunologie clinique, Inserm"),
    ("Pr Anne-Sophie Léger", "Centre de référence des maladies auto-immunes systémiques rares"),
    ("Dr Jürgen Østergaard", "Département de rhumatologie, Copenhague"),
    ("Dr Mei Lin (林梅)", "Institut de recherche en immunologie, Lyon"),
    ("Pr François d'Almeida", "Service de dermatologie, hôpital universitaire Paris-Centre"),
    ("Dr Noémie Caillaud", "Service de médecine interne, CHU de Nantes"),
    ("Zoé Perrin", "Association de patients atteints de lupus"),
    ("Dr Paul-Émile Rousseau", "Service de radiologie, CHU de Lille"),
    ("Dr Inès Haddad", "Service de pédiatrie, hôpital Necker-Enfants malades"),
    ("Samuel Okafor", "Association des malades de sclérodermie"),
    ("Dr Léa Nguyen", "Service de rhumatologie, CHU de Bordeaux"),
]

# (start, end, kind, title, room index or None, track index or None, speaker indexes, seats)
SESSIONS: list[tuple[str, str, str, str, int | None, int | None, tuple[int, ...], int | None]] = [
    ("08:30", "09:00", "break", "Accueil des participants et café", None, None, (), None),
    ("09:00", "09:20", "plenary", "Ouverture de la 9e journée de recherche", 0, None, (0,), None),
    (
        "09:20",
        "10:00",
        "plenary",
        "Cellules CAR-T dans le lupus systémique réfractaire : premières données",
        0,
        0,
        (1,),
        None,
    ),
    (
        "10:00",
        "10:40",
        "plenary",
        "Protocoles nationaux de diagnostic et de soins (PNDS) : de la rédaction à la pratique",
        0,
        1,
        (2,),
        None,
    ),
    ("10:40", "11:00", "break", "Pause café", None, None, (), None),
    (
        "11:00",
        "11:20",
        "talk",
        "Lymphocytes B naïfs et mémoire dans le syndrome de Sjögren",
        0,
        2,
        (4,),
        None,
    ),
    (
        "11:20",
        "11:40",
        "talk",
        "Atteinte rénale du lupus : biomarqueurs urinaires en pratique",
        0,
        0,
        (6,),
        None,
    ),
    (
        "11:40",
        "12:00",
        "talk",
        "Vascularites à ANCA : traitement d'entretien, où en est-on ?",
        0,
        1,
        (11,),
        None,
    ),
    (
        "11:00",
        "12:15",
        "workshop",
        "Atelier : interpréter la signature interféron en pratique clinique",
        1,
        2,
        (3,),
        50,
    ),
    (
        "11:00",
        "12:15",
        "workshop",
        "Atelier : capillaroscopie dans la sclérodermie systémique",
        2,
        1,
        (5,),
        30,
    ),
    (
        "11:00",
        "12:15",
        "workshop",
        "Atelier : construire un essai clinique avec les associations de patients",
        3,
        3,
        (7,),
        25,
    ),
    ("12:15", "13:30", "meal", "Déjeuner", None, None, (), None),
    (
        "13:30",
        "14:15",
        "poster",
        "Session posters (hall d'exposition) : jeunes chercheurs et cliniciens",
        None,
        None,
        (),
        None,
    ),
    (
        "14:15",
        "14:55",
        "plenary",
        "Interféronopathies de type I : du gène au traitement",
        0,
        2,
        (9,),
        None,
    ),
    (
        "14:55",
        "15:35",
        "plenary",
        "Sclérodermie systémique : nouvelles cibles thérapeutiques",
        0,
        1,
        (3,),
        None,
    ),
    ("15:35", "15:50", "break", "Pause", None, None, (), None),
    (
        "15:50",
        "17:00",
        "round-table",
        "Table ronde : vivre avec une maladie auto-immune rare, la parole aux associations",
        0,
        3,
        (7, 10, 2),
        None,
    ),
    (
        "15:50",
        "17:00",
        "workshop",
        "Atelier : échographie des glandes salivaires dans le syndrome de Sjögren",
        1,
        2,
        (4,),
        45,
    ),
    ("15:50", "17:00", "workshop", "Atelier : myosites, lire une IRM musculaire", 2, 1, (8,), 30),
    (
        "15:50",
        "17:00",
        "workshop",
        "Atelier : éducation thérapeutique dans la maladie de Behçet",
        3,
        3,
        (6,),
        20,
    ),
    ("17:00", "17:20", "talk", "Prix des meilleurs posters", 0, None, (0, 11), None),
    (
        "17:20",
        "17:40",
        "plenary",
        "Clôture : les priorités de recherche du réseau",
        0,
        None,
        (0,),
        None,
    ),
    ("17:40", "18:30", "meal", "Cocktail de clôture", None, None, (), None),
]
ABSTRACT = (
    "Une présentation des travaux récents du réseau, suivie de questions de la salle. "
    "Public : chercheurs, cliniciens, associations de patients."
)


def _at(day: dt.date, clock: str, zone: ZoneInfo) -> dt.datetime:
    hours, minutes = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=zone)


def load_demo(capacity: int | None = None) -> Edition:
    """The 9th research day on inflammatory and autoimmune diseases, a Monday in January 2027."""
    edition = create_edition(
        EditionDraft(
            name="9e Journée de recherche sur les maladies inflammatoires et auto-immunes",
            slug=DEMO_SLUG,
            start_date=DEMO_DAY,
            end_date=DEMO_DAY,
            timezone="Europe/Paris",
            venue_name="Hôpital universitaire Paris-Centre",
            venue_address="47 boulevard de l'Hôpital, 75013 Paris",
            description=(
                "Une journée pour partager les avancées de la recherche sur le lupus, la "
                "sclérodermie, les interféronopathies et les maladies auto-immunes rares, entre "
                "chercheurs, cliniciens, associations de patients et industriels."
            ),
            registration_opens_at=dt.datetime(2026, 10, 1, 9, 0, tzinfo=PARIS),
            registration_closes_at=dt.datetime(2027, 1, 20, 23, 59, tzinfo=PARIS),
            capacity=capacity if capacity is not None else 600,
        )
    )
    rooms = [rules.add_room(edition.id, name, seats) for name, seats in ROOMS]
    tracks = [rules.add_track(edition.id, name, colour) for name, colour in TRACKS]
    speakers = [rules.add_speaker(edition.id, name, affiliation) for name, affiliation in SPEAKERS]
    for start, end, kind, title, room, track, who, seats in SESSIONS:
        rules.save_session(
            edition.id,
            rules.SessionDraft(
                title=title,
                kind=kind,
                starts_at=_at(DEMO_DAY, start, PARIS),
                ends_at=_at(DEMO_DAY, end, PARIS),
                room_id=rooms[room].id if room is not None else None,
                track_id=tracks[track].id if track is not None else None,
                speaker_ids=tuple(speakers[i].id for i in who),
                capacity=seats,
                abstract="" if kind in ("break", "meal") else ABSTRACT,
            ),
        )
    return edition


SYNTHETIC_KINDS = [SessionKind.TALK, SessionKind.WORKSHOP, SessionKind.PLENARY, SessionKind.POSTER]


def load_synthetic(sessions: int, rooms: int, capacity: int | None = None) -> Edition:
    """A programme of `sessions` sessions spread over `rooms` rooms in one day (benchmarks)."""
    if sessions < 1 or rooms < 1:
        raise ValueError("--sessions and --rooms must be at least 1")
    per_room = math.ceil(sessions / rooms)
    minutes = min(30, (14 * 60) // per_room)  # from 08:00, all over by 22:00
    if minutes < 5:
        raise ValueError("too many sessions per room for one day (at most 168 per room)")
    edition = create_edition(
        EditionDraft(
            name=f"Programme synthétique ({sessions} sessions, {rooms} salles)",
            slug=f"synthetic-{sessions}x{rooms}",
            start_date=DEMO_DAY,
            end_date=DEMO_DAY,
            venue_name="Centre de congrès d'essai",
            venue_address="1 rue de l'Exemple, 75000 Paris",
            capacity=capacity if capacity is not None else 1500,
        )
    )
    room_rows = [rules.add_room(edition.id, f"Salle {n + 1}", 120) for n in range(rooms)]
    track_rows = [rules.add_track(edition.id, name, colour) for name, colour in TRACKS]
    day_start = _at(DEMO_DAY, "08:00", PARIS)
    for n in range(sessions):
        slot, room = divmod(n, rooms)
        speaker = rules.add_speaker(edition.id, f"Intervenant·e n° {n + 1}", "Université d'essai")
        kind = SYNTHETIC_KINDS[n % len(SYNTHETIC_KINDS)]
        if kind == SessionKind.PLENARY and room:  # plenaries never overlap: one room has them
            kind = SessionKind.TALK
        starts_at = day_start + dt.timedelta(minutes=slot * minutes)
        rules.save_session(
            edition.id,
            rules.SessionDraft(
                title=f"Session {n + 1} : réponse immunitaire et maladies auto-immunes",
                kind=kind,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=minutes),
                room_id=room_rows[room].id,
                track_id=track_rows[n % len(track_rows)].id,
                speaker_ids=(speaker.id,),
                capacity=40 if kind == SessionKind.WORKSHOP else None,
                abstract=ABSTRACT,
            ),
        )
    return edition
