"""The ``control-graph`` command group, its shared options, error handling and formatting.

Data goes to stdout (an aligned table, or one JSON document with ``--json``); messages
go to stderr. Our errors become a one-line message (plus candidates or the list of
problems in a file) and exit status 2; "no answer" (no path) exits 1.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

import click

from control_graph import __version__
from control_graph.defaults import ENV_VAR
from control_graph.errors import (
    ControlGraphError,
    DatasetError,
    InvalidArgumentError,
    NoPathError,
    UnknownElementError,
)

if TYPE_CHECKING:
    import datetime as dt

    # The library (and SQLAlchemy with it) is loaded only when a command runs, so that
    # `control-graph --version` starts at once (`--help` lists the commands, and so
    # loads their modules).
    from control_graph import query

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A calendar day, YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from control_graph.model.dates import parse_date

        try:
            return parse_date(value)
        except InvalidArgumentError as error:
            self.fail(str(error), param, ctx)


DATE = DateType()


# -- shared options -------------------------------------------------------------------


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(f)


def as_of_option(f: F) -> F:
    return click.option(
        "--as-of",
        type=DATE,
        help="Answer from the data as it stood then (events recorded on or before it).",
    )(f)


def trust_options(f: F) -> F:
    """``--min-confidence`` and ``--independent-only`` (contract section 4.3)."""
    f = click.option(
        "--independent-only",
        is_flag=True,
        help="Ignore every report that is a side's own claim (has a claimant).",
    )(f)
    return click.option(
        "--min-confidence",
        type=click.Choice(["low", "medium", "high"]),
        help="Ignore reports below this confidence (none given counts as medium).",
    )(f)


def by_option(f: F) -> F:
    return click.option(
        "--by",
        type=click.Choice(["party", "bloc"]),
        default="party",
        show_default=True,
        help="Report parties, or each party as the bloc it belonged to on the day.",
    )(f)


class Reading(TypedDict):
    """How a question reads the data: ``--as-of``, ``--by``, ``--min-confidence`` and
    ``--independent-only``, as the keywords the model's questions and the plots take."""

    as_of: dt.date | None
    by: str
    min_confidence: str | None
    independent_only: bool


def with_reading(f: Callable[..., Any]) -> Callable[..., Any]:
    """Hand the command the options of a :class:`Reading` (added by other decorators) as
    one ``reading`` argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        reading = {key: kwargs.pop(key) for key in Reading.__annotations__}
        return f(*args, reading=reading, **kwargs)

    return wrapper


def reading_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--as-of``, ``--by``, ``--min-confidence`` and ``--independent-only``, in that
    order, handed to the command as one ``reading`` (see :func:`with_reading`)."""
    return as_of_option(by_option(trust_options(with_reading(f))))


def importer_option(f: F) -> F:
    """``--by NAME``: who imports (``import``, ``import-acled``)."""
    return click.option(
        "--by", metavar="NAME", help="Who imports (default: the operating-system user)."
    )(f)


def window_options(f: F) -> F:
    f = click.option("--to", "end", type=DATE, help="Last day (inclusive).")(f)
    return click.option("--from", "start", type=DATE, help="First day (inclusive).")(f)


def scenario_option(f: F) -> F:
    return click.option(
        "--scenario",
        metavar="NAME",
        help="Answer in this scenario instead of the reported data.",
    )(f)


def quiet_option(f: F) -> F:
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar or messages.")(f)


# -- the group, and turning errors into messages --------------------------------------


class _Group(click.Group):
    """The command group: its commands' modules are imported when a command is used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Each command's name and the module that defines it.
        self.lazy_commands: dict[str, str] = {}

    def add_lazy_commands(self, commands: Mapping[str, str]) -> None:
        """Register commands by name and module, imported on first use."""
        self.lazy_commands.update(commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = self.lazy_commands.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(module)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        # With --json, a script reads stdout: an error is a JSON document there too.
        wants_json = "--json" in ctx.args
        try:
            return super().invoke(ctx)
        except NoPathError as error:
            click.echo(f"control-graph: {error}", err=True)
            ctx.exit(1)
        except ControlGraphError as error:
            _report(error, as_json=wants_json)
            ctx.exit(2)


def _report(error: ControlGraphError, *, as_json: bool) -> None:
    click.echo(f"control-graph: error: {error}", err=True)
    candidates = error.candidates if isinstance(error, UnknownElementError) else []
    if candidates:
        click.echo("candidates:", err=True)
        for ident, kind, name in candidates:
            click.echo(f"  {ident + ' (' + kind + ')':<32} {name}", err=True)
    if as_json:
        document: dict[str, Any] = {"error": str(error)}
        if isinstance(error, DatasetError):
            document["problems"] = [
                {
                    "file": i.file,
                    "entry": i.entry,
                    "line": i.line,
                    "field": i.field,
                    "message": i.message,
                }
                for i in error.issues
            ]
        if candidates:
            document["candidates"] = [{"id": i, "type": k, "name": n} for i, k, n in candidates]
        emit_json(document)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.option(
    "--db",
    envvar=ENV_VAR,
    metavar="URL",
    help=f"Database URL (SQLAlchemy), else ${ENV_VAR}, else sqlite:///control_graph.db.",
)
@click.version_option(__version__, prog_name="control-graph")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Who held which road, when: territorial control as a graph over time.

    \b
    Start here:
      control-graph quickstart
      control-graph who-held "Gwaykhar Road" --on 2026-02-06
    """
    ctx.obj = {"db": db}


def get_model(ctx: click.Context) -> query.Model:
    from control_graph import query

    root = ctx.find_root()
    model: query.Model | None = root.obj.get("model")
    if model is None:
        model = root.obj["model"] = query.open_model(root.obj["db"])
        root.call_on_close(model.close)
    return model


def ask(
    ctx: click.Context,
    scenario: str | None,
    question: Callable[[Any], T | None],
    *,
    maps: bool = False,
) -> T:
    """The answer of ``question`` (called with what answers it): on the database driver
    alone where :mod:`control_graph.query.direct` gives the whole answer, which starts
    without SQLAlchemy; else from the Model (in ``scenario``). With ``maps`` the question
    is handed a :class:`~control_graph.query.direct.DirectMaps` first (a map to draw),
    else :class:`~control_graph.query.direct.DirectQuestions`."""
    root = ctx.find_root()
    if scenario is None and root.obj.get("model") is None:
        from control_graph.query import direct as questions

        opened = (questions.open_maps if maps else questions.open_questions)(root.obj["db"])
        if opened is not None:
            try:
                answer = question(opened)
            except questions.ModelNeeded:
                answer = None
            finally:
                opened.close()
            if answer is not None:
                return answer
    model = get_model(ctx)
    if scenario is not None:
        model = model.scenario(scenario, create=False)
    # The Model answers every question (or raises): never None.
    return cast(T, question(model))


def with_model(f: Callable[..., Any]) -> Callable[..., Any]:
    @click.pass_context
    @functools.wraps(f)
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        model = get_model(ctx)
        if "scenario" in kwargs:
            scenario = kwargs.pop("scenario")
            if scenario is not None:
                model = model.scenario(scenario, create=False)
        return f(model, *args, **kwargs)

    return wrapper


# -- formatting -----------------------------------------------------------------------


def emit_json(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def print_table(rows: Sequence[Sequence[Any]], header: Sequence[str], indent: str = "  ") -> None:
    print_text_table([tuple("-" if c is None else str(c) for c in r) for r in rows], header, indent)


def print_text_table(
    rows: Sequence[tuple[str, ...]], header: Sequence[str], indent: str = "  "
) -> None:
    """:func:`print_table` of rows whose cells are text already."""
    cells = [tuple(header), *rows]
    widths = [max(map(len, map(itemgetter(i), cells))) for i in range(len(header))]
    # One template per table and one write: a month of changes on a national network
    # is a quarter of a million lines (click.echo per line took seconds, and padding
    # each cell on its own a second).
    template = indent + "  ".join(f"%-{width}s" for width in widths)
    click.echo("\n".join([(template % row).rstrip() for row in cells]))


def title_of(element: str, kind: str, name: str | None) -> str:
    return f"{name} ({element}, {kind})" if name and name != element else f"{element} ({kind})"


def view_of(
    *,
    as_of: Any = None,
    by: str = "party",
    scenario: str | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
) -> str:
    """How an answer was asked, for its heading: ", as of ..., by bloc, in scenario ..."."""
    parts = [f"as of {as_of}"] if as_of else []
    parts += ["by bloc"] if by == "bloc" else []
    parts += [f"{min_confidence} confidence or more"] if min_confidence else []
    parts += ["independent reports only"] if independent_only else []
    parts += [f"in scenario {scenario}"] if scenario else []
    return "".join(f", {part}" for part in parts)
