"""GREATEST and LEAST (category MATHEMATICAL): custom resolution with ksqlDB's rules.

Why custom: ksqlDB resolves these generic varargs functions more strictly than other
generics — mixing INTEGER with BIGINT (or with a DECIMAL but no DOUBLE) is ambiguous, all-NULL
arguments are ambiguous, and a string literal among DATE/TIME/TIMESTAMP values is read as one.
"""

from __future__ import annotations

from .. import types as t
from ..errors import KsqlStatementError
from . import datetime as dt
from . import signatures as sig
from .registry import ResolvedScalar, scalar_resolver


def _parse_temporal(base: str, s: str):
    return {"DATE": dt.parse_iso_date, "TIME": dt.parse_iso_time,
            "TIMESTAMP": dt.parse_iso_timestamp}[base](s)


def _target(name: str, arg_types: list) -> t.SqlType:
    known = [a for a in arg_types if a is not None and a.base != "NULL"]
    if not known:
        raise KsqlStatementError("Function '%s' cannot be resolved due to ambiguous method "
                                 "parameters %s." % (name.lower(), sig.show_actual(arg_types)))
    bases = {a.base for a in known}
    temporal = bases & {"DATE", "TIME", "TIMESTAMP"}
    if len(temporal) == 1 and bases <= temporal | {"STRING"}:
        return next(a for a in known if a.base in temporal)
    if len(bases) == 1:
        return t.common_type(known)
    if bases <= set(t.NUMERIC_BASES):
        if "DOUBLE" in bases:
            return t.DOUBLE
        raise KsqlStatementError("Function '%s' cannot be resolved due to ambiguous method "
                                 "parameters %s." % (name.lower(), sig.show_actual(arg_types)))
    raise KsqlStatementError("Function '%s' does not accept parameters %s."
                             % (name.lower(), sig.show_actual(arg_types)))


def _make(name: str, pick):
    def resolve(fname, arg_types):
        if not arg_types:
            raise KsqlStatementError("Function '%s' does not accept parameters ()." % name.lower())
        target = _target(name, arg_types)
        strings = [i for i, a in enumerate(arg_types) if a is not None and a.base == "STRING"]
        conv = target.base if target.is_temporal and strings else None

        def fn(*xs):
            vals = [x for x in xs if x is not None]
            if conv:
                vals = [_parse_temporal(conv, x) if isinstance(x, str) else x for x in vals]
            return pick(vals) if vals else None
        return ResolvedScalar(name, fn, _param_types(target, arg_types, conv), target)
    return resolve


def _param_types(target: t.SqlType, arg_types: list, conv) -> list:
    """What each argument is converted to before the call. DECIMAL arguments keep their own
    precision and scale: ksqlDB compares the BigDecimals as given and returns the winner
    unchanged (so its scale is the argument's), only the declared type is the widened one."""
    out = []
    for a in arg_types:
        keep = a is not None and (a.base == "DECIMAL" and target.base == "DECIMAL"
                                  or a.base == "STRING" and conv)
        out.append(a if keep else target)
    return out


scalar_resolver("GREATEST", "MATHEMATICAL", "The largest non-NULL argument.")(
    _make("GREATEST", max))
scalar_resolver("LEAST", "MATHEMATICAL", "The smallest non-NULL argument.")(
    _make("LEAST", min))
