"""Records -> rows: deserialization, pseudo columns and event time for one source.

A bad record (undecodable key or value, unusable timestamp) is skipped, counted and written
to the processing log; it never stops the query or raises into the caller.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..catalog import Source
from ..functions.javatime import parse_millis
from ..plan import SourceBinding
from ..serde import SerdeError, make_serde
from ..serde.windowed import decode_windowed_key
from ..temporal import parse_timestamp


class RowError(Exception):
    """A record that cannot become a row; the message goes to the processing log."""


class NullKeyRecord(RowError):
    """A table record without a key: Kafka Streams' table source skips it (a dropped-records
    metric, not a deserialization error), so it is no row and no processing-log entry."""


def timestamp_extractor(src: Source) -> Optional[Callable]:
    """The function turning a row's TIMESTAMP column into ROWTIME, if the source names one."""
    col = src.timestamp_column
    if not col:
        return None
    layout = src.key_columns + src.value_columns + src.header_columns
    names = [c.name for c in layout]
    if col not in names:
        return None
    idx = names.index(col)
    slot = layout[idx]
    t = slot.type.base
    if t in ("BIGINT", "INTEGER", "TIMESTAMP"):
        return lambda row: row[idx]
    if t == "STRING":
        fmt = src.timestamp_format
        if fmt:
            return lambda row: None if row[idx] is None else parse_millis(row[idx], fmt)
        return lambda row: None if row[idx] is None else parse_timestamp(row[idx])
    return None


class SourceReader:
    """Builds rows laid out as ``bind_source`` describes them."""

    def __init__(self, binding: SourceBinding):
        src = binding.source
        self.source = src
        self.binding = binding
        props = src.properties
        key_cols = [(c.name, c.type) for c in src.key_columns]
        val_cols = [(c.name, c.type) for c in src.value_columns]
        self.key_serde = make_serde(src.key_format, key_cols, is_key=True, properties=props,
                                    topic=src.topic, registry=src.registry) if key_cols else None
        self.value_serde = make_serde(src.value_format, val_cols, is_key=False, properties=props,
                                      topic=src.topic, registry=src.registry)
        self.key_count = len(key_cols)
        self.value_count = len(val_cols)
        self.headers = src.header_columns
        self.windowed = src.window
        self.is_table = src.kind == "TABLE"
        self.extract_ts = timestamp_extractor(src)

    def _key_values(self, rec) -> tuple[list, Optional[tuple[int, int]]]:
        data = rec.key
        window = None
        if self.windowed is not None and data is not None:
            session = self.windowed.kind == "SESSION"
            data, start, end = decode_windowed_key(data, session, self.windowed.size)
            window = (start, end)
        if self.key_serde is None:
            return [], window
        vals = self.key_serde.deserialize(data)
        return (vals if vals is not None else [None] * self.key_count), window

    def _headers(self, rec) -> list:
        out = []
        for c in self.headers:
            if c.namespace == "HEADERS":
                out.append([{"KEY": k, "VALUE": v} for k, v in rec.headers])
            else:
                found = [v for k, v in rec.headers if k == c.header_key]
                out.append(found[-1] if found else None)
        return out

    def row(self, rec) -> tuple[list, bool]:
        """(row, is_delete). Raises RowError for a record that must be skipped."""
        if rec.key is None and self.is_table:
            raise NullKeyRecord()
        try:
            keys, window = self._key_values(rec)
            values = self.value_serde.deserialize(rec.value) if rec.value is not None else None
        except SerdeError as e:
            raise RowError(e.message) from None
        except Exception as e:  # noqa: BLE001 - any decoding failure is a bad record
            raise RowError("Failed to deserialize record from topic: %s. %s" % (rec.topic, e)) from None
        deleted = values is None
        if deleted:
            values = [None] * self.value_count
        row = keys + values
        if self.headers:
            row += self._headers(rec)
        row += [rec.timestamp, rec.partition, rec.offset]
        if self.windowed is not None:
            row += [window[0], window[1]] if window else [None, None]
        if self.extract_ts is not None and not deleted:
            try:
                ts = self.extract_ts(row)
            except Exception as e:  # noqa: BLE001
                raise RowError("Failed to extract timestamp from column %s: %s"
                               % (self.source.timestamp_column, e)) from None
            if ts is None or ts < 0:
                raise RowError("Invalid timestamp %r in column %s" % (ts, self.source.timestamp_column))
            row[self.key_count + self.value_count + len(self.headers)] = ts
        return row, deleted
