"""Log lines as JSON (LOG_FORMAT=json): one object per line with the time, level, logger, message and,
inside a request, its id, the user and the case number; exceptions as one `exc` string.

Imported by the LOGGING setting before the apps are loaded: nothing here touches models."""

import datetime as dt
import json
import logging

from .context import current


class RequestContextFilter(logging.Filter):
    """Adds request_id, user and case_number to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current.get()
        record.request_id = context.request_id if context else ""
        record.user = context.user if context else ""
        record.case_number = context.case_number if context else ""
        return True


class JsonFormatter(logging.Formatter):
    EXTRA = ("method", "path", "status", "duration_ms", "view")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user", "case_number", *self.EXTRA):
            if value := getattr(record, key, None):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
