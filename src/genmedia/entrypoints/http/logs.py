"""JSON log lines for server processes: one object per record, access logs included."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_configured = False


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, and the fields of
    an access log (the record's `http` attribute)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "http", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr as a JSON line (once per process)."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("genmedia").setLevel(level)
    _configured = True
