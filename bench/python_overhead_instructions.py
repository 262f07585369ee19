"""Issue #22's Python overhead counted in instructions (valgrind callgrind),
which, unlike time on a shared VM, is the same in every run.

    PYTHONPATH=build/python build/python-venv/bin/python bench/python_overhead_instructions.py \
        [--bench build/bench/bench_run_overhead] [--workdir build/bench-python-overhead] [--calls 10]

For each of the four runs of bench/python_overhead.py (the demo's flip-flop
networks, float and 8-bit integer, rate and LIF; one 410-step trial) it counts
the instructions of a whole process twice, once with K and once with 3K calls
(after the same 3 warm-up calls), on both sides:
  - C++:    bench_run_overhead <dir> --trials 1 --repeats K (the code the binding runs), and
  - Python: a process that loads the network and calls net.run(x) / q.run(x),
and takes the difference / 2K as the instructions of one call, so start-up
(the interpreter, numpy's import, loading the artifact) cancels out. The
overhead is Python's instructions per call over C++'s, minus 1. Instructions
are not time (the interpreter's code has other stalls than the model's
loops), so this is the companion of the timed figures, not a replacement.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import python_overhead  # noqa: E402  (the same networks and malloc settings)

PYTHON_RUN = """
import sys, neurofab as nf
network = nf.load(sys.argv[1])
x = network.task_trials(trials=1, seed=1)["inputs"]
for _ in range(3 + int(sys.argv[2])):
    network.run(x, 1)
"""


def instructions(command: list[str]) -> int:
    """The instructions callgrind collects for a whole process."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                            capture_output=True, text=True, env=os.environ)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed under callgrind:\n{result.stderr[-2000:]}")
    match = re.search(r"Collected : (\d+)", result.stderr)
    if not match:
        raise SystemExit(f"no instruction count in callgrind's output:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def per_call(command_for, calls: int) -> float:
    """Instructions of one call: (I(3K calls) - I(K calls)) / 2K."""
    return (instructions(command_for(3 * calls)) - instructions(command_for(calls))) / (2 * calls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(python_overhead.ROOT / "build" / "bench" / "bench_run_overhead"))
    parser.add_argument("--workdir", default=str(python_overhead.ROOT / "build" / "bench-python-overhead"))
    parser.add_argument("--calls", type=int, default=10, help="K (at most 13): the processes make K and 3K calls")
    args = parser.parse_args()
    os.environ.update(python_overhead.MALLOC)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    rows = []
    for what, folder in python_overhead.networks(workdir).items():
        # The C++ bench's warm-up is max(3, repeats / 10) calls: 3 for both K and 3K up to K = 13.
        cpp = per_call(lambda k: [args.bench, str(folder), "--trials", "1", "--repeats", str(k), "--seed", "1"],
                       args.calls)
        py = per_call(lambda k: [sys.executable, "-c", PYTHON_RUN, str(folder), str(k)], args.calls)
        rows.append((what, cpp, py))
        print(f"{what:15s} C++ {cpp / 1e3:9.1f} k instructions per call, Python {py / 1e3:9.1f} k: "
              f"{100 * (py / cpp - 1):+.2f} %", flush=True)

    print()
    print("| run (one 410-step trial, N = 50) | C++ instructions per call | Python | Python's extra | overhead |")
    print("|---|---|---|---|---|")
    for what, cpp, py in rows:
        call = "q.run(x)" if what.startswith("integer") else "net.run(x)"
        print(f"| {what} (`{call}`) | {cpp / 1e3:.1f} k | {py / 1e3:.1f} k | {(py - cpp) / 1e3:.1f} k "
              f"| {100 * (py / cpp - 1):+.2f} % |")
    worst = max(py / cpp - 1 for _, cpp, py in rows)
    print(f"\nlargest overhead {100 * worst:.2f} % of the C++ instructions (target <= 5 %)")
    return 0 if worst <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
