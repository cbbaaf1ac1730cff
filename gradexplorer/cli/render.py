"""``gradexplorer render`` (the dashboard to PNG/SVG, headless) and ``gradexplorer presets``."""

from __future__ import annotations

import argparse
import os
import re

from gradexplorer.cli.main import CliError
from gradexplorer.cli.run import NETWORK_FLAGS, add_network_arguments, spec_from_args
from gradexplorer.engine.model.spec import NetworkSpec, SpecError


def add_render_parser(sub) -> None:
    """Register ``render`` and ``presets``."""
    p = sub.add_parser("render", help="render the dashboard of a preset or spec to PNG or SVG",
                       description="Render the dashboard headless (no window), for slides, docs "
                                   "and CI. Start from a preset and/or network flags; --set "
                                   "key=value changes any setting.")
    p.add_argument("--preset", help="start from this preset (see `gradexplorer presets`)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="change one setting, e.g. --set gain=1.5 (repeatable)")
    p.add_argument("-o", "--output", required=True, help="output file, .png or .svg")
    p.add_argument("--size", default="1600x1000",
                   help="pixel size WIDTHxHEIGHT (default 1600x1000)")
    p.add_argument("--font-size", type=int, default=None,
                   help=f"font size in points, {FONT_SIZE_MIN}-{FONT_SIZE_MAX} (lectures: 16)")
    add_network_arguments(p)
    p.set_defaults(handler=render_command)

    q = sub.add_parser("presets", help="list the presets and what each shows")
    q.add_argument("--long", action="store_true", help="print each preset's explanation")
    q.set_defaults(handler=presets_command)


FONT_SIZE_MIN, FONT_SIZE_MAX = 4, 144


def check_font_size(size: int | None) -> int | None:
    """``--font-size`` unchanged if None or in range; :class:`CliError` otherwise."""
    if size is not None and not FONT_SIZE_MIN <= size <= FONT_SIZE_MAX:
        raise CliError(f"--font-size must be between {FONT_SIZE_MIN} and {FONT_SIZE_MAX} "
                       f"points, got {size}")
    return size


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x1000"`` -> (1600, 1000); :class:`CliError` unless both are 16..16384."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text or "")
    if not m:
        raise CliError(f"--size must look like 1600x1000, got {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (16 <= w <= 16384 and 16 <= h <= 16384):
        raise CliError(f"--size must be between 16 and 16384 pixels each way, got {w}x{h}")
    return w, h


def _spec(args: argparse.Namespace) -> NetworkSpec:
    from gradexplorer.presets import get_preset

    base = {}
    if args.preset:
        try:
            base = get_preset(args.preset).spec.to_dict()
        except SpecError as exc:
            raise CliError(str(exc)) from None
    flags = spec_from_args(args).to_dict()
    default = NetworkSpec().to_dict()
    given = {f for f in NETWORK_FLAGS.values() if getattr(args, _flag(f), None) is not None}
    if getattr(args, "input", None) is not None:
        given |= {"input", "input_path"}
    values = {**(base or default), **{k: flags[k] for k in given}}
    set_keys = set()
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set needs KEY=VALUE, got {item!r}")
        values[key.strip()] = value
        set_keys.add(key.strip())
    # widths decide the depth unless a depth was given too (then they must agree, as in `run`)
    explicit_depth = "depth" in given or "depth" in set_keys
    if not explicit_depth and "widths" in values and values["widths"] not in (None, ""):
        from gradexplorer.engine.model.spec import parse_widths

        try:
            values["depth"] = len(parse_widths(values["widths"]) or ()) or values["depth"]
        except SpecError as exc:
            raise CliError(str(exc)) from None
    try:
        return NetworkSpec.from_dict(values)
    except SpecError as exc:
        raise CliError(str(exc)) from None


def _flag(field: str) -> str:
    return next(k for k, v in NETWORK_FLAGS.items() if v == field)


def render_command(args: argparse.Namespace) -> int:
    spec = _spec(args)
    size = parse_size(args.size)
    check_font_size(args.font_size)
    args.output = os.path.expanduser(args.output)  # -o=~/x.png: no shell expands that ~
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in (".png", ".svg"):
        raise CliError(f"output must end in .png or .svg, got {args.output!r}")
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise CliError(f"cannot write {args.output}: folder {folder} is missing or read-only")
    from gradexplorer.gui.render import render_dashboard

    try:
        render_dashboard(spec, args.output, size=size, font_size=args.font_size)
    except SpecError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(args.output)
    return 0


def presets_command(args: argparse.Namespace) -> int:
    from gradexplorer.presets import list_presets

    presets = list_presets()
    width = max(len(p.name) for p in presets)
    for p in presets:
        print(f"{p.name:<{width}}  {p.title}")
        if args.long:
            print(f"{'':<{width}}  {p.explanation}\n")
    return 0
