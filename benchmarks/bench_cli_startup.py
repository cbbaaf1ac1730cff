"""Start-up time of the command line: ``gradexplorer --help`` against a bare interpreter.

Each command runs ``--repeat`` times in a fresh interpreter, interleaved so machine load hits
both alike; prints the median and minimum wall time of each and their ratio. The target
(issue 8): ``--help``, ``--version`` and ``run --help`` take at most 0.3 s, because the parser
imports neither NumPy, SciPy, the engine nor Qt (see ``python -X importtime -m gradexplorer
--help``).

Run::

    PYTHONPATH=. python benchmarks/bench_cli_startup.py --repeat 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "--help": [sys.executable, "-m", "gradexplorer", "--help"],
    "--version": [sys.executable, "-m", "gradexplorer", "--version"],
    "run --help": [sys.executable, "-m", "gradexplorer", "run", "--help"],
    "import numpy": [sys.executable, "-c", "import numpy"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    repeat = parser.parse_args().repeat
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    env = {**os.environ, "PYTHONPATH": os.path.abspath(root)}
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, argv in COMMANDS.items():
            t0 = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, env=env)
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["python -c pass"])
    print(f"{'command':<16} {'median s':>9} {'min s':>7} {'× python -c pass':>17}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<16} {median:>9.3f} {min(values):>7.3f} {median / base:>17.2f}")


if __name__ == "__main__":
    main()
