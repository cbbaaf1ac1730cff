"""``gradexplorer`` command line: with no arguments the app; subcommands for scripts and CI.

Every user error ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from gradexplorer import __version__


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``gradexplorer run: <message>``) and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: {message}\n")


#: Every subcommand, in ``--help`` order: (module under ``gradexplorer.cli``, its adder).
SUBCOMMANDS = (
    ("run", "add_run_parser"),
    ("theory", "add_theory_parser"),
    ("render", "add_render_parser"),
    ("train", "add_train_parser"),
    ("jacobian", "add_jacobian_parser"),
)


def build_parser() -> Parser:
    """The top-level parser with every subcommand of :data:`SUBCOMMANDS` registered."""
    import importlib

    parser = Parser(prog="gradexplorer",
                    description="See vanishing and exploding gradients in deep fully connected "
                                "networks. With no command, opens the desktop app.")
    parser.add_argument("--version", action="version", version=f"gradexplorer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for module, adder in SUBCOMMANDS:
        getattr(importlib.import_module(f"gradexplorer.cli.{module}"), adder)(sub)
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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a one-line usage error (status 2)
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(_call_quietly(args.handler, args) or 0)
    except CliError as exc:
        print(f"gradexplorer {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `gradexplorer run | head`: the reader left; not an error of ours
        _silence_stdout()
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe


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
    except (OSError, ValueError):  # stdout without a file descriptor (tests, embedding)
        pass
