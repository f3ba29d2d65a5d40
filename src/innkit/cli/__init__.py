"""Command line: one command per verb, ``--format text|json|jsonl|tsv`` where output is data."""

from __future__ import annotations

import contextlib
import errno
import gc
import importlib
import os
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

INTERRUPTED = "innkit: interrupted"
"""The one line of a run ended by Ctrl-C."""
STOPPING = {signal.SIGINT: INTERRUPTED, signal.SIGTERM: "innkit: terminated (SIGTERM)",
            **({signal.SIGHUP: "innkit: hung up (SIGHUP)"} if hasattr(signal, "SIGHUP")
               else {})}
"""The signals that end a run, each with its one line; the status is 128 + the signal."""


class Stopped(KeyboardInterrupt):
    """A signal that ends the run (SIGINT, SIGTERM, SIGHUP), raised inside a command's work so
    that it removes what it half wrote and stops its workers. A KeyboardInterrupt, so that
    every clean-up written for Ctrl-C runs for the others too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def stopped_by(exc: BaseException) -> int:
    """The signal behind an interruption (Ctrl-C unless it says otherwise)."""
    return getattr(exc, "signum", signal.SIGINT)


class _CtrlC:
    """What Ctrl-C (and SIGTERM, SIGHUP) does, from the first instruction of the command line
    to the exit. Inside a command's work it raises :class:`Stopped`, so that the command
    removes what it half wrote and stops its workers; anywhere else (the program loading, or
    ending, or a second signal while the first is being handled) nothing is open, and the
    process ends at once, with the same line and status."""

    in_work = False
    stopped: int | None = None
    """The signal raised as :class:`Stopped`: a library may turn that exception into its own
    (SQLite, inside a function it calls back), and the run still ends as the signal says."""

    @classmethod
    def handle(cls, signum: int, frame: FrameType | None) -> None:
        if cls.in_work:
            cls.in_work = False  # one clean-up; a second signal ends the process at once
            cls.stopped = signum
            raise Stopped(signum)
        with contextlib.suppress(OSError):  # standard error may be closed
            os.write(2, STOPPING.get(signum, INTERRUPTED).encode() + b"\n")
        os._exit(128 + signum)  # a signal's status: 130 for Ctrl-C, 143 SIGTERM, 129 SIGHUP

    @classmethod
    def take(cls) -> dict[int, _Handler]:
        """Handle the stopping signals from here on; the handlers replaced. A signal stays as
        it is where ignored by whoever started the process (a background job, nohup), and
        in a thread other than the main one (which cannot set handlers)."""
        before: dict[int, _Handler] = {}
        for signum in STOPPING:
            try:
                if signal.getsignal(signum) == signal.SIG_IGN:
                    continue
                before[signum] = signal.signal(signum, cls.handle)
            except ValueError:
                break
        return before

    @classmethod
    @contextlib.contextmanager
    def raising(cls) -> Iterator[None]:
        """A command's work: a stopping signal raises :class:`Stopped`, for its clean-up."""
        cls.in_work = True
        try:
            yield
        finally:
            cls.in_work = False


_BEFORE = _CtrlC.take()  # before the imports below, which load the rules and take a while

import click  # noqa: E402

from .. import __version__  # noqa: E402
from ..errors import DataError, InnkitError  # noqa: E402
from ..files.cache import CacheFolderError, cache_folder, forget_sound  # noqa: E402
from ..registry import Registry, set_registry  # noqa: E402
from ..registry.store import StoreError  # noqa: E402
from .errors import (  # noqa: E402
    EXIT_STATUS_HELP,
    CliFault,
    ClosedStream,
    ClosedStreamError,
    ExitStatus,
    closed_stream_fault,
    not_utf8,
    os_fault,
    quiet_broken_pipe,
)

for _signum, _handler in _BEFORE.items():  # imported, not run (tests, tools): the signals
    signal.signal(_signum, _handler)  # are the importer's again

COMMANDS = {"annotate": ("annotate", "annotate_cmd"), "check": ("check", "check_cmd"),
            "decode": ("decode", "decode_cmd"),
            "explain": ("decode", "explain_cmd"), "lookup": ("registry", "lookup_cmd"),
            "search": ("registry", "search_cmd"), "registry": ("registry", "registry_group"),
            "data": ("data", "data_group"), "screen": ("naming", "screen_cmd"),
            "validate": ("naming", "validate_cmd"), "suggest": ("naming", "suggest_cmd"),
            "serve": ("serve", "serve_cmd")}
"""Each command's module and object: a command's module is imported when that command runs
(or help lists it), so ``annotate`` never pays for screening's numpy or the web app."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(f"{__name__}.{module}"), attr),
                             cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=EXIT_STATUS_HELP)
@click.version_option(__version__, prog_name="innkit")
@click.option("--user-db", type=click.Path(dir_okay=False), envvar="INNKIT_USER_DB",
              help="User registry database (default: $INNKIT_USER_DB, else "
                   "~/.local/share/innkit/user_registry.sqlite).")
def main(user_db: str | None) -> None:
    """innkit: decode International Nonproprietary Names (INN) of drugs, antibodies first."""
    if user_db:
        set_registry(Registry(user_db))


def __getattr__(name: str) -> object:
    if name == "TSV_COLUMNS":  # kept importable from here; it lives with the decode command
        from .decode import TSV_COLUMNS

        return TSV_COLUMNS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


NAME_COMMANDS = frozenset({"decode", "explain", "lookup", "search", "screen", "validate",
                           "suggest", "registry add", "registry remove"})
"""Commands whose arguments are names, which must be UTF-8 text (paths need not be)."""


def _check_arguments(args: Sequence[str]) -> None:
    """Refuse a name argument that is not UTF-8 (the shell passed bytes), naming which."""
    at = next((i for i, a in enumerate(args) if a in COMMANDS), None)
    if at is None:
        return
    command = args[at]
    if command == "registry" and at + 1 < len(args):
        at += 1
        command = f"registry {args[at]}"
    if command not in NAME_COMMANDS:
        return
    for arg in args[at + 1:]:
        if not_utf8(arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise CliFault(f"the argument {shown!r} is not UTF-8 text; type the name again or "
                           "convert it (iconv -t UTF-8)")


def _standard_streams() -> None:
    """Closed standard streams fail when used, with a message, not as None at first touch."""
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
    if sys.stdin is None:
        sys.stdin = ClosedStream("input")  # type: ignore[assignment]
    if sys.stdout is None:
        sys.stdout = ClosedStream("output")  # type: ignore[assignment]
    else:
        # never a UnicodeEncodeError on output; the bytes stay visible as escapes
        with contextlib.suppress(AttributeError, ValueError):
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def _status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    click.echo(str(code), err=True)
    return int(ExitStatus.PROBLEMS)


def _invoke(args: Sequence[str]) -> object:
    """The group's own invocation, without click's handlers (which exit 1 on a broken pipe)."""
    completion = getattr(main, "_main_shell_completion", None)
    if completion is not None:
        completion({}, "innkit")
    with main.make_context("innkit", list(args)) as ctx:
        return main.invoke(ctx)


def _run(args: Sequence[str]) -> int:
    _standard_streams()
    try:
        _check_arguments(args)
        try:
            with _CtrlC.raising():
                status = _status(_invoke(args))
        except click.exceptions.Exit as exc:
            status = exc.exit_code
        except SystemExit as exc:
            status = _status(exc.code)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        quiet_broken_pipe()
        return 128 + 13  # as if killed by SIGPIPE, and as quietly
    except ClosedStreamError as exc:
        fault = closed_stream_fault(exc)
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:
        signum = stopped_by(exc)
        with contextlib.suppress(OSError):
            click.echo(STOPPING.get(signum, INTERRUPTED), err=True)
        return 128 + signum
    except sqlite3.DatabaseError as exc:  # a cache damaged since it was opened and checked
        with contextlib.suppress(CacheFolderError):
            if _CtrlC.stopped is None:  # not an error a signal caused
                forget_sound(cache_folder())
        fault = CliFault(f"a cache file is damaged ({exc}); it is checked and rebuilt on the "
                         "next run: run the command again", ExitStatus.ENVIRONMENT)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except StoreError as exc:
        fault = CliFault(str(exc), ExitStatus.ENVIRONMENT)
    except DataError as exc:
        fault = CliFault(str(exc), ExitStatus.ENVIRONMENT)
    except InnkitError as exc:
        fault = CliFault(str(exc), ExitStatus.BAD_INPUT)
    except UnicodeError as exc:
        fault = CliFault(f"text that is not valid Unicode ({exc.reason}); give UTF-8 text")
    except RecursionError:
        fault = CliFault("input nested too deeply to read; give flatter input",
                         ExitStatus.BAD_INPUT)
    except MemoryError:
        fault = CliFault("out of memory; give a smaller input or use --format jsonl",
                         ExitStatus.ENVIRONMENT)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            quiet_broken_pipe()
            return 128 + 13
        if exc.filename is None and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            fault = os_fault(exc, "write the output", "")
        else:
            fault = os_fault(exc, "read or write", exc.filename or "the output")
    if _CtrlC.stopped is not None:  # the error is the signal's, in another library's words
        with contextlib.suppress(OSError):
            click.echo(STOPPING.get(_CtrlC.stopped, INTERRUPTED), err=True)
        return 128 + _CtrlC.stopped
    with contextlib.suppress(OSError):
        fault.show()
    return fault.exit_code


def run(args: Sequence[str] | None = None) -> None:
    """Console entry point: every expected failure is one line naming the fix, and the exit
    status of :class:`ExitStatus`. It owns the process: Ctrl-C, SIGTERM or SIGHUP at any
    moment, until the exit, ends it with one line and status 130, 143 or 129."""
    _CtrlC.take()
    status = _run(sys.argv[1:] if args is None else args)
    # The run is over: the full collection Python makes at the exit need not walk every table
    # and name list it loaded (some 15 ms of a 0.2 s annotate run; the memory goes back to the
    # system all the same). Not before: the commands set the collector for their own work.
    gc.freeze()
    sys.exit(status)


__all__ = ["TSV_COLUMNS", "ExitStatus", "main", "run"]
