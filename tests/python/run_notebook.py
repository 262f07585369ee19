"""Runs a notebook top to bottom with nbclient, as CI does with docs/examples/chain.ipynb.

    python run_notebook.py NOTEBOOK --workdir DIR [--timeout S] [--save OUT.ipynb]

The kernel is this interpreter's ipykernel (a kernelspec of its own put first on JUPYTER_PATH), started in
DIR (emptied first), so the notebook's relative paths land there and its
imports are this environment's (PYTHONPATH is inherited). Fails with the cell
and its error on the first cell that raises, and when a cell prints a
traceback to stderr; prints each cell's wall time. The checked-in notebook has
no outputs; --save writes the executed one (for a look, never committed).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--save", help="write the executed notebook here")
    args = parser.parse_args()

    notebook = nbformat.read(args.notebook, as_version=4)
    for cell in notebook.cells:  # the checked-in notebook must be clean
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            print(f"FAILED: {args.notebook} holds outputs (commit it without: "
                  f"jupyter nbconvert --clear-output, or nbformat)", file=sys.stderr)
            return 1
    # The kernel's debugger warns about frozen modules on every start; it is not used here.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # The `python3` kernel is this interpreter (the venv's), not the first kernelspec found
    # (Debian's ipykernel installs one for /usr/bin/python3 that would win otherwise).
    specs = tempfile.mkdtemp(prefix="nf-kernels-")
    (Path(specs) / "kernels" / "python3").mkdir(parents=True)
    (Path(specs) / "kernels" / "python3" / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (neurofab tests)", "language": "python"}))
    os.environ["JUPYTER_PATH"] = specs + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    client = NotebookClient(notebook, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(work)}})
    start = time.monotonic()
    times = []

    def on_cell_executed(cell, cell_index, execute_reply):  # nbclient >= 0.6
        times.append((cell_index, time.monotonic()))

    client.on_cell_executed = on_cell_executed
    try:
        client.execute()
    except CellExecutionError as error:
        print(f"FAILED: {args.notebook}: a cell raised:\n{error}", file=sys.stderr)
        return 1
    finally:
        if args.save:
            nbformat.write(notebook, args.save)
    previous = start
    code_cells = 0
    for index, when in times:
        cell = notebook.cells[index]
        if cell.cell_type != "code":
            continue
        code_cells += 1
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        print(f"cell {index:2d}  {when - previous:6.1f} s  {first[:70]}")
        previous = when
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or (output.get("name") == "stderr"
                                                        and "Traceback" in output.get("text", "")):
                print(f"FAILED: cell {index} printed an error:\n{output}", file=sys.stderr)
                return 1
    print(f"{args.notebook}: {code_cells} code cells run in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
