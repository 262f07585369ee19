#!/usr/bin/env python3
"""One training step of bench_train_step's problem, in JAX (issue #23).

The same problem as ./build/bench/bench_train_step (bench/train_step_bench.cpp):
3-bit flip-flop inputs, T = 100 steps, batch 64, float32; forward pass,
backpropagation through time, clipping to global norm 1.0 and Adam
(lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8), all in one jitted function.

  --model rate   h_t = (1-a) h_{t-1} + a tanh(W_in x_t + W_rec h_{t-1} + b),  a = 0.1
                 y_t = W_out h_t + b_out
  --model lif    CUBA LIF as in models/include/neurofab/models/lif_rnn.hpp:
                 I_t = alpha_s I_{t-1} + W_in x_t + W_rec s_{t-1} + b
                 u_t = beta v_{t-1} + I_t,  s_t = H(u_t - theta),  v_t = u_t - theta s_t
                 y_t = kappa y_{t-1} + W_out s_t + b_out
                 tau_mem 20, tau_syn 5, tau_out 20 ms, dt 1 ms, theta 1, subtract
                 reset (not detached), fast-sigmoid surrogate 1/(1+k|z|)^2, k = 5;
                 beta and alpha_s are per-unit constants (train_tau = false).
  Loss: masked MSE, sum(m (y - target)^2) / sum(m).
Data and weights are drawn as the C++ draws them (flip-flop pulses with
probability 0.05, NetworkInit's schemes and scales) but from numpy's generator,
so they are alike in distribution, not equal value for value.

Timing: 16 batches are made before timing and cycled; `--warmup` untimed steps
(the first of which compiles), then `--repeats` timed steps, each ended by
block_until_ready on the new parameters, optimiser state and loss. The median
line has bench_train_step's format so that bench/side_by_side.sh parses both
alike. Threads: XLA decides; pin with taskset and XLA_FLAGS (side_by_side.sh).
"""
import argparse
import os
import sys
import time

import numpy as np

from train_problem import add_problem_arguments, flipflop_batch, finite_or_error, init_params, print_result


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_problem_arguments(p, warmup_help="untimed steps first (the first compiles)")
    p.add_argument("--unroll", type=int, default=1,
                   help="lax.scan unroll factor (of 1, 2, 5, 10, 1 was the fastest on Zen 4 at N=100)")
    a = p.parse_args()
    for name in ("n", "steps", "batch", "repeats", "unroll"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be >= 1")
    if a.warmup < 1:
        p.error("--warmup must be >= 1 (the first step compiles)")
    return a


def main():
    a = parse_args()
    import jax
    import jax.numpy as jnp
    import jaxlib
    import optax

    f32 = jnp.float32
    n, steps, batch = a.n, a.steps, a.batch
    tau_mem, tau_syn, tau_out, dt, theta, slope = 20.0, 5.0, 20.0, 1.0, 1.0, 5.0
    beta0, alpha_syn0, kappa = np.exp(-dt / tau_mem), np.exp(-dt / tau_syn), np.exp(-dt / tau_out)

    @jax.custom_jvp
    def spike(z):
        return (z >= 0).astype(z.dtype)

    @spike.defjvp
    def spike_jvp(primals, tangents):
        (z,), (dz,) = primals, tangents
        return spike(z), dz / jnp.square(1.0 + slope * jnp.abs(z))

    def masked_mse(y, target, mask):
        return jnp.sum(mask * jnp.square(y - target)) / jnp.maximum(jnp.sum(mask), 1.0)

    def rate_loss(p, consts, x, target, mask):
        alpha = f32(a.alpha)
        drive = x @ p["W_in"].T + p["b_rec"]  # all steps at once, [T, B, N]

        def step(h, d):
            h = (1 - alpha) * h + alpha * jnp.tanh(d + h @ p["W_rec"].T)
            return h, h

        _, hs = jax.lax.scan(step, jnp.zeros((batch, n), f32), drive, unroll=a.unroll)
        return masked_mse(hs @ p["W_out"].T + p["b_out"], target, mask), f32(0)

    def lif_loss(p, consts, x, target, mask):
        beta, alpha_syn, leak = consts["beta"], consts["alpha_syn"], consts["readout_leak"]
        drive = x @ p["W_in"].T + p["b_rec"]

        def step(carry, d):
            current, membrane, s = carry
            current = alpha_syn * current + d + s @ p["W_rec"].T
            u = beta * membrane + current
            s = spike(u - theta)
            return (current, u - theta * s, s), s

        zeros = jnp.zeros((batch, n), f32)
        _, spikes = jax.lax.scan(step, (zeros, zeros, zeros), drive, unroll=a.unroll)
        # Leaky readout y_t = kappa y_{t-1} + z_t as one product with the
        # lower-triangular [T, T] matrix of kappa^(t-k): no second loop.
        z = spikes @ p["W_out"].T + p["b_out"]
        # Also the mean spike rate (spikes per unit and step): an event-driven
        # implementation's cost depends on it, this dense one's does not.
        return masked_mse(jnp.einsum("tk,kbo->tbo", leak, z), target, mask), jnp.mean(spikes)

    loss_fn = rate_loss if a.model == "rate" else lif_loss
    optimizer = optax.chain(optax.clip_by_global_norm(1.0),
                            optax.adam(1e-3, b1=0.9, b2=0.999, eps=1e-8))

    # Parameters and optimiser state are donated: updated in place, as the C++ does.
    @jax.jit(donate_argnums=(0, 1))
    def train_step(params, opt_state, consts, x, target, mask):
        (loss, rate), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, consts, x, target, mask)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, (loss, rate)

    rng = np.random.default_rng(a.seed)
    params = jax.device_put(init_params(rng, n, a.model, alpha_syn0, kappa))
    t_idx = np.arange(steps)
    consts = {
        "beta": np.full(n, beta0, np.float32),
        "alpha_syn": np.full(n, alpha_syn0, np.float32),
        "readout_leak": np.where(t_idx[:, None] >= t_idx[None, :],
                                 kappa ** np.maximum(t_idx[:, None] - t_idx[None, :], 0), 0.0).astype(np.float32),
    }
    consts = jax.device_put(consts)
    generate_start = time.perf_counter()
    batches = [jax.device_put(flipflop_batch(np.random.default_rng([a.seed, k]), steps, batch)) for k in range(16)]
    generate_ms = (time.perf_counter() - generate_start) * 1e3 / 16
    opt_state = optimizer.init(params)

    times, losses, rates = [], [], []
    compile_s = 0.0
    for k in range(a.warmup + a.repeats):
        x, target, mask = batches[k % len(batches)]
        start = time.perf_counter()
        params, opt_state, (loss, rate) = train_step(params, opt_state, consts, x, target, mask)
        jax.block_until_ready((params, opt_state, loss, rate))
        elapsed = time.perf_counter() - start
        if k == 0:
            compile_s = elapsed
        if k >= a.warmup:
            times.append(elapsed * 1e3)
        if k == 0 or k == a.warmup + a.repeats - 1:
            losses.append(float(loss))
            rates.append(float(rate))
    print_result(a, f"JAX {jax.__version__}, jaxlib {jaxlib.__version__}, optax {optax.__version__}", times, losses)
    if a.model == "lif":
        print(f"  spike rate {rates[0]:.4f} (first step), {rates[-1]:.4f} (last step) spikes per unit and step")
    print(f"  first loss {losses[0]:.4f}   first step (compiles) {compile_s:.2f} s   "
          f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}")
    print(f"  batch generation {generate_ms:.2f} ms (not included)")
    return finite_or_error(losses)


if __name__ == "__main__":
    sys.exit(main())
