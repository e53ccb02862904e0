"""Languages: choosing French or English per request, and formatting dates and times."""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import get_locale

LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def requested_language() -> str | None:
    """A language asked for with ?lang=…, if it is one of ours."""
    lang = request.args.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else None


def select_language() -> str:
    """?lang= first, then the remembered choice, then Accept-Language; French by default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = requested_language() or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def remember_language(response: Response) -> Response:
    lang = requested_language()
    if lang and request.cookies.get(LANGUAGE_COOKIE) != lang:
        response.set_cookie(
            LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax", httponly=True
        )
    return response


# English dates the British way ("25/01/2027", "25 Jan 2027"), and a full date without the
# comma either locale puts after the weekday: "lundi 25 janvier 2027", "Monday 25 January 2027".
DATE_LOCALES = {"en": "en_GB"}
FULL_DATE = "EEEE d MMMM y"


def local_date(moment: dt.date, fmt: str = "full") -> str:
    """A date in the page's language ("lundi 18 janvier 2027", "Monday 18 January 2027")."""
    language = str(get_locale())
    pattern = FULL_DATE if fmt == "full" else fmt
    return format_date(moment, format=pattern, locale=DATE_LOCALES.get(language, language))


def local_time(moment: dt.datetime, zone: ZoneInfo | str) -> str:
    """A clock time in the edition's zone, 24-hour in both languages ("09:30")."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return format_time(moment.astimezone(zone), format="HH:mm", locale=str(get_locale()))


def local_datetime(moment: dt.datetime, zone: ZoneInfo | str, fmt: str = "medium") -> str:
    """A day and clock time in the edition's zone, the page's way ("25 janv. 2027 09:30")."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return f"{local_date(moment.astimezone(zone).date(), fmt)} {local_time(moment, zone)}"


def localised(item: object, field: str, language: str | None = None) -> str:
    """`item`'s text in `language` (the page's by default): its English where it has one
    (`title_en` beside `title`), the French otherwise."""
    if (language or str(get_locale())) == "en":
        english = getattr(item, f"{field}_en", "")
        if english:
            return english
    return getattr(item, field)


def init_app(app: Flask) -> None:
    app.after_request(remember_language)
    app.jinja_env.globals.update(
        local_date=local_date, local_time=local_time, local_datetime=local_datetime, tr=localised
    )


def fold(text: str) -> str:
    """`text` without accents, case folded: the form names are sorted and compared in."""
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    ).casefold()
