"""``gradexplorer`` command line: with no arguments the app; subcommands for scripts and CI.

Every user error ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``gradexplorer run: <message>``) and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: {message}\n")


def build_parser() -> Parser:
    """The top-level parser with every subcommand registered."""
    from .cli_run import add_run_parser

    parser = Parser(prog="gradexplorer",
                    description="See vanishing and exploding gradients in deep fully connected "
                                "networks. With no command, opens the desktop app.")
    parser.add_argument("--version", action="version", version=f"gradexplorer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    add_run_parser(sub)
    for add in _optional_commands():
        add(sub)
    return parser


def _optional_commands():
    """Subcommands whose modules may be absent in a partial install (theory, render, train)."""
    adders = []
    for module, name in (("cli_theory", "add_theory_parser"), ("cli_render", "add_render_parser"),
                         ("cli_train", "add_train_parser"),
                         ("cli_jacobian", "add_jacobian_parser")):
        try:
            mod = __import__(f"gradexplorer.{module}", fromlist=[name])
        except ImportError:
            continue
        adders.append(getattr(mod, name))
    return adders


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gradexplorer`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from .gui.app import main as gui_main

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
        return int(args.handler(args) or 0)
    except CliError as exc:
        print(f"gradexplorer {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
