"""Function signatures: a tiny pattern language for parameter types and the matcher that binds them.

Why patterns and not plain SqlTypes: ksqlDB's built-ins are generic (``ARRAY<T>``), accept any
DECIMAL, any STRUCT, or a lambda whose types depend on the other arguments. A pattern is a
SqlType whose ``base`` may also be one of the pseudo types below; ``match`` binds it against the
actual argument types once per call site, so nothing is dispatched per record.

Pattern text (parsed by ``parse``): ``STRING``, ``INT``, ``DECIMAL`` (any precision), ``STRUCT``
(any struct), ``ANY``, a single capital letter (a generic), ``ARRAY<T>``, ``MAP<K, V>``,
``FN(T) -> U`` (a lambda), optionally followed by a parameter name: ``ARRAY<T> list``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import types as t

GENERIC, ANYDECIMAL, ANYSTRUCT, ANY = "GENERIC", "ANYDECIMAL", "ANYSTRUCT", "ANY"
_RANK = {"INTEGER": 0, "BIGINT": 1, "DECIMAL": 2, "DOUBLE": 3}


# -- parsing ------------------------------------------------------------------------------
def parse(text: str) -> tuple[t.SqlType, str | None]:
    """A pattern and its optional parameter name from text like ``'ARRAY<T> list'``."""
    text = text.strip()
    name = None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c in ">)":
            depth += 1
        elif c in "<(":
            depth -= 1
        elif c == " " and depth == 0 and not text[:i].rstrip().endswith(("->", ",")):
            head, tail = text[:i].strip(), text[i + 1:].strip()
            if tail.isidentifier() and not head.endswith("->"):
                name = tail
                text = head
            break
    return parse_type(text), name


def parse_type(text: str) -> t.SqlType:
    """A pattern SqlType from its text (no parameter name)."""
    pattern, rest = _parse(text.strip())
    if rest.strip():
        raise ValueError("bad type pattern: %r" % text)
    return pattern


_SIMPLE = {"DECIMAL": t.SqlType(ANYDECIMAL), "STRUCT": t.SqlType(ANYSTRUCT), "ANY": t.SqlType(ANY),
           "INT": t.INTEGER, "VARCHAR": t.STRING, "NULL": t.NULL}


def _parse(s: str):
    s = s.lstrip()
    if s.upper().startswith("FN("):
        params, s = [], s[3:]
        while not s.lstrip().startswith(")"):
            p, s = _parse(s)
            params.append(p)
            s = s.lstrip().lstrip(",")
        s = s.lstrip()[1:].lstrip()
        assert s.startswith("->"), s
        ret, s = _parse(s[2:])
        return t.lambda_of(params, ret), s
    word = ""
    while s and (s[0].isalnum() or s[0] == "_"):
        word, s = word + s[0], s[1:]
    up = word.upper()
    s = s.lstrip()
    if up == "ARRAY":
        el, s = _parse(s[1:])
        return t.array(el), s.lstrip()[1:]
    if up == "MAP":
        k, s = _parse(s[1:])
        v, s = _parse(s.lstrip()[1:])
        return t.map_of(k, v), s.lstrip()[1:]
    if up == "DECIMAL" and s.startswith("("):
        inner, s = s[1:].split(")", 1)
        p, sc = (int(x) for x in inner.split(","))
        return t.decimal(p, sc), s
    if up in _SIMPLE:
        return _SIMPLE[up], s
    if up in t.PRIMITIVES:
        return t.PRIMITIVES[up], s
    if len(up) == 1 and up.isalpha():
        return t.SqlType(GENERIC, name=up), s
    raise ValueError("bad type pattern: %r" % word)


# -- display ------------------------------------------------------------------------------
def show(p: t.SqlType) -> str:
    """ksqlDB's spelling of a pattern in 'Valid alternatives' and DESCRIBE FUNCTION."""
    b = p.base
    if b == GENERIC:
        return p.name
    if b == ANYDECIMAL:
        return "DECIMAL"
    if b == ANYSTRUCT:
        return "STRUCT"
    if b == ANY:
        return "ANY"
    if b == "ARRAY":
        return "ARRAY<%s>" % show(p.element)
    if b == "MAP":
        return "MAP<%s, %s>" % (show(p.key), show(p.value))
    if b == "LAMBDA":
        return "LAMBDA<(%s) => %s>" % (", ".join(show(x) for x in p.params), show(p.returns))
    return str(p)


def show_actual(ts) -> str:
    """How ksqlDB prints actual argument types in its errors (a NULL literal is 'null')."""
    return "(%s)" % ", ".join("null" if x is None or x.base == "NULL" else str(x) for x in ts)


# -- matching -----------------------------------------------------------------------------
@dataclass
class Match:
    """The result of binding one overload: its cost (0 = exact) and the bound types."""

    cost: int
    bindings: dict
    concrete: list          # per argument: the type the value is converted to before the call


def match(patterns: list, actual: list) -> Match | None:
    """Bind patterns (already expanded to one per argument) against actual types, or None."""
    bindings: dict = {}
    cost = 0
    concrete = []
    for p, a in zip(patterns, actual):
        c = _bind(p, a, bindings)
        if c is None:
            return None
        cost += c
    for p, a in zip(patterns, actual):
        concrete.append(_concrete(p, a, bindings))
    return Match(cost, bindings, concrete)


def _bind(p: t.SqlType, a: t.SqlType | None, b: dict) -> int | None:
    if a is None or a.base == "NULL":
        return 0
    kind = p.base
    if kind == ANY:
        return 0
    if kind == GENERIC:
        return _bind_generic(p.name, a, b)
    if kind == ANYDECIMAL:
        return {"DECIMAL": 0, "BIGINT": 1, "INTEGER": 2}.get(a.base)
    if kind == ANYSTRUCT:
        return 0 if a.base == "STRUCT" else None
    if kind == "ARRAY":
        return _bind(p.element, a.element, b) if a.base == "ARRAY" else None
    if kind == "MAP":
        if a.base != "MAP":
            return None
        ck, cv = _bind(p.key, a.key, b), _bind(p.value, a.value, b)
        return None if ck is None or cv is None else ck + cv
    if kind == "LAMBDA":
        return _bind_lambda(p, a, b)
    return _widen_cost(a, p)


def _bind_generic(name: str, a: t.SqlType, b: dict) -> int | None:
    bound = b.get(name)
    if bound is None or bound.base == "NULL":
        b[name] = a
        return 0
    if bound == a:
        return 0
    if t.can_widen(a, bound):
        return 1
    if t.can_widen(bound, a):
        b[name] = a
        return 1
    if bound.is_numeric and a.is_numeric:
        b[name] = t.common_numeric(bound, a)
        return 1
    widened = t.common_type([bound, a])
    if widened is not None:
        b[name] = widened
        return 1
    return None


def _bind_lambda(p: t.SqlType, a: t.SqlType, b: dict) -> int | None:
    if a.base != "LAMBDA" or len(a.params) != len(p.params):
        return None
    if p.returns is not None and a.returns is not None:
        return _bind(p.returns, a.returns, b)
    return 0


def _widen_cost(a: t.SqlType, p: t.SqlType) -> int | None:
    if a == p:
        return 0
    if a.base in _RANK and p.base in _RANK:
        if p.base == "DECIMAL" and a.base == "DECIMAL":
            return 0 if t.can_widen(a, p) else None
        diff = _RANK[p.base] - _RANK[a.base]
        return diff if diff > 0 else None
    return 1 if t.can_widen(a, p) else None


def substitute(p: t.SqlType, b: dict) -> t.SqlType:
    """The pattern with its generics replaced by their bindings (unbound ones become NULL)."""
    kind = p.base
    if kind == GENERIC:
        return b.get(p.name, t.NULL)
    if kind == "ARRAY":
        return t.array(substitute(p.element, b))
    if kind == "MAP":
        return t.map_of(substitute(p.key, b), substitute(p.value, b))
    if kind == "LAMBDA":
        return t.lambda_of([substitute(x, b) for x in p.params],
                           substitute(p.returns, b) if p.returns is not None else None)
    if kind in (ANYDECIMAL, ANYSTRUCT, ANY):
        return t.NULL
    return p


def _concrete(p: t.SqlType, a: t.SqlType | None, b: dict) -> t.SqlType:
    if p.base == ANYDECIMAL:
        if a is None or a.base == "NULL":
            return t.NULL
        return a if a.base == "DECIMAL" else t.decimal_for_integral(a)
    if p.base in (ANYSTRUCT, ANY):
        return a if a is not None else t.NULL
    if p.base == "LAMBDA" and a is not None and a.base == "LAMBDA":
        return a
    if p.base in ("ARRAY", "MAP") and a is not None and a.base == p.base and _has_any(p):
        return a
    return substitute(p, b)


def _has_any(p: t.SqlType) -> bool:
    if p.base in (ANYDECIMAL, ANYSTRUCT, ANY):
        return True
    return any(_has_any(x) for x in (p.element, p.key, p.value) if x is not None)


def has_pseudo(p: t.SqlType) -> bool:
    """True if the pattern needs binding (so the overload is not an exact concrete one)."""
    if p.base in (GENERIC, ANYDECIMAL, ANYSTRUCT, ANY, "LAMBDA"):
        return True
    if p.base == "ARRAY":
        return has_pseudo(p.element)
    if p.base == "MAP":
        return has_pseudo(p.key) or has_pseudo(p.value)
    return False
