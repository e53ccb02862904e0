"""The demo edition's call for abstracts: open, with its criteria and a few abstracts."""

from __future__ import annotations

import datetime as dt

from eventday.abstracts import call as calls
from eventday.abstracts import committee, submission
from eventday.abstracts.submission import AuthorDraft, SubmissionDraft
from eventday.database import utcnow
from eventday.programme.models import Edition

CALL_TEXT_FR = (
    "Jeunes chercheurs, cliniciens, doctorants : présentez vos travaux sur les maladies "
    "inflammatoires et auto-immunes, en affiche ou en communication orale courte. Les "
    "meilleures affiches seront récompensées à la journée."
)
CALL_TEXT_EN = (
    "Young researchers, clinicians, PhD students: present your work on inflammatory and "
    "autoimmune diseases, as a poster or a short talk. The best posters win a prize at the day."
)
CRITERIA = [("Originalité", "Originality", 2), ("Méthodes", "Methods", 2), ("Clarté", "Clarity", 1)]
ABSTRACTS = [
    (
        "Signature interféron de type I et réponse aux cellules CAR-T anti-CD19 "
        "dans le lupus réfractaire",
        "Lupus et connectivites",
        "either",
        "Nous avons suivi 12 patients atteints de lupus réfractaire traités par cellules CAR-T "
        "anti-CD19. La signature interféron (IFN-α, <i>IFI27</i>, <i>IFI44L</i>) diminue dès "
        "le premier mois, avec une disparition des lymphocytes B CD19<sup>+</sup>.\n\n"
        "La rémission sans traitement se maintient à 12 mois chez 10 patients.",
        [
            (
                "Camille",
                "Rousseau",
                "camille.rousseau@example.org",
                ["Université Paris Cité", "Inserm U1016, Institut Cochin"],
            ),
            (
                "Hélène",
                "Marchand",
                "helene.marchand@example.org",
                [
                    "Service de médecine interne, hôpital universitaire Paris-Centre",
                    "Université Paris Cité",
                ],
            ),
        ],
    ),
    (
        "Interféronopathies de type I : apport du séquençage de l'exome chez l'enfant",
        "Maladies rares",
        "poster",
        "Chez 40 enfants suspects d'interféronopathie, le séquençage de l'exome a trouvé une "
        "variation pathogène dans 14 cas (<i>TREX1</i>, <i>RNASEH2B</i>, <i>IFIH1</i>), avec "
        "un score interféron médian de 12,4.",
        [
            ("Léa", "Nguyen", "lea.nguyen@example.org", ["Institut Imagine, Inserm UMR 1163"]),
            (
                "Karim",
                "Benali",
                "karim.benali@example.org",
                ["Laboratoire d'immunologie clinique, Inserm"],
            ),
        ],
    ),
    (
        "Le rôle des lymphocytes T CD4<sup>+</sup> CXCR5<sup>+</sup> dans la sclérodermie",
        "Immunologie fondamentale",
        "poster",
        "Les lymphocytes T folliculaires auxiliaires circulants sont augmentés chez 30 patients "
        "atteints de sclérodermie systémique, en corrélation avec l'IL-21 sérique "
        "et le score de Rodnan.",
        [
            (
                "Mathieu",
                "Lefèvre",
                "mathieu.lefevre@example.org",
                ["CNRS UMR 8104", "Université Paris Cité"],
            )
        ],
    ),
]


def load_demo_call(edition: Edition) -> int:
    """Open the demo edition's call and submit its sample abstracts; how many."""
    now = utcnow()
    deadline = max(edition.start_date - dt.timedelta(days=30), now.date() + dt.timedelta(days=30))
    settings = calls.settings_of(None)
    settings.text_fr, settings.text_en, settings.word_limit = CALL_TEXT_FR, CALL_TEXT_EN, 300
    settings.opens_at = now - dt.timedelta(days=1)
    settings.closes_at = calls.end_of_day(edition, deadline)
    calls.save_settings(edition.id, settings, None)
    for position, (name, name_en, weight) in enumerate(CRITERIA):
        committee.save_criterion(
            edition.id, committee.CriterionDraft(name, name_en, weight, position), None
        )
    for title, topic, presentation, body, authors in ABSTRACTS:
        submission.submit(
            edition.id,
            SubmissionDraft(
                title=title,
                body=body,
                topic=topic,
                keywords="",
                presentation=presentation,
                authors=[
                    AuthorDraft(first, last, email, affiliations, position == 0)
                    for position, (first, last, email, affiliations) in enumerate(authors)
                ],
            ),
        )
    return len(ABSTRACTS)
