"""``%ksql`` / ``%%ksql``: parse the magic's arguments, call the Engine, show the results.

Thin on purpose: statements run in ``Engine.execute``; what a result looks like lives in
``display``; demo data in ``datagen``. This module owns the options (traitlets, so
``%config KsqlMagic.displaylimit = 50`` works), the current engine, the sub-commands
(``connect``, ``stop``, ``datagen``, ``engine``) and the shutdown hooks that leave no thread
behind.
"""

from __future__ import annotations

import argparse
import os
import atexit
import shlex

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import HTML, display
from traitlets import Bool, CaselessStrEnum, Float, Int

from .display import CHART_KINDS, DisplayOptions, ErrorView, ResultView, Session
from .display.cell_error import KsqlCellError, explain_error, target_of
from . import rendering as fmt
from .display.keyed import keyed
from .display.persistent import PersistentHandle, internal
from .display.statement_info import generated_names, having_threshold, sink_name
from .errors import KsqlError

HELP = """%ksql / %%ksql: ksqlDB-dialect streaming SQL in this kernel.

  %%ksql [--chart KIND] [--x COL] [--y COL] [--color COL] [--limit N] [--continue] [VAR <<]
  <statements; several per cell, each result shown>

  %ksql <statement>                     one-line statement(s)
  %ksql connect memory                  embedded broker (the default)
  %ksql connect kafka://HOST:PORT [--client kafka-python|confluent]
                [--config KEY=VALUE]... [--config-env KEY=ENV_VAR]...
                                        client settings; secrets only from the environment
                [--schema-registry URL [--schema-registry-auth-env ENV_VAR]]
                                        a user's Schema Registry; ENV_VAR holds USER:PASSWORD
  %ksql connect flink://GATEWAY kafka://HOST:PORT
  %ksql stop QUERY_ID | all             stop live queries (and datagen runs with 'all')
  %ksql watch NAME                      live view of a stream/table (and of the query writing it)
  %ksql datagen DOMAIN [--count N] [--rate N] [--seed N] [--late-fraction F]
                       [--out-of-order-fraction F] [--ddl]
  %ksql -f FILE.sql                     run the statements of a file (as RUN SCRIPT does)
  %ksql engine                          the current Engine (e.g. engine = %ksql engine)
  %ksql --help

Options: --chart auto|none|line|bar|area|point picks the live chart (auto: windowed
aggregates get a line per key over WINDOWSTART); --x/--y/--color choose its columns;
--limit N shows N rows; 'VAR <<' stores the result (a list when several statements).
A failing statement fails its cell (Run All stops there); --continue shows the error and
lets the cell succeed, as %config KsqlMagic.stop_on_error = False does for every cell.
Settings: %config KsqlMagic.displaylimit / refresh_rate / default_chart / max_rows /
chart_points / chart_keys / autostart / stop_on_error.
Domains for datagen: clickstream, payments, authorization_attempts, vehicle_monitoring,
orders, sales, health_sensor.
"""


class UsageError(Exception):
    """A malformed magic line (not a SQL error): shown as a one-line message."""


class ArgParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def option_parser() -> ArgParser:
    p = ArgParser(prog="%%ksql", add_help=False)
    p.add_argument("--chart", choices=CHART_KINDS)
    p.add_argument("--x")
    p.add_argument("--y")
    p.add_argument("--color")
    p.add_argument("--limit", type=int)
    p.add_argument("--continue", dest="keep_going", action="store_true")
    p.add_argument("-f", "--file")
    p.add_argument("-h", "--help", action="store_true")
    p.add_argument("rest", nargs="*")
    return p


def datagen_parser() -> ArgParser:
    p = ArgParser(prog="%ksql datagen", add_help=False)
    p.add_argument("domain")
    p.add_argument("--count", type=int)
    p.add_argument("--rate", type=float)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--late-fraction", type=float, default=0.0)
    p.add_argument("--out-of-order-fraction", type=float, default=0.0)
    p.add_argument("--ddl", action="store_true")
    return p


def split_leading_options(line: str) -> tuple[str, str]:
    """Split ``--chart bar --x A SELECT ...`` into the option text and the SQL: options are
    the leading tokens starting with ``-`` and their values."""
    tokens, rest = [], line.strip()
    while rest.startswith("-"):
        parts = rest.split(None, 2)
        flag = parts[0]
        takes_value = flag in ("--chart", "--x", "--y", "--color", "--limit", "-f", "--file")
        used = parts[:2] if takes_value else parts[:1]
        tokens.extend(used)
        rest = parts[len(used)] if len(parts) > len(used) else ""
    return " ".join(tokens), rest


def read_script(path: str) -> str:
    """The text of ``%ksql -f FILE``; an unreadable file is a usage error, not a crash."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            return f.read()
    except OSError as exc:
        raise UsageError("cannot read %s: %s" % (path, exc.strerror or exc)) from None


@magics_class
class KsqlMagic(Magics):
    displaylimit = Int(20, help="Rows shown in a result table.").tag(config=True)
    refresh_rate = Float(4.0, help="Live view updates per second (each view).").tag(config=True)
    max_rows = Int(10_000, help="Rows a live view keeps in memory.").tag(config=True)
    chart_points = Int(500, help="Rows a live chart plots.").tag(config=True)
    chart_keys = Int(10, help="Keys a live chart draws (the top ones by latest value; the "
                              "chart says how many it hides).").tag(config=True)
    default_chart = CaselessStrEnum(CHART_KINDS, "auto",
                                    help="Chart for live results.").tag(config=True)
    autostart = Bool(True, help="Start the engine's background runner so live queries "
                                "process input as it arrives.").tag(config=True)
    stop_on_error = Bool(True, help="A failing statement fails its cell (so Run All stops "
                                    "there); False shows the error and goes on.").tag(config=True)

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.engine = None
        self.session = Session()
        atexit.register(self.shutdown)

    # -- engine ----------------------------------------------------------------------------
    def get_engine(self):
        if self.engine is None:
            from .engine import Engine
            self.use_engine(Engine())
        return self.engine

    def use_engine(self, engine) -> None:
        """Make ``engine`` current (closing the previous one and its views)."""
        self.shutdown()
        self.session = Session()
        self.engine = engine
        if self.autostart and hasattr(engine, "start"):
            engine.start()

    def shutdown(self) -> None:
        """Stop every thread this magic started: datagen runs, flushers, the engine."""
        self.session.close()
        if self.engine is not None:
            engine, self.engine = self.engine, None
            engine.close()

    # -- the magic -------------------------------------------------------------------------
    @line_cell_magic
    def ksql(self, line: str = "", cell: str | None = None):
        """Run ksqlDB-dialect SQL; see ``%ksql --help``."""
        try:
            if cell is None:
                return self.run_line(line)
            return self.run_cell(line, cell)
        except UsageError as exc:
            return self.fail("%ksql: " + str(exc), HTML(fmt.error("%ksql: " + str(exc), "")),
                             keep_going="--continue" in line)

    def fail(self, text: str, view, keep_going: bool = False, error=None):
        """A failure fails the cell (a short ``KsqlCellError``, no Python traceback) unless
        ``stop_on_error`` is off or the cell says ``--continue``: then it is only shown."""
        if self.stop_on_error and not keep_going:
            raise KsqlCellError(text, error)
        display(view)
        return None

    def run_line(self, line: str):
        stripped = line.strip()
        word = stripped.split(None, 1)[0].lower() if stripped else ""
        if word in SUBCOMMANDS:
            return SUBCOMMANDS[word](self, stripped[len(word):].strip())
        option_text, sql = split_leading_options(stripped)
        args = self.parse_options(option_text)
        if args.file and not args.help:          # ksql -f: the file's statements, as a cell
            return self.run_sql(read_script(args.file) + ("\n" + sql if sql else ""), args)
        if args.help or not sql:
            print(HELP)
            return None
        return self.run_sql(sql, args)

    def run_cell(self, line: str, cell: str):
        args = self.parse_options(line)
        if args.help:
            print(HELP)
            return None
        target = None
        if args.rest:
            if args.rest[-1] != "<<" or len(args.rest) != 2:
                raise UsageError("unexpected %r; to store the result write: %%%%ksql VAR <<"
                                 % " ".join(args.rest))
            target = args.rest[0]
        return self.run_sql(cell, args, target)

    def parse_options(self, text: str) -> argparse.Namespace:
        try:
            tokens = shlex.split(text)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return option_parser().parse_args(tokens)

    def options(self, args=None, threshold=None, names=()) -> DisplayOptions:
        a = args or argparse.Namespace(chart=None, x=None, y=None, color=None, limit=None)
        return DisplayOptions(
            displaylimit=a.limit or self.displaylimit, refresh_rate=self.refresh_rate,
            max_rows=self.max_rows, chart=a.chart or self.default_chart,
            chart_points=self.chart_points, x=a.x, y=a.y, color=a.color, threshold=threshold,
            target=target_of(self.engine), chart_keys=self.chart_keys, names=tuple(names))

    def run_sql(self, sql: str, args, target: str | None = None):
        """Execute statement by statement so that earlier results still show when a later
        statement fails; a ``KsqlError`` shows as a message with a caret."""
        from .sql.lexer import split_statements
        engine = self.get_engine()
        views = []
        for piece in split_statements(sql):
            try:
                results = engine.execute(piece.text)
            except KsqlError as exc:
                for view in views:
                    display(view)
                shown = ErrorView(exc, piece.line - 1, piece.column - 1,
                                  hint=explain_error(engine, piece.text, exc))
                return self.fail(shown.text(), shown, getattr(args, "keep_going", False), exc)
            options = self.options(args, having_threshold(piece.text),
                                   generated_names(piece.text).items())
            for r in results:
                self.attach_persistent_handle(engine, r, piece.text)
            views.extend(ResultView(r, options, self.session) for r in results)
        return self.deliver(views, target)

    def attach_persistent_handle(self, engine, result, text: str) -> None:
        """A CREATE ... AS SELECT without a handle gets one watching its sink, so it shows
        live like a push query (engine gap: persistent results carry no handle)."""
        if result.handle is not None:
            result.handle = keyed(result.handle)
        if result.kind != "persistent" or result.handle is not None or not result.query_id:
            return
        sink = sink_name(text)
        if sink is not None and hasattr(engine, "watch"):
            result.handle = PersistentHandle(engine, result.query_id, sink)

    def deliver(self, views: list, target: str | None):
        if target is not None:
            self.shell.user_ns[target] = views[0] if len(views) == 1 else views
            for view in views:
                display(view)
            return None
        for view in views[:-1]:
            display(view)
        return views[-1] if views else None

    # -- sub-commands ------------------------------------------------------------------------
    def cmd_connect(self, text: str):
        """Always fails the cell when the connection fails (whatever ``stop_on_error``): the
        cells after it would otherwise run on the previous engine without a word."""
        from .connect import engine_for
        try:
            engine = engine_for(shlex.split(text))
        except (KsqlError, ValueError) as exc:
            if not isinstance(exc, KsqlError):      # shlex: an unbalanced quote
                exc = KsqlError(str(exc))
            still = target_of(self.engine)     # None yet: the embedded broker, the default
            raise KsqlCellError("%s\n(statements still run on %s)" % (exc.message, still),
                                exc) from None
        self.use_engine(engine)
        display(HTML(fmt.message("connected: %s" % target_of(engine))))
        return None

    def cmd_stop(self, text: str):
        target = text.strip().rstrip(";")
        if not target:
            raise UsageError("stop what? %ksql stop QUERY_ID | all")
        if target.lower() == "all":
            count = self.session.stop_all()
            display(HTML(fmt.message("stopped %d live queries and generators" % count)))
            return None
        shown = {str(q).upper() for q in self.session.running_ids()}
        if target.upper() not in shown and not self.knows_query(target):
            running = sorted(set(self.session.running_ids() + self.engine_query_ids()))
            raise UsageError("no query named %s%s" % (
                target, "; running: " + ", ".join(running) if running else
                " (no query is running)"))
        if not self.session.stop(target):
            try:
                result = self.get_engine().terminate(target)
            except KsqlError as exc:     # shown without its frames: the view outlives them
                display(ErrorView(exc.with_traceback(None)))
                return None
            display(HTML(fmt.message(result.message)))
            return None
        display(HTML(fmt.message("stopped %s" % target)))
        return None

    def engine_query_ids(self, internal: bool = False) -> list:
        """The ids of the current engine's queries (the watches behind live views only
        with ``internal``: they are not listed, but can be stopped)."""
        queries = getattr(self.engine, "queries", None) or {}
        return [str(q) for q, query in queries.items()
                if internal or not getattr(query, "internal", False)]

    def knows_query(self, target: str) -> bool:
        return target.upper() in {q.upper() for q in self.engine_query_ids(internal=True)}

    def cmd_watch(self, text: str):
        """``%ksql watch NAME``: a live view of a stream or table; when a persistent query
        writes it, the view carries that query's status (re-attaching a CREATE ... AS cell
        whose output was replaced by a re-run)."""
        from .display.cell_error import owner_of
        name = text.strip().rstrip(";").strip("`")
        if not name:
            raise UsageError("watch what? %ksql watch STREAM_OR_TABLE")
        engine = self.get_engine()
        sources = getattr(getattr(engine, "catalog", None), "sources", {})
        source = sources.get(name) or sources.get(name.upper())
        if source is None:
            from .suggest import did_you_mean
            raise UsageError("no stream or table named %s.%s" % (name, did_you_mean(name, sources)))
        query_id = owner_of(engine, source.name)
        if query_id is not None:
            handle = PersistentHandle(engine, query_id, source.name)
        else:
            handle = internal(keyed(engine.watch(source.name)))
        from .results import Result
        result = Result("persistent" if query_id else "push", query_id=query_id or handle.query_id,
                        handle=handle, columns=list(handle.columns))
        return ResultView(result, self.options(), self.session)

    def cmd_datagen(self, text: str):
        from . import datagen
        args = datagen_parser().parse_args(shlex.split(text))
        try:
            name = datagen.domain(args.domain).name
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        engine = self.get_engine()
        if args.ddl:
            self.run_ddl(engine, datagen.ddl(name))
        options = {"out_of_order_fraction": args.out_of_order_fraction,
                   "late_fraction": args.late_fraction}
        if args.rate:
            run = datagen.start(engine, name, rate=args.rate, count=args.count, seed=args.seed,
                                **options)
            self.session.add_run(run)
            display(HTML(fmt.message("datagen %s: %g events/s%s in the background "
                                     "(%%ksql stop all ends it)" % (
                                         name, args.rate,
                                         "" if args.count is None else ", %d events" % args.count))))
            return run
        count = datagen.produce(engine, name, n=args.count or 100, seed=args.seed, **options)
        display(HTML(fmt.message("datagen %s: produced %d records into %s" % (
            name, count, ", ".join(datagen.domain(name).topics)))))
        return None

    def run_ddl(self, engine, text: str) -> None:
        """Create the domain's streams/tables; an existing one is left as it is."""
        from .sql.lexer import split_statements
        for piece in split_statements(text):
            try:
                engine.execute(piece.text)
            except KsqlError as exc:
                if "already exists" not in exc.message.lower():
                    raise

    def cmd_engine(self, _text: str):
        return self.get_engine()


SUBCOMMANDS = {"connect": KsqlMagic.cmd_connect, "stop": KsqlMagic.cmd_stop,
               "datagen": KsqlMagic.cmd_datagen, "engine": KsqlMagic.cmd_engine,
               "watch": KsqlMagic.cmd_watch}


def load_ipython_extension(ipython) -> None:
    """``%load_ext ksql_magic``."""
    magic = KsqlMagic(ipython)
    ipython.register_magics(magic)
    if magic not in ipython.configurables:
        ipython.configurables.append(magic)     # so %config KsqlMagic... finds it
    if magic.default_chart != "none":
        from .display.chart import warm_up
        warm_up()


def unload_ipython_extension(ipython) -> None:
    magic = ipython.magics_manager.registry.get("KsqlMagic")
    if magic is not None:
        magic.shutdown()
