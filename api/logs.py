"""Log redaction: API keys, bearer tokens and e-mail addresses never reach a log.

E-mail addresses are recognised in the encodings a request line or a payload may carry them
in (``victim%40example.org``, ``%2540``, ``\\u0040``, ``&#64;``), not only with a plain "@".

:class:`RedactingFilter` rewrites each record's formatted message (and its exception text)
before any handler formats it. :func:`install` attaches it to the handlers of the root
logger and to the loggers the API and uvicorn write to.
"""

from __future__ import annotations

import logging
import re

from matchmaking.keys import KEY_LIKE

BEARER = re.compile(r"(?i)(bearer\s+)[^\s,;\"']+")
#: "@" as written in a log: plain, URL-encoded (``%40``, double ``%2540``), a JSON or
#: Python escape (``\u0040``, ``\x40``) or an HTML character reference.
AT = r"(?:@|%40|%2540|\\u0040|\\x40|&#0*64;|&#x0*40;)"
#: A dot in the domain, plain or URL-encoded.
DOT = r"(?:\.|%2e|%252e)"
EMAIL = re.compile(rf"[A-Za-z0-9._%+-]+{AT}(?:[A-Za-z0-9-]+{DOT})+[A-Za-z]{{2,}}", re.IGNORECASE)
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
