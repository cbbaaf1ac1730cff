"""``gradexplorer`` command line: with no arguments the app; subcommands for scripts and CI.

Every user error ends in one line on stderr and exit status 2, never a traceback: a bad flag,
a full disk (``> /dev/full``), a closed stdout (``>&-``). A reader that leaves a pipe early
(``| head``) ends the command quietly with status 141, as a shell reports SIGPIPE.

Building the parser imports only the standard library and ``gradexplorer.cli``: ``--help`` and
``--version`` never load NumPy, SciPy, the engine or Qt. Subcommand modules import those when
their command runs.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
import warnings

from gradexplorer import __version__
from gradexplorer.cli.parsing import CliError, Parser, VersionAction
from gradexplorer.cli.values import clip_message

__all__ = ["SUBCOMMANDS", "CliError", "Parser", "build_parser", "main"]

#: Every subcommand module, in ``--help`` order; each has ``add_parser(subparsers)``, which
#: registers its command(s) with a ``handler``. An import error fails loudly.
SUBCOMMANDS = ("run", "theory", "render", "train", "jacobian")
#: Exit status of a command whose reader closed the pipe (128 + SIGPIPE).
BROKEN_PIPE_STATUS = 141


def build_parser() -> Parser:
    """The top-level parser with every subcommand of :data:`SUBCOMMANDS` registered."""
    parser = Parser(prog="gradexplorer",
                    description="See vanishing and exploding gradients in deep fully connected "
                                "networks. With no command, opens the desktop app.")
    parser.add_argument("--version", action=VersionAction, version=f"gradexplorer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for module in SUBCOMMANDS:
        importlib.import_module(f"gradexplorer.cli.{module}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gradexplorer`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        problem = _no_display()
        if problem:  # Qt would abort (SIGABRT, a screenful of plugin messages) instead
            print(f"gradexplorer: {problem}", file=sys.stderr)
            return 2
        from gradexplorer.gui.app import main as gui_main

        return gui_main([])
    closed = _closed_stdout()
    if closed:
        _error(f"gradexplorer: {closed}")
        return 2
    command = "gradexplorer"
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, or a one-line usage error (status 2)
            code = int(exc.code or 0)
        else:
            command = f"gradexplorer {args.command}" if args.command else command
            code = _run(parser, args)
        sys.stdout.flush()  # a full disk shows here, not at interpreter exit
        return code
    except BrokenPipeError:  # `gradexplorer run | head`: the reader left; not an error of ours
        _silence_stdout()
        return BROKEN_PIPE_STATUS
    except OSError as exc:  # ENOSPC, EIO, EBADF on stdout (files are CliErrors of the command)
        _silence_stdout()
        _error(f"{command}: cannot write the output: {exc.strerror or exc}")
        return 2


def _run(parser: Parser, args) -> int:
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(_call_quietly(args.handler, args) or 0)
    except CliError as exc:
        _error(f"gradexplorer {args.command}: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130


def _error(line: str) -> None:
    """Print one line on stderr (long values cut); stay quiet if stderr itself is gone."""
    try:
        print(clip_message(line), file=sys.stderr)
    except (OSError, AttributeError, ValueError):
        pass


def _closed_stdout() -> str | None:
    """Why nothing can be written to stdout (``>&-``), else None.

    With file descriptor 1 closed, Python sets ``sys.stdout`` to None, and the next file the
    command opens would get descriptor 1: output would land in it. Refuse before that.
    """
    if sys.stdout is None:
        return "standard output is closed; redirect it to a file or a pipe"
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # a StringIO (tests, embedding): fine
        return None
    try:
        os.fstat(fd)
    except OSError as exc:
        if exc.errno == errno.EBADF:
            return "standard output is closed; redirect it to a file or a pipe"
    return None


def _no_display() -> str | None:
    """Why the app cannot open a window here (Linux without a display), else None."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("no display to open the app on (DISPLAY and WAYLAND_DISPLAY are not set); the "
            "commands work without one: gradexplorer run, theory, train, render (see --help)")


def _call_quietly(handler, args):
    """Run a subcommand with NumPy's floating-point warnings off.

    Overflow, underflow and NaN are results the commands report (inf/NaN, exact log10 columns,
    verdicts), not errors: the per-operation RuntimeWarnings would only clutter stderr, where a
    user error is one line.
    """
    import numpy as np

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return handler(args)


def _silence_stdout() -> None:
    """Point stdout at the null device so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (tests)
        pass
