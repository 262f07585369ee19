"""snnTorch → neurofab → FPGA (issue #21, deliverable 3, second half).

Takes the network test_snntorch_to_neurofab.py trained in snnTorch and
imported (CTest runs that test first: a fixture), quantizes it to 8-bit
weights, runs the RTL core in lock step with the integer golden model
(`neurofab verify`: 0 mismatches) and builds an iCEBreaker bitstream.
"""

import os
import re

import numpy as np

import interop
from interop import check


def body(args):
    """snnTorch's network, imported: quantize, verify (0 mismatches), iCEBreaker bitstream."""
    cli = interop.Cli(args.neurofab)
    source = args.source
    net, test_path = os.path.join(source, "imported"), os.path.join(source, "test.npz")
    check(os.path.isfile(os.path.join(net, "model.json")),
          f"{net}: no imported network (test_snntorch_to_neurofab.py writes it)")
    work = args.workdir
    qnet, board = os.path.join(work, "q"), os.path.join(work, "icebreaker")
    dump_path = os.path.join(work, "traj-integer.npz")

    cli.run("quantize", net, "--bits", 8, "--force", "-o", qnet)
    cli.run("eval", qnet, "--data", test_path, "--dump", dump_path)
    with np.load(dump_path) as f:
        integer_success = f["success"].mean()
        steps = f["spikes"].shape[0]
    with np.load(os.path.join(source, "traj.npz")) as f:
        float_success = f["success"].mean()
    print(f"success on the test trials: float {100 * float_success:.2f} %, integer (8-bit) "
          f"{100 * integer_success:.2f} %")

    verify = cli.run("verify", qnet, "--lanes", 4, "--trials", 8, "--seed", args.seed)
    print(verify.stdout.strip())
    # The lock-step harness prints one MISMATCH line per difference and PASS with the count checked.
    checked = re.search(r"PASS: (\d+) timesteps checked", verify.stdout)
    check("MISMATCH" not in verify.stdout and checked and int(checked.group(1)) == 8 * steps,
          f"verify did not pass 8 trials x {steps} steps with 0 mismatches:\n{verify.stdout}")

    build = cli.run("build", "--board", "icebreaker", qnet, "--lanes", 4, "--force", "-o", board)
    print(build.stdout.strip())
    bins = [f for f in os.listdir(board) if f.endswith(".bin")]
    check(len(bins) == 1, f"{board}: expected one .bin bitstream, found {bins}")
    size = os.path.getsize(os.path.join(board, bins[0]))
    check(size > 0, f"{bins[0]} is empty")
    print(f"bitstream {bins[0]} ({size} bytes); times: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in cli.seconds.items()))


if __name__ == "__main__":
    interop.main(body, extra=[("--source", "the work folder of test_snntorch_to_neurofab.py")])
