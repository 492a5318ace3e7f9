"""Personal data never reaches a log line: a logging filter that masks it in every record."""

import logging

from copilot.personal_data import mask as mask_pii

# the loggers a served copilot writes through (uvicorn's own and ours, via the root)
SERVED_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")
# structured fields of log records that carry what callers sent (ids, paths)
STRUCTURED_FIELDS = ("request_id", "path", "route")


class PersonalDataFilter(logging.Filter):
    """Masks mobile, ID-card and bank-card numbers, e-mail and addresses in the final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask personal data in the message and structured fields; never drops a record."""
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        for name in STRUCTURED_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, mask_pii(value))
        return True


def install_log_masking() -> None:
    """Attach the filter to every handler of the served loggers (idempotent)."""
    for name in SERVED_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())
