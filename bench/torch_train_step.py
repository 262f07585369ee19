#!/usr/bin/env python3
"""One training step of bench_train_step's problem, in plain PyTorch (issue #23).

The problem of bench/jax_train_step.py (see its docstring for the equations),
written as a user of PyTorch would: a Python loop over the T steps, autograd,
torch.nn.utils.clip_grad_norm_(..., 1.0) and torch.optim.Adam(lr 1e-3, betas
(0.9, 0.999), eps 1e-8). The spike is a torch.autograd.Function whose backward
is the fast-sigmoid surrogate. Debian's python3-torch (1.13, OpenBLAS) with
/usr/bin/python3; --threads sets torch.set_num_threads and the BLAS/OpenMP
thread counts (set before torch is imported).

Memory: PyTorch allocates every step's tensors afresh. With glibc's defaults
the heap is trimmed back to the kernel as they are freed, and every step
faults its pages in again (about 31,000 page faults per step at N=100, 3-4x
the step time on this KVM machine). The script therefore sets glibc's M_TOP_PAD
(--malloc-top-pad-mib, 256 MiB) so that freed memory stays in the process, as a
PyTorch user who follows its CPU tuning advice (a caching allocator such as
jemalloc or tcmalloc) would have it; 0 measures glibc's default.

The median line has bench_train_step's format so that bench/side_by_side.sh
parses both alike.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_problem import add_problem_arguments, flipflop_batch, finite_or_error, init_params, print_result


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_problem_arguments(p)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--malloc-top-pad-mib", type=int, default=256,
                   help="glibc M_TOP_PAD in MiB (0: glibc's default); see below")
    a = p.parse_args()
    for name in ("n", "steps", "batch", "repeats", "threads"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be >= 1")
    if not 0 <= a.malloc_top_pad_mib <= 4096:
        p.error("--malloc-top-pad-mib must be in [0, 4096]")
    if a.warmup < 0:
        p.error("--warmup must be >= 0")
    return a


def main():
    a = parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)
    if a.malloc_top_pad_mib > 0:
        import ctypes
        M_TOP_PAD = -2  # glibc malloc.h
        if ctypes.CDLL(None).mallopt(M_TOP_PAD, a.malloc_top_pad_mib << 20) != 1:
            print("error: mallopt(M_TOP_PAD) failed", file=sys.stderr)
            return 1
    import torch

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    n, steps, batch = a.n, a.steps, a.batch
    tau_mem, tau_syn, tau_out, dt, theta, slope = 20.0, 5.0, 20.0, 1.0, 1.0, 5.0
    beta = float(np.exp(-dt / tau_mem))
    alpha_syn = float(np.exp(-dt / tau_syn))
    kappa = float(np.exp(-dt / tau_out))

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return (z >= 0).to(z.dtype)

        @staticmethod
        def backward(ctx, grad):
            (z,) = ctx.saved_tensors
            return grad / torch.square(1.0 + slope * torch.abs(z))

    rng = np.random.default_rng(a.seed)
    params = {k: torch.tensor(v, requires_grad=True)
              for k, v in init_params(rng, n, a.model, alpha_syn, kappa).items()}
    batches = [tuple(torch.from_numpy(t) for t in flipflop_batch(np.random.default_rng([a.seed, k]), steps, batch))
               for k in range(16)]
    optimizer = torch.optim.Adam(params.values(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    p = params

    def loss_fn(x, target, mask):
        drive = torch.addmm(p["b_rec"], x.reshape(-1, x.shape[-1]), p["W_in"].t()).reshape(steps, batch, n)
        w_rec_t = p["W_rec"].t()
        outputs = []
        if a.model == "rate":
            h = torch.zeros(batch, n)
            for t in range(steps):
                h = (1 - a.alpha) * h + a.alpha * torch.tanh(torch.addmm(drive[t], h, w_rec_t))
                outputs.append(h)
            y = torch.stack(outputs) @ p["W_out"].t() + p["b_out"]
        else:
            current = torch.zeros(batch, n)
            membrane = torch.zeros(batch, n)
            s = torch.zeros(batch, n)
            for t in range(steps):
                current = alpha_syn * current + torch.addmm(drive[t], s, w_rec_t)
                u = beta * membrane + current
                s = Spike.apply(u - theta)
                membrane = u - theta * s
                outputs.append(s)
            z = torch.stack(outputs) @ p["W_out"].t() + p["b_out"]
            ys, y_t = [], torch.zeros(batch, z.shape[-1])
            for t in range(steps):
                y_t = kappa * y_t + z[t]
                ys.append(y_t)
            y = torch.stack(ys)
        return torch.sum(mask * torch.square(y - target)) / torch.clamp(torch.sum(mask), min=1.0)

    times, losses = [], []
    for k in range(a.warmup + a.repeats):
        x, target, mask = batches[k % len(batches)]
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(x, target, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params.values(), 1.0)
        optimizer.step()
        elapsed = time.perf_counter() - start
        if k >= a.warmup:
            times.append(elapsed * 1e3)
        if k == 0 or k == a.warmup + a.repeats - 1:
            losses.append(float(loss))
    memory = f"M_TOP_PAD {a.malloc_top_pad_mib} MiB" if a.malloc_top_pad_mib > 0 else "glibc malloc defaults"
    print_result(a, f"PyTorch {torch.__version__}", times, losses, details=f"{a.threads} thread(s), {memory}, ")
    print(f"  first loss {losses[0]:.4f}")
    return finite_or_error(losses)


if __name__ == "__main__":
    sys.exit(main())
