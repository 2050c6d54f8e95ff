"""Access logs without link tokens: a token in a log line is a key to a client's quote (/q/) or
to a supplier's decision (/a/)."""

from __future__ import annotations

import logging
import re

_LINK_TOKEN = re.compile(r"(/[qa]/)[^/?\s\"]+")
ACCESS_LOGGER = "uvicorn.access"


class LinkTokenFilter(logging.Filter):
    """Rewrites `/q/<token>…` and `/a/<token>…` paths in a record's message and arguments as `/q/<token>…`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _LINK_TOKEN.sub(r"\1<token>", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _LINK_TOKEN.sub(r"\1<token>", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def redact_link_tokens() -> None:
    """Installs the filter on the server's access log once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, LinkTokenFilter) for f in logger.filters):
        logger.addFilter(LinkTokenFilter())
