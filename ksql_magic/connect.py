"""``%ksql connect ...``: a target URL -> a new Engine (memory, Kafka, or Flink + Kafka).

Why its own module: each target is one entry in ``TARGETS``; the magic only calls
``engine_for``. Every failure (unknown scheme, no broker, not implemented) is a
``KsqlError`` so the user sees one line, not a traceback.
"""

from __future__ import annotations

import argparse
import inspect

from .errors import KsqlError, KsqlStatementError


def parse(tokens: list) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="%ksql connect", add_help=False)
    p.add_argument("targets", nargs="*")
    p.add_argument("--client", default=None)
    p.add_argument("--schema-registry", default=None)         # URL, may hold user:pass@
    p.add_argument("--schema-registry-auth", default=None)    # USER:PASSWORD
    try:
        return p.parse_args(tokens)
    except SystemExit:
        raise KsqlStatementError("usage: %ksql connect memory | kafka://HOST:PORT "
                                 "[--client NAME] [--schema-registry URL "
                                 "[--schema-registry-auth USER:PASSWORD]] | "
                                 "flink://GATEWAY kafka://HOST:PORT") from None


def registry_properties(args) -> dict | None:
    """The engine properties naming the user's schema registry, if one was given."""
    if not args.schema_registry:
        return None
    props = {"ksql.schema.registry.url": args.schema_registry}
    if args.schema_registry_auth:
        props["ksql.schema.registry.basic.auth.user.info"] = args.schema_registry_auth
        props["ksql.schema.registry.basic.auth.credentials.source"] = "USER_INFO"
    return props


def redacted(text: str) -> str:
    """The connect command as it may be shown: registry credentials replaced by ***."""
    import re
    text = re.sub(r"(--schema-registry-auth[= ]+)\S+", r"\1***", text)
    return re.sub(r"(://)[^/@\s]+@", r"\1***@", text)


def memory(args, _rest):
    """The embedded broker, explicitly (``Engine()`` alone may follow KSQL_MAGIC_BOOTSTRAP)."""
    from .brokers.memory import MemoryBroker
    from .engine import Engine
    return Engine(broker=MemoryBroker(), properties=registry_properties(args))


def kafka(args, rest):
    from .engine import Engine
    bootstrap = rest[0].split("://", 1)[1]
    return build(Engine, bootstrap_servers=bootstrap, client=args.client,
                 properties=registry_properties(args))


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
                 properties=registry_properties(args))


def build(factory, **kwargs):
    """Call the engine with the target's keywords; a missing feature or an unreachable
    broker becomes one readable line."""
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    try:
        return factory(**kwargs)
    except KsqlError:
        raise
    except TypeError as exc:
        raise KsqlStatementError("this engine cannot connect that way yet (%s)" % exc) from None
    except Exception as exc:     # noqa: BLE001 - network errors of every client library
        raise KsqlStatementError("cannot connect to %s: %s: %s" % (
            kwargs.get("bootstrap_servers", "?"), type(exc).__name__, exc)) from None


TARGETS = {"memory": memory, "kafka": kafka, "flink": flink}


def engine_for(tokens: list):
    args = parse(tokens)
    rest = args.targets or ["memory"]
    scheme = rest[0].split("://", 1)[0].lower() if "://" in rest[0] else rest[0].lower()
    if scheme not in TARGETS:
        raise KsqlStatementError("unknown connection %r; use memory, kafka://HOST:PORT or "
                                 "flink://GATEWAY kafka://HOST:PORT" % rest[0])
    return TARGETS[scheme](args, rest)
