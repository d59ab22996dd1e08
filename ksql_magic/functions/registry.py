"""The function registry: every built-in and user function, resolved once per call site.

What it owns: the table of function definitions (name -> kind, category, overloads), overload
resolution with ksqlDB's error texts, and the API the expression compiler calls
(``kind``, ``resolve_scalar``, ``lambda_param_types``, ``resolve_aggregate``, ``resolve_table``,
``list_functions``, ``describe``, ``register_udf``, ``register_udaf``).

Built-ins are declared next to their code with the ``scalar`` / ``aggregate`` / ``table``
decorators below (a one-entry change per function); ``default_registry()`` imports the family
modules and returns a fresh registry holding them plus the globally registered Python UDFs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import types as t
from ..errors import KsqlStatementError
from . import signatures as sig
from .udfs import apply_global, udaf_factory

_FAMILIES = ("strings", "math", "datetime", "nulls", "json_fns", "arrays", "maps", "lambdas",
             "urls", "regex", "bytes_fns", "conversions", "compare", "aggregates", "aggregates_more",
             "table_functions")


class NotConstant:
    """Marks an aggregate argument that is not a literal; ``text`` is the expression, if known."""

    def __init__(self, text: str | None = None):
        self.text = text

    def __repr__(self) -> str:
        return "NOT_CONSTANT" if self.text is None else "NotConstant(%r)" % self.text


NOT_CONSTANT = NotConstant()


@dataclass
class Overload:
    """One signature of a function and its implementation."""

    params: list                      # pattern SqlTypes
    names: list                       # parameter names (for DESCRIBE and error alternatives)
    returns: Any                      # pattern SqlType, or callable(concrete arg types) -> SqlType
    impl: Callable
    variadic: bool = False
    factory: bool = False             # impl(arg_types, return_type) -> the per-record callable
    description: str = ""
    variadic_at: int = -1             # which parameter repeats (aggregates may repeat a middle one)

    def _repeated(self) -> int:
        return self.variadic_at % len(self.params)

    def expand(self, n: int) -> list | None:
        """The patterns for ``n`` actual arguments, or None if the count cannot match."""
        k = len(self.params)
        if not self.variadic:
            return self.params if n == k else None
        if n < k - 1:
            return None
        i = self._repeated()
        return self.params[:i] + [self.params[i]] * (n - k + 1) + self.params[i + 1:]

    def signature(self, fname: str) -> str:
        parts = []
        for i, (p, nm) in enumerate(zip(self.params, self.names)):
            text = sig.show(p) + ("..." if self.variadic and i == self._repeated() else "")
            parts.append(text + (" " + nm if nm else ""))
        return "%s(%s)" % (fname, ", ".join(parts))

    def return_type(self, concrete: list, bindings: dict) -> t.SqlType:
        if callable(self.returns):
            return self.returns(concrete)
        return sig.substitute(self.returns, bindings)


@dataclass
class FunctionDef:
    """A function name with its kind, ksqlDB category and overloads."""

    name: str
    kind: str                          # "scalar" | "aggregate" | "table"
    category: str
    description: str = ""
    overloads: list = field(default_factory=list)
    resolver: Callable | None = None   # custom resolution (GREATEST/LEAST)


@dataclass
class ResolvedScalar:
    name: str
    fn: Callable[..., Any]
    param_types: list
    return_type: t.SqlType


@dataclass
class ResolvedTable:
    name: str
    fn: Callable[..., list]
    param_types: list
    return_type: t.SqlType


# -- built-in declarations ----------------------------------------------------------------
_BUILTINS: dict[str, FunctionDef] = {}


def _declare(kind, names, category, description, overload, resolver=None):
    for name in (names,) if isinstance(names, str) else names:
        key = name.upper()
        d = _BUILTINS.get(key)
        if d is None:
            d = _BUILTINS[key] = FunctionDef(key, kind, category, description)
        if overload is not None:
            d.overloads.append(overload)
        if resolver is not None:
            d.resolver = resolver
        if description and not d.description:
            d.description = description


def make_overload(params, returns, impl, variadic=False, factory=False, description="",
                  variadic_at=-1):
    """An Overload from pattern texts (``'ARRAY<T> list'``) or SqlTypes."""
    pats, names = [], []
    for p in params:
        pat, nm = sig.parse(p) if isinstance(p, str) else (p, None)
        pats.append(pat)
        names.append(nm)
    if isinstance(returns, str):
        returns = sig.parse_type(returns)
    return Overload(pats, names, returns, impl, variadic, factory, description, variadic_at)


def scalar(names, params, returns, category="OTHER", description="", variadic=False,
           factory=False):
    """Declare one overload of a built-in scalar function (decorator)."""
    def deco(fn):
        _declare("scalar", names, category, description,
                 make_overload(params, returns, fn, variadic, factory, description))
        return fn
    return deco


def scalar_resolver(names, category, description=""):
    """Declare a scalar whose resolution is custom: ``fn(name, arg_types) -> ResolvedScalar``."""
    def deco(fn):
        _declare("scalar", names, category, description, None, resolver=fn)
        return fn
    return deco


def aggregate(names, params, description="", variadic=False, returns=None, variadic_at=-1):
    """Declare an aggregate overload; the decorated factory is
    ``factory(arg_types, constant_args) -> AggregateFunction``. ``variadic_at`` names the
    repeated parameter when it is not the last (ksqlDB's TOPK(col, other..., k))."""
    def deco(factory):
        _declare("aggregate", names, "AGGREGATE", description,
                 make_overload(params, returns or t.NULL, factory, variadic, False, description,
                               variadic_at))
        return factory
    return deco


def table(names, params, returns, description=""):
    """Declare a table function overload; the decorated fn returns a list of rows' values."""
    def deco(fn):
        _declare("table", names, "TABLE", description,
                 make_overload(params, returns, fn, False, False, description))
        return fn
    return deco


# -- the registry -------------------------------------------------------------------------
class FunctionRegistry:
    """The functions one engine can call. Built-ins are shared; UDFs are per registry."""

    def __init__(self, defs: dict[str, FunctionDef] | None = None):
        self._defs: dict[str, FunctionDef] = dict(defs or {})

    # lookup -----------------------------------------------------------------------------
    def kind(self, name: str) -> str | None:
        d = self._defs.get(name.upper())
        return d.kind if d else None

    def _get(self, name: str, kind: str | None = None) -> FunctionDef:
        d = self._defs.get(name.upper())
        if d is None or (kind is not None and d.kind != kind):
            raise KsqlStatementError("Can't find any functions with the name '%s'" % name.upper())
        return d

    # resolution -------------------------------------------------------------------------
    def _choose(self, d: FunctionDef, arg_types: list):
        best, best_key = None, None
        for order, ov in enumerate(d.overloads):
            pats = ov.expand(len(arg_types))
            if pats is None:
                continue
            m = sig.match(pats, arg_types)
            if m is None:
                continue
            key = (m.cost, ov.variadic, sum(sig.has_pseudo(p) for p in ov.params), order)
            if best_key is None or key < best_key:
                best, best_key = (ov, m), key
        if best is None:
            raise self._no_match(d, arg_types)
        return best

    def _no_match(self, d: FunctionDef, arg_types: list) -> KsqlStatementError:
        fname = d.name.lower()
        msg = "Function '%s' does not accept parameters %s." % (fname, sig.show_actual(arg_types))
        if d.overloads:
            alts = sorted(ov.signature(fname) for ov in d.overloads)
            msg += "\nValid alternatives are:\n" + "\n".join(alts)
        return KsqlStatementError(msg)

    def resolve_scalar(self, name: str, arg_types: list) -> ResolvedScalar:
        d = self._get(name)
        if d.kind != "scalar":
            raise KsqlStatementError("Can't find any functions with the name '%s'" % name.upper())
        if d.resolver is not None:
            return d.resolver(d.name, list(arg_types))
        ov, m = self._choose(d, list(arg_types))
        ret = ov.return_type(m.concrete, m.bindings)
        fn = ov.impl(m.concrete, ret) if ov.factory else ov.impl
        return ResolvedScalar(d.name, fn, m.concrete, ret)

    def lambda_param_types(self, name: str, arg_types: list, lambda_index: int) -> list:
        d = self._get(name, "scalar")
        for ov in d.overloads:
            pats = ov.expand(len(arg_types))
            if pats is None or pats[lambda_index].base != "LAMBDA":
                continue
            known = [None if i == lambda_index or a is None else a
                     for i, a in enumerate(arg_types)]
            m = sig.match(pats, known)
            if m is not None:
                return [sig.substitute(p, m.bindings) for p in pats[lambda_index].params]
        raise self._no_match(d, arg_types)

    def resolve_aggregate(self, name: str, arg_types: list, constant_args: list):
        d = self._get(name, "aggregate")
        ov, m = self._choose(d, list(arg_types))
        consts = list(constant_args) + [NOT_CONSTANT] * (len(arg_types) - len(constant_args))
        return ov.impl(m.concrete, consts)

    def resolve_table(self, name: str, arg_types: list) -> ResolvedTable:
        d = self._get(name, "table")
        ov, m = self._choose(d, list(arg_types))
        return ResolvedTable(d.name, ov.impl, m.concrete, ov.return_type(m.concrete, m.bindings))

    # catalogue --------------------------------------------------------------------------
    def names(self, kind: str | None = None) -> list:
        return sorted(n for n, d in self._defs.items() if kind is None or d.kind == kind)

    def list_functions(self) -> list:
        return [(n, self._defs[n].category) for n in self.names()]

    def describe(self, name: str) -> dict:
        d = self._get(name)
        fname = d.name.lower()
        variations = [{"signature": ov.signature(fname),
                       "return_type": self._shown_return(d, ov),
                       "description": ov.description or d.description}
                      for ov in d.overloads]
        return {"name": d.name, "type": d.kind.upper(), "category": d.category,
                "description": d.description, "variations": variations}

    @staticmethod
    def _shown_return(d: FunctionDef, ov) -> str:
        """A variation's return type for DESCRIBE FUNCTION. An aggregate's type lives in the
        function its factory builds, so build one for the declared parameter types."""
        if callable(ov.returns):
            return "depends on arguments"
        if d.kind == "aggregate" and ov.returns == t.NULL:
            try:
                params = ov.expand(len(ov.params))
                fn = ov.impl(list(params), [NOT_CONSTANT] * len(params))
                return sig.show(fn.return_type)
            except Exception:  # noqa: BLE001 - generic parameters: the type follows the call
                return "depends on arguments"
        return sig.show(ov.returns)

    # user functions ---------------------------------------------------------------------
    def register_udf(self, name, fn, param_types, return_type, description="",
                     null_in_null_out=False, category="OTHER"):
        """Add a Python function as an overload of scalar ``name``."""
        if null_in_null_out:
            fn = _null_in_null_out(fn)
        ov = make_overload(param_types, return_type, fn, description=description)
        self._add("scalar", name, category, description, ov)

    def register_udaf(self, name, cls_or_factory, param_types, return_type, description=""):
        """Add a Python aggregate (a class with initialize/aggregate/... or a factory)."""
        ov = make_overload(param_types, t.NULL, udaf_factory(name, cls_or_factory, return_type),
                           description=description)
        self._add("aggregate", name, "AGGREGATE", description, ov)

    def register_udtf(self, name, fn, param_types, return_type, description=""):
        """Add a Python table function: ``fn(*args)`` returns the list of values to explode
        (None or an empty list: no rows)."""
        def rows(*args):
            out = fn(*args)
            return [] if out is None else list(out)
        ov = make_overload(param_types, return_type, rows, description=description)
        self._add("table", name, "TABLE", description, ov)

    def _add(self, kind, name, category, description, ov):
        key = name.upper()
        d = self._defs.get(key)
        if d is None or d.kind != kind or d.name in _BUILTINS and d is _BUILTINS[d.name]:
            old = d.overloads if d is not None and d.kind == kind else []
            d = FunctionDef(key, kind, category, description, list(old))
            self._defs[key] = d
        d.overloads.append(ov)


def _null_in_null_out(fn):
    def wrapped(*args):
        for a in args:
            if a is None:
                return None
        return fn(*args)
    wrapped.__name__ = getattr(fn, "__name__", "udf")
    return wrapped


def load_builtins() -> dict:
    """Import every family module (their decorators fill the built-in table) and return it."""
    for fam in _FAMILIES:
        try:
            importlib.import_module("%s.%s" % (__package__, fam))
        except ModuleNotFoundError as e:
            if e.name != "%s.%s" % (__package__, fam):
                raise
    return _BUILTINS


def default_registry() -> FunctionRegistry:
    """A new registry with every built-in and every globally registered UDF/UDAF."""
    reg = FunctionRegistry(load_builtins())
    apply_global(reg)
    return reg
