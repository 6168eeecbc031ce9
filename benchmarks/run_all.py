"""Run every benchmark script in this folder (``bench_*.py``), one after another, each in its own process.

    python benchmarks/run_all.py                 # all of them, with their default sizes
    python benchmarks/run_all.py query viz       # only bench_query.py and bench_viz.py

Discovers the scripts rather than listing them, so a new ``bench_*.py`` is run without touching this
file. Prints the load average before each script (the machine may be shared: ratios measured side by
side inside one script are what count) and exits non-zero if any script failed, naming it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = [HERE / f"bench_{n.removeprefix('bench_').removesuffix('.py')}.py" for n in names]
    unknown = [p.name for p in wanted if p not in found]
    if unknown:
        sys.exit(f"run_all: no benchmark {', '.join(unknown)}; there are {', '.join(p.name for p in found)}")
    return wanted


def main(argv: list[str]) -> int:
    failed = []
    for path in scripts(argv):
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\n=== {path.name} (load average {load}) ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, str(path)], cwd=HERE.parent).returncode
        print(f"=== {path.name}: exit {rc} after {time.perf_counter() - t0:.0f} s ===", flush=True)
        if rc:
            failed.append(path.name)
    if failed:
        print(f"run_all: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
