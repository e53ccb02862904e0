"""`eventday send-mail --watch`: the outbox's worker, a loop that several nodes may run at once.

Each round delivers what waits (eventday.mail.deliver). Two workers never send one mail
twice: each mail is claimed by one conditional UPDATE before it is sent (the claim holds
for CLAIM_EXPIRES, after which a worker that died is taken over), and a mail sent again
after a lost answer keeps its Message-ID. While the SMTP server fails, the rounds space
out (doubling, up to MAX_PAUSE); SIGTERM or SIGINT ends the loop after the round.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from eventday import mail

MAX_PAUSE_SECONDS = 300.0


def watch(
    interval: float,
    rounds: int | None = None,
    stop: threading.Event | None = None,
    said: Callable[[mail.DeliveryReport], None] | None = None,
) -> int:
    """Deliver every `interval` seconds until stopped (or `rounds` rounds); mails sent."""
    stop = stop or _stopped_by_signals()
    pause, sent, done = interval, 0, 0
    while not stop.is_set() and (rounds is None or done < rounds):
        report = mail.deliver()
        sent += report.sent
        done += 1
        if said is not None and (report.sent or report.failed):
            said(report)
        pause = min(pause * 2, MAX_PAUSE_SECONDS) if report.failed and not report.sent else interval
        if rounds is None or done < rounds:
            stop.wait(pause)
    return sent


def _stopped_by_signals() -> threading.Event:
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    return stop
