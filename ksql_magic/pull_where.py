"""How a pull query over a table reads its state: key lookups, or a scan of every row.

ksqlDB rewrites the WHERE clause into disjunctive normal form (BETWEEN becomes two bounds,
IN a disjunction of equalities, NOT is pushed down into the comparisons), then checks each
disjunct: a disjunct that pins every key column with ``=`` is a key lookup, anything else
needs a table scan. With ``ksql.query.pull.table.scan.enabled=false`` the query must be a
lookup (or a range scan over a STRING / BYTES key), and each shape that is not gets its own
message. The compiled WHERE still filters every row read, so this module only decides which
rows are read, in what order, and what is refused.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Callable, Optional

from .errors import KsqlStatementError
from .planner import _err, walk
from .sql import ast
from .sql.format import format_expression

PULL_HELP = (" See https://cnfl.io/queries for more info.\n"
             "Add EMIT CHANGES if you intended to issue a push query.")

CMP_NAMES = {"=": "EQUAL", "<>": "NOT_EQUAL", "!=": "NOT_EQUAL", "<": "LESS_THAN",
             "<=": "LESS_THAN_OR_EQUAL", ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL"}
_NEGATED = {"=": "<>", "<>": "=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_WINDOW_BOUNDS = ("WINDOWSTART", "WINDOWEND")
_WINDOW_OPS = ("=", "<", "<=", ">", ">=")
_RANGE_KEY_TYPES = ("STRING", "BYTES")
_NUMERIC_RANK = {"INTEGER": 0, "BIGINT": 1, "DECIMAL": 2, "DOUBLE": 3}


def where_error(node, msg: str, windowed: bool) -> KsqlStatementError:
    """ksqlDB's invalid-WHERE message: the reason, then what a pull query's WHERE may be."""
    window_help = ("\n - (optionally) limits the time bounds of the windowed table.\n"
                   "\t Bounds on [`WINDOWSTART`, `WINDOWEND`] are supported\n"
                   "\t Supported operators are [EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL, "
                   "LESS_THAN, LESS_THAN_OR_EQUAL]") if windowed else ""
    return _err(node, msg + ". " + PULL_HELP
                + "\nPull queries require a WHERE clause that:"
                "\n - includes a key equality expression, e.g. `SELECT * FROM X WHERE <key-column> = Y;`."
                "\n - in the case of a multi-column key, is a conjunction of equality expressions "
                "that cover all key columns."
                "\n - to support range expressions, e.g.,  SELECT * FROM X WHERE <key-column> < Y;`, "
                "range scans need to be enabled by setting ksql.query.pull.range.scan.enabled=true"
                + window_help
                + "\nIf more flexible queries are needed, , table scans can be enabled by "
                "setting ksql.query.pull.table.scan.enabled=true.")


# ---------------------------------------------------------------- normal form ---------

def _and(left: ast.Expr, right: ast.Expr) -> ast.Expr:
    return ast.BinaryOp("AND", left, right, pos=left.pos)


def _or(left: ast.Expr, right: ast.Expr) -> ast.Expr:
    return ast.BinaryOp("OR", left, right, pos=left.pos)


def _is_comparison(e) -> bool:
    return isinstance(e, ast.BinaryOp) and e.op in CMP_NAMES


def disjuncts(expr: ast.Expr, negated: bool = False) -> list[ast.Expr]:
    """The disjuncts of ``expr`` in DNF, each a conjunction of simple terms (ksqlDB's
    PullQueryRewriter + LogicRewriter). A term NOT cannot be pushed into stays as it is."""
    if isinstance(expr, ast.UnaryOp) and expr.op == "NOT":
        return disjuncts(expr.operand, not negated)
    if isinstance(expr, ast.BinaryOp) and expr.op in ("AND", "OR"):
        left, right = disjuncts(expr.left, negated), disjuncts(expr.right, negated)
        if (expr.op == "AND") != negated:
            return [_and(a, b) for a in left for b in right]
        return left + right
    if _is_comparison(expr):
        return [replace(expr, op=_NEGATED[expr.op]) if negated else expr]
    if isinstance(expr, ast.IsDistinctFrom):
        return [replace(expr, negated=expr.negated != negated)]
    if isinstance(expr, ast.Between):
        bounds = _and(ast.BinaryOp(">=", expr.operand, expr.low, pos=expr.pos),
                      ast.BinaryOp("<=", expr.operand, expr.high, pos=expr.pos))
        return disjuncts(bounds, negated != expr.negated)
    if isinstance(expr, ast.InList):
        eqs = [ast.BinaryOp("=", expr.operand, item, pos=expr.pos) for item in expr.items]
        chain = eqs[-1]
        for eq in reversed(eqs[:-1]):
            chain = _or(eq, chain)
        return disjuncts(chain, negated != expr.negated)
    return [expr]


def conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.BinaryOp) and expr.op == "AND":
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr]


def _op(term) -> str:
    """A comparison term's operator as ksqlDB names it (EQUAL, IS_DISTINCT_FROM, ...)."""
    if isinstance(term, ast.IsDistinctFrom):
        return "IS_NOT_DISTINCT_FROM" if term.negated else "IS_DISTINCT_FROM"
    return CMP_NAMES[term.op]


def _column_side(term) -> tuple[Optional[ast.ColumnRef], ast.Expr]:
    """The column a comparison reads (the right side wins, as in ksqlDB) and the other side."""
    if isinstance(term.right, ast.ColumnRef):
        return term.right, term.left
    if isinstance(term.left, ast.ColumnRef):
        return term.left, term.right
    return None, term.right


def _has_column(expr: ast.Expr) -> bool:
    return any(isinstance(n, ast.ColumnRef) for n in walk(expr))


# ---------------------------------------------------------------- the source's columns --

class TableShape:
    """What the WHERE analysis needs of the table: its columns' types and its key."""

    def __init__(self, source, scope):
        self.windowed = source.window is not None
        self.keys = [c for c in source.key_columns]
        self.key_index = {c.name: i for i, c in enumerate(self.keys)}
        self.types = {s.name: s.type for s in scope.slots}

    def key_schema(self) -> str:
        return "[%s]" % ", ".join("`%s` %s KEY" % (c.name, c.type) for c in self.keys)


# ---------------------------------------------------------------- validation ----------

class _DisjunctCheck:
    """ksqlDB's QueryFilterNode.Validator over one disjunct: which keys it pins, and whether
    it needs a table scan (an error instead when scans are disabled)."""

    def __init__(self, shape: TableShape, scans: bool):
        self.shape, self.scans = shape, scans
        self.seen: list[int] = []
        self.keyed = False
        self.needs_scan = False

    def scan_or_raise(self, node, msg: str, windowed: bool) -> None:
        if not self.scans:
            raise where_error(node, msg, windowed)
        self.needs_scan = True

    def term(self, t) -> None:
        if isinstance(t, ast.Like):
            self.like(t)
        elif _is_comparison(t) or isinstance(t, ast.IsDistinctFrom):
            self.comparison(t)
        else:
            raise where_error(t, "Unsupported expression in WHERE clause: " + format_expression(t), False)

    def like(self, t: ast.Like) -> None:
        windowed = self.shape.windowed
        if not isinstance(t.operand, ast.ColumnRef):
            self.scan_or_raise(t, "Like condition must be between strings", windowed)
            return
        col_type = self.shape.types.get(t.operand.name)
        if col_type is not None and col_type.base != "STRING":
            raise where_error(t, "The column type for Like condition must be VARCHAR. "
                                 "The column type is %s" % col_type.base, windowed)

    def comparison(self, t) -> None:
        windowed = self.shape.windowed
        column, other = _column_side(t)
        if column is None:
            self.scan_or_raise(t, "A comparison must directly reference a key column", windowed)
            return
        if _has_column(other):
            self.scan_or_raise(t, "A comparison must be between a key column and a resolvable "
                                  "expression", windowed)
            return
        if column.name in _WINDOW_BOUNDS:
            if getattr(t, "op", None) not in _WINDOW_OPS:
                raise where_error(t, "Unsupported %s bounds: %s" % (column.name, _op(t)), True)
            return
        index = self.shape.key_index.get(column.name)
        if index is None:
            return
        if _op(t) in ("NOT_EQUAL", "IS_DISTINCT_FROM", "IS_NOT_DISTINCT_FROM"):
            self.scan_or_raise(t, "Bound on key columns '%s' must currently be '='"
                               % self.shape.key_schema(), windowed)
        if index in self.seen and not self.scans:
            raise where_error(t, "A comparison condition on the key column cannot be combined "
                                 "with other comparisons such as an IN predicate", windowed)
        if index not in self.seen:
            self.seen.append(index)
        self.keyed = True


def _needs_scan(disjunct: ast.Expr, shape: TableShape, scans: bool) -> bool:
    check = _DisjunctCheck(shape, scans)
    for t in conjuncts(disjunct):
        check.term(t)
    if check.needs_scan:
        return True
    if not check.keyed:
        if scans:
            return True
        raise where_error(disjunct, "WHERE clause missing key column for disjunct: "
                          + format_expression(disjunct), shape.windowed)
    if len(check.seen) != len(shape.keys):
        if scans:
            return True
        named = ", ".join("`%s`" % shape.keys[i].name for i in sorted(check.seen))
        raise where_error(disjunct, "Multi-column sources must specify every key in the WHERE "
                          "clause. Specified: [%s] Expected: %s" % (named, shape.key_schema()),
                          shape.windowed)
    return False


# ---------------------------------------------------------------- key values ----------

def _java_str(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def coerce_key(value, value_type, column):
    """``value`` as the key column's type, widening numbers only (ksqlDB's strict coercer)."""
    target = column.type
    src, dst = value_type.base, target.base
    if src == dst and dst != "DECIMAL":
        return value
    if src in _NUMERIC_RANK and dst in _NUMERIC_RANK and _NUMERIC_RANK[src] <= _NUMERIC_RANK[dst]:
        if dst == "DOUBLE":
            return float(value)
        if dst == "BIGINT":
            return int(value)
        exact = Decimal(value).quantize(Decimal(1).scaleb(-target.scale))
        if exact == Decimal(value) and len(exact.as_tuple().digits) <= target.precision:
            return exact
    raise KsqlStatementError("'%s' can not be converted to the type of the key column: %s %s KEY"
                             % (_java_str(value), column.name, target))


def _key_value(term, other: ast.Expr, column, constant: Callable):
    if isinstance(other, ast.Literal):
        value, value_type = other.value, other.type
    else:
        value, value_type = constant(other)
    if value is None:
        raise _err(term, "Primary key columns can not be NULL: " + format_expression(term))
    return coerce_key(value, value_type, column)


def _constraint(disjunct: ast.Expr, shape: TableShape, constant: Callable):
    """(operator, key tuple) of one keyed disjunct, or None when it reads every row
    (ksqlDB's KeyValueExtractor, keeping an equality over any other bound on a key)."""
    ops: dict[int, tuple[str, object]] = {}
    for t in conjuncts(disjunct):
        if not _is_comparison(t):
            continue
        column, other = _column_side(t)
        index = shape.key_index.get(column.name) if column is not None else None
        if index is None:
            continue
        value = _key_value(t, other, shape.keys[index], constant)
        if index in ops and ops[index][0] == "=":
            continue
        if t.op == "=" or index not in ops:
            ops[index] = (t.op, value)
    if not ops:
        return None
    if len(ops) > 1:
        if all(op == "=" for op, _ in ops.values()):
            return "=", tuple(ops[i][1] for i in range(len(shape.keys)))
        return None
    op, value = ops[0]
    if op == "=" or shape.keys[0].type.base in _RANGE_KEY_TYPES:
        return op, (value,)
    return None


# ---------------------------------------------------------------- the read plan -------

SCAN = "scan"


def read_plan(where: Optional[ast.Expr], shape: TableShape, *, scans: bool, ranges: bool,
              constant: Callable):
    """The list of keys to look up, in lookup order, or SCAN (every row, key order).
    Raises ksqlDB's message when the query would need a scan that is disabled."""
    plan = _lookups(where, shape, scans, ranges, constant)
    if plan == SCAN and not scans:
        raise _err(where, "Query requires table scan to be enabled. Table scans can be enabled "
                          "by setting ksql.query.pull.table.scan.enabled=true")
    return plan


def _lookups(where, shape: TableShape, scans: bool, ranges: bool, constant: Callable):
    if where is None:
        return SCAN
    parts = disjuncts(where)
    if any(_needs_scan(d, shape, scans) for d in parts):
        return SCAN
    constraints = [_constraint(d, shape, constant) for d in parts]
    if any(c is None for c in constraints):
        return SCAN
    if all(op == "=" for op, _ in constraints):
        keys: list = []
        for _, key in constraints:
            if key not in keys:
                keys.append(key)
        return keys
    # one range bound over a STRING / BYTES key reads a key range: rows in key order, as a scan
    if len(constraints) == 1 and ranges and not shape.windowed:
        return "range"
    return SCAN


# ---------------------------------------------------------------- NULL comparisons ----

def check_null_comparisons(where: Optional[ast.Expr], type_of: Callable) -> None:
    """``x = NULL`` is never true: ksqlDB refuses a comparison with a NULL literal."""
    for n in walk(where):
        if not _is_comparison(n) or not any(_is_null(s) for s in (n.left, n.right)):
            continue
        sides = [_null_or_type(s, type_of) for s in (n.left, n.right)]
        if "NULL" in sides and sides != ["NULL", "NULL"]:
            op = "<>" if n.op == "!=" else n.op
            raise _err(n, "Error in WHERE expression: Comparison with NULL not supported: "
                          "%s %s %s\nUse 'IS NULL' or 'IS NOT NULL' instead." % (sides[0], op, sides[1]))


def _is_null(e: ast.Expr) -> bool:
    return isinstance(e, ast.Literal) and e.value is None


def _null_or_type(e: ast.Expr, type_of: Callable) -> str:
    return "NULL" if _is_null(e) else type_of(e).base
