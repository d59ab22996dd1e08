"""``%ksql connect ...``: a target URL -> a new Engine (memory, Kafka, or Flink + Kafka).

Why its own module: each target is one entry in ``TARGETS``; the magic only calls
``engine_for``. Every failure (unknown scheme, no broker, not implemented) is a
``KsqlError`` so the user sees one line, not a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import os

from .errors import KsqlError, KsqlStatementError

USAGE = ("usage: %ksql connect memory | kafka://HOST:PORT [--client NAME] "
         "[--config KEY=VALUE]... [--config-env KEY=ENV_VAR]... | "
         "flink://GATEWAY kafka://HOST:PORT")
CREDENTIALS_HELP = (
    "credentials do not go in the URL. Give the address alone and the client settings as "
    "options, the secret read from an environment variable so it is not stored in the "
    "notebook: %ksql connect kafka://HOST:PORT --config security_protocol=SASL_PLAINTEXT "
    "--config sasl_mechanism=PLAIN --config sasl_plain_username=USER "
    "--config-env sasl_plain_password=KAFKA_PASSWORD")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing (its messages would echo what was typed)."""

    def error(self, message):
        raise KsqlStatementError(USAGE)


def parse(tokens: list) -> argparse.Namespace:
    _refuse_userinfo(tokens)
    p = _Parser(prog="%ksql connect", add_help=False)
    p.add_argument("targets", nargs="*")
    p.add_argument("--client", default=None)
    p.add_argument("--config", action="append", default=[])
    p.add_argument("--config-env", action="append", default=[])
    p.add_argument("--schema-registry", default=None)
    p.add_argument("--schema-registry-auth-env", default=None)
    return p.parse_args(tokens)


def registry_properties(args) -> dict | None:
    """The engine properties naming the user's schema registry, if one was given; its
    USER:PASSWORD comes from an environment variable, never from the notebook's text."""
    if not args.schema_registry:
        return None
    props = {"ksql.schema.registry.url": args.schema_registry}
    var = args.schema_registry_auth_env
    if var:
        if var not in os.environ:
            raise KsqlStatementError("--schema-registry-auth-env: environment variable %s "
                                     "is not set" % var)
        from .brokers.log_redaction import remember_secrets
        remember_secrets({"schema_registry_password": os.environ[var]})
        props["ksql.schema.registry.basic.auth.user.info"] = os.environ[var]
        props["ksql.schema.registry.basic.auth.credentials.source"] = "USER_INFO"
    return props


def _refuse_userinfo(tokens: list) -> None:
    """``kafka://user:pass@host`` would pass the credentials as part of the host name (and
    they would be echoed in errors): refused, saying where they go, without repeating them."""
    for tok in tokens:
        if "://" in tok and "@" in tok.split("://", 1)[1].split("/", 1)[0]:
            scheme = tok.split("://", 1)[0]
            raise KsqlStatementError("%s://USER:PASSWORD@... is not accepted: %s"
                                     % (scheme if scheme.isalnum() else "the", CREDENTIALS_HELP))


def client_config(args) -> dict:
    """Client settings from ``--config KEY=VALUE`` and ``--config-env KEY=ENV_VAR``. A secret
    (a key naming a password, secret or token) must come from the environment."""
    from .brokers.log_redaction import is_secret_key
    config = {}
    for item in args.config:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise KsqlStatementError("--config takes KEY=VALUE; " + USAGE)
        if is_secret_key(key):
            raise KsqlStatementError("--config %s=... would store a secret in the notebook: use "
                                     "--config-env %s=ENV_VAR (the value read from that "
                                     "environment variable)" % (key, key))
        config[key] = _typed(value)
    for item in args.config_env:
        key, sep, var = item.partition("=")
        if not sep or not key or not var:
            raise KsqlStatementError("--config-env takes KEY=ENV_VAR; " + USAGE)
        if var not in os.environ:
            raise KsqlStatementError("--config-env %s: environment variable %s is not set"
                                     % (key, var))
        config[key] = os.environ[var]
    from .brokers.log_redaction import remember_secrets
    remember_secrets(config)
    return config


def _typed(value: str):
    """Numbers and booleans as the client libraries expect them; anything else a string."""
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    try:
        return int(value)
    except ValueError:
        return value


def describe(tokens: list) -> str:
    """What was connected to, for the notebook: targets and client, never config values."""
    try:
        args = parse(tokens)
    except KsqlError:
        return "?"
    out = " ".join(args.targets or ["memory"])
    if args.client:
        out += " (client %s)" % args.client
    keys = [c.partition("=")[0] for c in args.config + args.config_env]
    if keys:
        out += " with " + ", ".join(keys)
    return out


def memory(args, _rest):
    """The embedded broker, explicitly (``Engine()`` alone may follow KSQL_MAGIC_BOOTSTRAP)."""
    from .brokers.memory import MemoryBroker
    from .engine import Engine
    return Engine(broker=MemoryBroker(), properties=registry_properties(args))


def kafka(args, rest):
    from .engine import Engine
    bootstrap = rest[0].split("://", 1)[1]
    return build(Engine, bootstrap_servers=bootstrap, client=args.client,
                 properties=registry_properties(args), **client_config(args))


def flink(args, rest):
    from .engine import Engine
    gateway = rest[0].split("://", 1)[1]
    kafka_urls = [t for t in rest[1:] if t.startswith("kafka://")]
    if not kafka_urls:
        raise KsqlStatementError("flink needs a Kafka bootstrap too: "
                                 "%ksql connect flink://GATEWAY kafka://HOST:PORT")
    if "flink" not in inspect.signature(Engine).parameters:
        raise KsqlStatementError("the Flink backend is not available in this version yet")
    return build(Engine, flink="http://" + gateway,
                 bootstrap_servers=kafka_urls[0].split("://", 1)[1], client=args.client,
                 properties=registry_properties(args), **client_config(args))


def build(factory, **kwargs):
    """Call the engine with the target's keywords; a missing feature or an unreachable
    broker becomes one readable line."""
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    try:
        return factory(**kwargs)
    except KsqlError:
        raise
    except TypeError as exc:
        raise KsqlStatementError(_masked("this engine cannot connect that way yet (%s)" % exc)) \
            from None
    except Exception as exc:     # noqa: BLE001 - network errors of every client library
        raise KsqlStatementError(_masked("cannot connect to %s: %s: %s" % (
            kwargs.get("bootstrap_servers", "?"), type(exc).__name__, exc))) from None


def _masked(message: str) -> str:
    """A client's error text with any secret it quotes masked (client configs are echoed by
    some libraries' exceptions)."""
    from .brokers.log_redaction import redact_text
    return redact_text(message)


TARGETS = {"memory": memory, "kafka": kafka, "flink": flink}


def engine_for(tokens: list):
    args = parse(tokens)
    rest = args.targets or ["memory"]
    scheme = rest[0].split("://", 1)[0].lower() if "://" in rest[0] else rest[0].lower()
    if scheme not in TARGETS:
        raise KsqlStatementError("unknown connection %r; use memory, kafka://HOST:PORT or "
                                 "flink://GATEWAY kafka://HOST:PORT" % rest[0])
    return TARGETS[scheme](args, rest)
