"""Default settings; instance/config.py and EVENTDAY_* environment variables override them."""

# The database; None means a SQLite file in instance/ (see create_app).
DATABASE_URL: str | None = None
# None means a random key created once and kept in instance/secret_key.
SECRET_KEY: str | None = None
# The site's public base URL, e.g. "https://journee.example.org": every absolute link
# (mails, calendars, QR codes, pages) is built on it, never on a request's Host. None:
# development only (http://127.0.0.1:5000); `make serve` refuses to start without it.
PUBLIC_URL: str | None = None
# The Host names requests may carry (others get 400); None: the public URL's host and
# loopback (any host when no public URL is set).
TRUSTED_HOSTS: list[str] | None = None

MAIL_SERVER: str | None = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME: str | None = None
MAIL_PASSWORD: str | None = None
MAIL_DEFAULT_SENDER = "eventday@localhost"
# True where `eventday send-mail --watch` runs: a request then only writes its mails to
# the outbox and the worker delivers them (within its --interval), so no registration
# waits on the SMTP server, the badge PDF or the agenda. False: each change delivers its
# own mails once committed, and `eventday send-mail` (cron) tries again those that failed.
MAIL_WORKER = False

# How many reverse proxies (nginx, Caddy…) stand in front of eventday and set
# X-Forwarded-For and X-Forwarded-Proto; werkzeug's ProxyFix then trusts that
# many (the host comes from the Host header the proxy sends, and links in
# mails from PUBLIC_URL). 0: the headers are ignored (a client could forge
# them). Set 1 behind one proxy, or rate limits count the proxy's address for all.
PROXY_HOPS = 0

RATELIMIT_ENABLED = True
# memory:// counts per worker; redis://127.0.0.1:6379 shares the counts between workers
# and between machines (the client is a dependency: nothing to install).
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
# Redis down: each worker counts in its own memory meanwhile (limits still hold, per
# worker), goes back to Redis when it answers again, and never fails a request for it.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_SWALLOW_ERRORS = True

# Against robots on /register (see eventday/registration/robots.py): the least
# seconds between showing the form and sending it (0: no check), and how many
# forms one network address may send. A hospital behind one address sends
# many: raise the limit rather than lower the fill time.
REGISTRATION_MIN_SECONDS = 3.0
REGISTRATION_RATE_LIMIT = "10 per minute; 100 per hour"
# Abstracts sent or changed from one network address (a lab shares one: generous).
ABSTRACT_RATE_LIMIT = "20 per minute; 200 per hour"

# Days after an edition's last day by which its personal data is to be
# anonymised (`eventday anonymise --edition SLUG`); the privacy notice and the
# dashboard say so.
PERSONAL_DATA_RETENTION_DAYS = 90

LANGUAGES = ("fr", "en")
BABEL_DEFAULT_LOCALE = "fr"
DEFAULT_TIMEZONE = "Europe/Paris"

# How long a worker serves its cached programme before asking the database
# whether it changed (seconds). Changes made by the same worker show at once.
PROGRAMME_CACHE_SECONDS = 1.0

# The check-in desk, while online: how often it refreshes its copy of the roster, and
# how often it tries to send the scans it queued while offline (seconds).
CHECKIN_ROSTER_SECONDS = 30
CHECKIN_SYNC_SECONDS = 10


WTF_CSRF_TIME_LIMIT = 8 * 3600
# No form of ours comes near this: anything bigger is refused with a 413 page.
MAX_CONTENT_LENGTH = 1024 * 1024
# Cookies only over https; None: when PUBLIC_URL is an https:// address.
SECURE_COOKIES: bool | None = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Draw the book of abstracts in a thread once decisions are released (no one waits on it).
BOOK_DRAW_LATER = True
