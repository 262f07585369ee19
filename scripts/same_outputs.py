#!/usr/bin/env python3
"""Compares two output trees of the demo (or of any neurofab run) file by file.

    python3 scripts/same_outputs.py BEFORE AFTER

Every file must be byte-identical, except for what depends on the clock and
nothing else; those values are masked before comparing, and only those:
  - JSON: numbers under the keys in WALL_CLOCK_KEYS (tool run times, the CPU
    latency measurements of `neurofab compare`);
  - CSV: the columns of the same names;
  - text (.md, .log, .txt, .tcl, .sv, ...): "12.3 s" durations, and the
    CPU-time lines of Yosys and nextpnr logs (LOG_CLOCK_LINES);
  - figures that plot a wall-clock measurement (CLOCK_FIGURES) are listed, not compared.
Prints one line per difference and exits 1 if there is any (0 if none).
Standard library only.
"""
import csv
import io
import json
import os
import re
import sys

WALL_CLOCK_KEYS = {"seconds", "cpu_us_per_step", "cpu_batched_us_per_step", "steps_per_second",
                   "timesteps_per_second", "latency_us_per_step"}
LOG_CLOCK_LINES = re.compile(r"(CPU: user|Time spent|End of script|Elapsed|MEM:|Info: Program finished|"
                             r"took [0-9.]+ ?s|Runtime)")
DURATION = re.compile(r"\b\d+(?:\.\d+)? ?s\b")
# The figure that plots the CPU's measured latency next to the hardware's.
CLOCK_FIGURES = {"latency_vs_n.png"}
TEXT_SUFFIXES = {".md", ".log", ".txt", ".tcl", ".sv", ".svh", ".v", ".f", ".h", ".cpp", ".cfg", ".pcf", ".ys",
                 ".py", ".sh", ".csv", ".json", ".dat"}


def mask_json(value, key=None):
    if isinstance(value, dict):
        return {k: mask_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_json(v, key) for v in value]
    if key in WALL_CLOCK_KEYS and isinstance(value, (int, float)):
        return "<wall clock>"
    return value


def mask_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    masked = [i for i, name in enumerate(rows[0]) if name in WALL_CLOCK_KEYS]
    for row in rows[1:]:
        for i in masked:
            if i < len(row) and row[i]:
                row[i] = "<wall clock>"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def mask_text(text):
    lines = ["<clock line>" if LOG_CLOCK_LINES.search(line) else DURATION.sub("<duration>", line)
             for line in text.splitlines()]
    return "\n".join(lines)


def normalised(path):
    data = open(path, "rb").read()
    suffix = os.path.splitext(path)[1]
    if suffix not in TEXT_SUFFIXES:
        return data
    text = data.decode("utf-8", errors="replace")
    if suffix == ".json":
        try:
            return json.dumps(mask_json(json.loads(text)), sort_keys=True)
        except ValueError:
            return mask_text(text)
    if suffix == ".csv":
        return mask_csv(text)
    return mask_text(text)


def files_under(root):
    found = set()
    for folder, _, names in os.walk(root):
        for name in names:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = sys.argv[1], sys.argv[2]
    for root in (before, after):
        if not os.path.isdir(root):
            print(f"same_outputs: {root}: not a folder", file=sys.stderr)
            return 2
    a, b = files_under(before), files_under(after)
    differences = [f"only in {before}: {f}" for f in sorted(a - b)] + [f"only in {after}: {f}" for f in sorted(b - a)]
    skipped = 0
    for f in sorted(a & b):
        if os.path.basename(f) in CLOCK_FIGURES:
            skipped += 1
            continue
        if normalised(os.path.join(before, f)) != normalised(os.path.join(after, f)):
            differences.append(f"differs: {f}")
    for line in differences:
        print(line)
    print(f"same_outputs: {len(a & b) - skipped} files compared, {skipped} wall-clock figure(s) skipped, "
          f"{len(differences)} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
