"""Log redaction: API keys, bearer tokens and e-mail addresses never reach a log.

:class:`RedactingFilter` rewrites each record's formatted message (and its exception text)
before any handler formats it. :func:`install` attaches it to the handlers of the root
logger and to the loggers the API and uvicorn write to.
"""

from __future__ import annotations

import logging
import re

from matchmaking.keys import KEY_LIKE

BEARER = re.compile(r"(?i)(bearer\s+)[^\s,;\"']+")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
LOGGERS = ("api", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi")


def redact(text: str) -> str:
    """``text`` with keys, bearer tokens and e-mail addresses replaced."""
    text = KEY_LIKE.sub("mm_[REDACTED]", text)
    text = BEARER.sub(r"\1[REDACTED]", text)
    return EMAIL.sub("[EMAIL]", text)


class RedactingFilter(logging.Filter):
    """Replaces secrets in the message and exception text of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Redact the format string and each argument, keeping the shape of ``args``
        # (uvicorn's access formatter reads them as a tuple).
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _clean(value: object) -> object:
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = str(value)
    clean = redact(text)
    return value if clean == text else clean


_FILTER = RedactingFilter()


def install() -> RedactingFilter:
    """Attach the filter (once) to our loggers and to every root handler."""
    targets: list[logging.Filterer] = [logging.getLogger(n) for n in LOGGERS]
    targets += list(logging.getLogger().handlers)
    for name in LOGGERS:
        targets += list(logging.getLogger(name).handlers)
    for t in targets:
        if _FILTER not in t.filters:
            t.addFilter(_FILTER)
    return _FILTER
