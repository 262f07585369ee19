"""The plots return matplotlib Figures drawn from the same numbers as run() and the training log."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from conftest import NETWORKS, one_line  # noqa: E402


def lines_of(ax):
    return [np.asarray(line.get_ydata(), np.float64) for line in ax.get_lines()]


@pytest.mark.parametrize("kind", ["lif", "rate"])
def test_plot_raster_draws_the_run(nf, kind, tmp_path):
    net = nf.load(NETWORKS[kind])
    figure = net.plot_raster(trial=1)
    assert isinstance(figure, Figure)
    assert len(figure.axes) >= 3
    trials = net.task_trials(trials=2)
    run = net.run(trials["inputs"])
    ax_in, ax_units, ax_out = figure.axes[:3]
    # The input panel holds the trial's inputs, the output panel its outputs (and targets).
    for c in range(net.n_in):
        assert any(np.array_equal(y, run["inputs"][:, 1, c]) for y in lines_of(ax_in)), f"input {c} not drawn"
    assert any(np.array_equal(y, run["outputs"][:, 1, 0]) for y in lines_of(ax_out)), "output not drawn"
    assert any(np.array_equal(y, trials["targets"][:, 1, 0]) for y in lines_of(ax_out)), "target not drawn"
    if kind == "lif":  # one event row per unit, at the steps it spiked
        rows = ax_units.collections
        assert len(rows) == net.n_rec
        spikes = run["spikes"][:, 1, :]
        for i in (0, net.n_rec // 2, net.n_rec - 1):
            assert len(rows[i].get_positions()) == int(spikes[:, i].sum()), f"unit {i}"
    figure.savefig(tmp_path / "raster.png")
    assert (tmp_path / "raster.png").stat().st_size > 10000


def test_figures_are_not_left_open_in_pyplot(nf):
    """A returned Figure that pyplot also holds is shown twice in a notebook (once as the cell's value,
    once by the inline backend at the end of the cell)."""
    import matplotlib.pyplot as plt

    plt.close("all")
    net = nf.load(NETWORKS["lif"])
    net.plot_raster()
    assert plt.get_fignums() == [], "plot_raster left its figure open in pyplot"


def test_plot_raster_of_given_inputs_and_bad_trial(nf):
    net = nf.load(NETWORKS["lif"])
    x = net.task_trials(trials=3)["inputs"]
    figure = net.plot_raster(trial=2, inputs=x, units=8)
    assert len(figure.axes[1].collections) == 8
    with pytest.raises(nf.InputError) as error:
        net.plot_raster(trial=3, inputs=x)
    assert "trial 3" in one_line(error.value)
    with pytest.raises(nf.InputError):
        net.plot_raster(trial=-1)


def test_plot_history_draws_the_training_log(nf):
    net = nf.train(task="xor", model="rate", n=8, epochs=3, steps_per_epoch=2, batch=8, validation_trials=32,
                   eval_trials=32, seed=4, progress=False)
    figure = net.plot_history()
    assert isinstance(figure, Figure)
    log = net.history["log"]
    assert len(log) == 3
    drawn = [y for ax in figure.axes for y in lines_of(ax)]
    assert any(np.array_equal(y, [e["loss"] for e in log]) for y in drawn), "the loss per epoch is not drawn"


def test_task_trials_are_the_evaluation_trials(nf, cli, tmp_path):
    """task_trials(task, params, K, seed) are the trials `neurofab eval --trials K --seed S` runs."""
    dump = cli.dump(NETWORKS["rate_flipflop"], tmp_path / "d.npz", "--trials", 4, "--seed", 9)
    net = nf.load(NETWORKS["rate_flipflop"])
    for trials in (net.task_trials(trials=4, seed=9), nf.task_trials(net.task, net.task_params, trials=4, seed=9)):
        for name in ("inputs", "targets", "mask"):
            assert np.array_equal(trials[name], dump[name]), name
    assert "flipflop" in nf.task_names() and len(nf.task_names()) == 11
