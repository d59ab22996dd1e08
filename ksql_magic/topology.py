"""EXPLAIN's processing topology, in the shape ksqlDB prints Kafka Streams' description.

ksqlDB's EXPLAIN <query id> lists the sources a query reads, the sinks it writes, its
execution plan and the Kafka Streams topology: sub-topologies split at each repartition
topic, each with its source (topics), processors (with their state stores) and sink. The
internal topics are named as ksqlDB names them: ``_confluent-ksql-<service id>query_<id>-``
followed by the operation (``Aggregate-GroupBy-repartition``, ``...-Materialize-changelog``).
"""

from __future__ import annotations

from .runtime.aggregate import Aggregator


def internal_prefix(service_id: str, query_id: str) -> str:
    return "_confluent-ksql-%squery_%s-" % (service_id, query_id)


class _Builder:
    """Numbers nodes as Kafka Streams does (KSTREAM-<OP>-<10 digits>) and lays them out."""

    def __init__(self):
        self.n = 0
        self.subs: list[list[tuple]] = [[]]

    def node(self, kind: str, name: str, detail: str = "") -> str:
        label = "KSTREAM-%s-%010d" % (name, self.n) if name.isupper() and "-" not in name \
            else name
        self.n += 1
        self.subs[-1].append((kind, label, detail))
        return label

    def split(self) -> None:
        self.subs.append([])

    def lines(self) -> list[str]:
        out = ["Topologies:"]
        for i, nodes in enumerate(self.subs):
            out.append("   Sub-topology: %d" % i)
            for j, (kind, label, detail) in enumerate(nodes):
                out.append("    %s: %s%s" % (kind, label, " (%s)" % detail if detail else ""))
                nxt = nodes[j + 1][1] if j + 1 < len(nodes) else None
                out.append("      --> %s" % (nxt or "none"))
                if j:
                    out.append("      <-- %s" % nodes[j - 1][1])
            out.append("")
        return out


def describe(plan, query_id: str, service_id: str, sink_topic: str | None) -> tuple[list, list]:
    """(topology lines, internal topics) of a query plan."""
    prefix = internal_prefix(service_id, query_id)
    b = _Builder()
    internal: list[str] = []
    topics = ", ".join(x.source.topic for x in plan.inputs)
    b.node("Source", "SOURCE", "topics: [%s]" % topics)
    b.node("Processor", "TRANSFORMVALUES")
    if plan.where is not None:
        b.node("Processor", "FILTER")
    op = plan.stateful
    if isinstance(op, Aggregator):
        if not op.o.by_source_partition and not op.o.table_keys:
            repart = prefix + "Aggregate-GroupBy-repartition"
            internal.append(repart)
            b.node("Processor", "Aggregate-GroupBy")
            b.node("Sink", "Aggregate-GroupBy-repartition-sink", "topic: %s" % repart)
            b.split()
            b.node("Source", "Aggregate-GroupBy-repartition-source", "topics: [%s]" % repart)
        store = "Aggregate-Aggregate-Materialize"
        internal.append(prefix + store + "-changelog")
        b.node("Processor", "Aggregate-Aggregate", "stores: [%s]" % store)
        b.node("Processor", "Aggregate-Project")
    elif op is not None:
        store = "KafkaTopic_Right-Reduce" if "Table" in type(op).__name__ else "Join-store"
        internal.append(prefix + store + "-changelog")
        b.node("Processor", "Join", "stores: [%s]" % store)
    if not isinstance(op, Aggregator):
        b.node("Processor", "Project")
    if sink_topic:
        b.node("Sink", "SINK", "topic: %s" % sink_topic)
    return b.lines(), internal


def explain_text(engine, query, info) -> str:
    """The text ksqlDB's EXPLAIN <query id> prints, section by section."""
    sink = engine.catalog.sources.get(info.sink) if info and info.sink else None
    service = str(engine.properties.get("ksql.service.id", "default_"))
    lines, internal = describe(query.plan, query.query_id, service, sink.topic if sink else None)
    schema = "\n".join(" %-20s| %s%s" % (c.name, c.type, " (key)" if c.is_key else "")
                       for c in query.plan.columns if not getattr(c, "hidden", False))
    sources = info.sources if info else [x.source.name for x in query.plan.inputs]
    parts = [
        "ID                   : %s" % query.query_id,
        "Query Type           : %s" % ("PERSISTENT" if query.persistent else "PUSH"),
        "SQL                  : %s" % query.sql,
        "Host Query Status    : %s" % query.state,
        "",
        " Field                | Type",
        schema,
        "",
        "Sources that this query reads from: ",
        "-----------------------------------",
        "\n".join(sources),
        "",
        "Sinks that this query writes to: ",
        "-----------------------------------",
        info.sink if info and info.sink else "",
        "",
        "Execution plan",
        "--------------",
        "\n".join(query.plan.description),
        "",
        "Internal topics",
        "---------------",
        "\n".join(internal) or "(none)",
        "",
        "Processing topology",
        "-------------------",
        "\n".join(lines),
    ]
    return "\n".join(parts)
