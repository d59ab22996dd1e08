"""Client secrets never reach a log: a filter on the Kafka client libraries' loggers.

Why: kafka-python logs whole client configurations at DEBUG (``KafkaAdminClient`` prints
``sasl_plain_password``), and a notebook user turning DEBUG on to chase a connection problem
would paste the password into a cell output or a bug report. The filter rewrites a record's
message before any handler sees it:

* the value after any key containing ``password``, ``secret`` or ``token`` (``sasl_plain_password``,
  ``ssl_password``, ``sasl_oauth_token``...) in ``key: value`` / ``key=value`` text (dict
  reprs, config dumps) becomes ``***``;
* any value the broker module registered as a secret (``remember_secrets``, the values of
  those keys in the configs it passed to a client) is replaced wherever it appears.

A logger's filters do not apply to its children's records, so ``install`` puts the filter on
``kafka`` and on every ``kafka.*`` logger that exists; the broker module calls it whenever it
opens a client, after the client library's modules (and their loggers) are imported.
"""

from __future__ import annotations

import logging
import re
import threading

SECRET_KEY_WORDS = ("password", "secret", "token")
MASK = "***"

_KEY_VALUE = re.compile(
    r"""(?P<key>['"]?[\w.\-]*(?:password|secret|token)[\w.\-]*['"]?\s*[:=]\s*)"""
    r"""(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,;)}\]]+)""",
    re.IGNORECASE)

_secrets: set[str] = set()
_lock = threading.Lock()


def is_secret_key(key: str) -> bool:
    k = str(key).lower()
    return any(w in k for w in SECRET_KEY_WORDS)


def remember_secrets(config: dict) -> None:
    """Register the secret values of a client config, to be masked wherever they appear."""
    with _lock:
        for k, v in config.items():
            if is_secret_key(k) and isinstance(v, (str, bytes)) and len(v) >= 3:
                _secrets.add(v.decode("utf-8", "replace") if isinstance(v, bytes) else v)


def redact_text(text: str) -> str:
    """``text`` with secret-keyed values and registered secrets masked."""
    def mask(m: re.Match) -> str:
        value = m.group("value")
        quote = value[0] if value[:1] in ("'", '"') else ""
        return m.group("key") + quote + MASK + quote
    text = _KEY_VALUE.sub(mask, text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message with secrets masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the logging module's to report
            return True
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_FILTER = RedactSecrets()


def install(root: str = "kafka") -> None:
    """Put the filter on ``root`` and every existing logger below it (idempotent)."""
    names = [root] + [n for n in list(logging.root.manager.loggerDict)
                      if n.startswith(root + ".")]
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
