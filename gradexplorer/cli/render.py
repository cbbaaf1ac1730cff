"""``gradexplorer render`` (the dashboard to PNG/SVG, headless) and ``gradexplorer presets``."""

from __future__ import annotations

import argparse
import os
import re

from gradexplorer.cli.parsing import NETWORK_FLAGS, CliError, add_network_arguments, spec_from_args
from gradexplorer.cli.values import check_setting, clip, integer_value, text_value


def add_parser(sub) -> None:
    """Register ``render`` and ``presets`` (handlers :func:`render_command`,
    :func:`presets_command`)."""
    p = sub.add_parser("render", help="render the dashboard of a preset or spec to PNG or SVG",
                       description="Render the dashboard headless (no window), for slides, docs "
                                   "and CI. Start from a preset and/or network flags; --set "
                                   "key=value changes any setting.")
    p.add_argument("--preset", type=text_value("preset"),
                   help="start from this preset (see `gradexplorer presets`)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="change one setting, e.g. --set gain=1.5 (repeatable)")
    p.add_argument("-o", "--output", required=True, type=text_value("output"),
                   help="output file, .png or .svg (replaced only when complete)")
    p.add_argument("--size", default="1600x1000",
                   help="pixel size WIDTHxHEIGHT (default 1600x1000)")
    p.add_argument("--font-size", type=integer_value("font size"), default=None,
                   help=f"font size in points, {FONT_SIZE_MIN}-{FONT_SIZE_MAX} (lectures: 16)")
    add_network_arguments(p)
    p.set_defaults(handler=render_command)

    q = sub.add_parser("presets", help="list the presets and what each shows")
    q.add_argument("--long", action="store_true", help="print each preset's explanation")
    q.set_defaults(handler=presets_command)


FONT_SIZE_MIN, FONT_SIZE_MAX = 4, 144


def check_font_size(size: int | str | None) -> int | None:
    """``--font-size`` as an int if given and in range, None if not given; CliError otherwise."""
    if size is None:
        return None
    size = int(size)
    if not FONT_SIZE_MIN <= size <= FONT_SIZE_MAX:
        raise CliError(f"--font-size must be between {FONT_SIZE_MIN} and {FONT_SIZE_MAX} "
                       f"points, got {size}")
    return size


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x1000"`` -> (1600, 1000); :class:`CliError` unless both are 16..16384."""
    m = re.fullmatch(r"\s*([0-9]{1,6})\s*[xX×]\s*([0-9]{1,6})\s*", text or "")
    if not m:
        raise CliError(f"--size must look like 1600x1000, got {clip(text)}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (16 <= w <= 16384 and 16 <= h <= 16384):
        raise CliError(f"--size must be between 16 and 16384 pixels each way, got {w}x{h}")
    return w, h


def _spec(args: argparse.Namespace):
    from gradexplorer.engine.model.spec import NetworkSpec, SpecError
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
        if not sep or not key.strip():
            raise CliError(f"--set needs KEY=VALUE, got {clip(item)}")
        try:
            values[key.strip()] = check_setting(key.strip(), value)
        except argparse.ArgumentTypeError as exc:
            raise CliError(f"--set {exc}") from None
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
    """Render the dashboard to ``-o`` (atomically: a failed write keeps the old file)."""
    from gradexplorer.engine.model.spec import SpecError
    from gradexplorer.io.atomic import describe, resolve_target

    spec = _spec(args)
    size = parse_size(args.size)
    font_size = check_font_size(args.font_size)
    args.output = os.path.expanduser(args.output)  # -o=~/x.png: no shell expands that ~
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in (".png", ".svg"):
        raise CliError(f"output must end in .png or .svg, got {clip(args.output)}")
    try:
        folder = os.path.dirname(resolve_target(args.output))
    except OSError as exc:
        raise CliError(describe(exc, args.output)) from None
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise CliError(f"cannot write {args.output}: folder {folder} is missing or read-only")
    from gradexplorer.gui.render import render_dashboard

    try:
        render_dashboard(spec, args.output, size=size, font_size=font_size)
    except SpecError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(describe(exc, args.output)) from None
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
