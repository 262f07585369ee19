"""nf.verify, nf.hls, nf.build and nf.compare on one small network each (marker `hardware`).

They run Verilator, Yosys and nextpnr: about two minutes with a cold
Verilator cache. The network is tests/data/lif-xor-n24 quantized at 8 bits by
the CLI; each result is compared with what the CLI prints or writes for the
same quantized folder.
"""

import json
import re

import pytest

from conftest import NETWORKS, one_line

pytestmark = pytest.mark.hardware

LANES = 4


def assert_steps(calls, total, *stages):
    """A progress callable's calls: done 0, 1, ..., total (one per step boundary), the same total throughout,
    every call naming its stage in info["stage"] (and info["message"] for the bar); `stages` appear in order."""
    assert len(calls) > 2, calls
    assert [c[0] for c in calls] == list(range(total + 1)), calls
    assert all(c[1] == total for c in calls), calls
    names = [c[2]["stage"] for c in calls]
    assert all(isinstance(n, str) and n for n in names) and all(c[2]["message"] == c[2]["stage"] for c in calls)
    at = 0
    for stage in stages:
        found = [k for k, n in enumerate(names) if stage in n and k >= at]
        assert found, f"no stage {stage!r} (after step {at}) in {names}"
        at = found[0]


@pytest.fixture(scope="module")
def q(nf, cli, tmp_path_factory):
    root = tmp_path_factory.mktemp("hardware")
    cli.run("quantize", NETWORKS["lif"], "--bits", 8, "-o", root / "q")
    return nf.load(root / "q"), root / "q"


def test_verify_equals_the_cli(nf, cli, q):
    network, folder = q
    calls = []
    result = nf.verify(network, lanes=LANES, trials=3, progress=lambda *a: calls.append(a))
    assert isinstance(result, nf.VerifyResult)
    assert_steps(calls, 4, "RTL", "golden vectors", "testbench", "lock-step run (3 trials)", "passed")
    assert result.passed and result.mismatches == 0 and result.mismatch_lines == []
    assert (result.lanes, result.trials, result.harness) == (LANES, 3, "verilator")
    printed = cli.run("verify", folder, "--lanes", LANES, "--trials", 3).stdout
    steps = int(re.search(r"PASS: (\d+) timesteps checked", printed).group(1))
    cycles = float(re.search(r"([\d.]+) compute cycles per step", printed).group(1))
    simulated = int(re.search(r"(\d+) cycles simulated", printed).group(1))
    assert result.steps == steps == 3 * 200
    assert result.cycles_per_step == cycles
    assert result.cycles == simulated
    # The RTL's own activity counters, read back from the run.
    assert result.activity, "no activity counts on a pass"


def test_verify_refuses_bad_lanes_and_non_quantized_networks(nf, cli, q):
    network, folder = q
    with pytest.raises(nf.InputError) as error:
        nf.verify(network, lanes=0, progress=False)
    message = one_line(error.value)
    assert "lanes" in message and "0" in message, message
    # (The CLI refuses --lanes 0 in its option parser, "--lanes: 0 is outside [1, 64]"; the package gets the
    # library's own check, so the two lines differ in wording.)
    cli.error_line("verify", folder, "--lanes", 0)
    with pytest.raises(nf.InputError) as error:
        nf.verify(nf.load(NETWORKS["lif"]), progress=False)
    assert "QuantizedNetwork" in one_line(error.value)


def test_a_broken_core_raises_verification_error(nf, q, tmp_path, monkeypatch):
    """A dropped spike injected into a copy of the LIF core (as tests/sim/test_mutation.cpp does): verify raises
    VerificationError naming the first MISMATCH, with the failed VerifyResult attached."""
    import os
    import shutil

    network, _ = q
    resources = os.environ["NEUROFAB_RESOURCE_DIR"]  # set by the package on import
    shutil.copytree(resources, tmp_path / "share", symlinks=False)
    core = tmp_path / "share" / "rtl" / "nf_lif_core.sv"
    source = core.read_text()
    line = "assign list_write       = update_consume && spike;"
    assert source.count(line) == 1
    core.write_text(source.replace(line, "assign list_write       = update_consume && spike && new_spikes_q != 2;"))
    monkeypatch.setenv("NEUROFAB_RESOURCE_DIR", str(tmp_path / "share"))
    with pytest.raises(nf.VerificationError) as error:
        nf.verify(network, lanes=LANES, trials=3, cache=tmp_path / "cache", progress=False)
    message = one_line(error.value)
    assert "MISMATCH" in message and "differs from the integer golden model" in message, message
    result = error.value.result
    assert isinstance(result, nf.VerifyResult)
    assert not result.passed and result.mismatches > 0 and result.mismatch_lines[0] in message


def test_hls_writes_the_cli_project(nf, cli, q, tmp_path):
    network, folder = q
    calls = []
    result = nf.hls(network, out=tmp_path / "py", lanes=LANES, trials=2, progress=lambda *a: calls.append(a))
    assert isinstance(result, nf.HlsResult)
    assert_steps(calls, 4, "headers", "sources", "testbench vectors (2 trials)", "scripts", "done")
    assert result.project == str(tmp_path / "py") and result.lanes == LANES and result.trials == 2
    cli.run("hls", folder, "--lanes", LANES, "--trials", 2, "-o", tmp_path / "cli")
    files = sorted(str(p.relative_to(tmp_path / "cli")) for p in (tmp_path / "cli").rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(tmp_path / "py")) for p in (tmp_path / "py").rglob("*") if p.is_file())
    assert any(f.endswith("nf_config.h") for f in files) and any(f.endswith("nf_weights.h") for f in files)
    differ = [f for f in files if (tmp_path / "py" / f).read_bytes() != (tmp_path / "cli" / f).read_bytes()]
    # Only paths of the quantized folder may differ (the CLI names the folder it was given, so does the package).
    for f in differ:
        a = (tmp_path / "py" / f).read_text(errors="replace")
        b = (tmp_path / "cli" / f).read_text(errors="replace")
        assert a.replace(str(tmp_path / "py"), "P") == b.replace(str(tmp_path / "cli"), "P"), f"{f} differs"


def test_build_icebreaker_equals_its_report(nf, q, tmp_path):
    network, _ = q
    calls = []
    result = nf.build(network, board="icebreaker", out=tmp_path / "b", lanes=LANES,
                      progress=lambda *a: calls.append(a))
    assert isinstance(result, nf.BuildResult)
    assert_steps(calls, 6, "RTL", "cycle statistics", "synthesis", "place and route", "pack", "report", "done")
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert result.report == report
    bitstream = tmp_path / "b" / report["bitstream"]["file"]
    assert result.bitstream == str(bitstream)
    assert bitstream.stat().st_size == report["bitstream"]["bytes"] > 100000
    assert result.board == "icebreaker" and result.folder == str(tmp_path / "b")
    used = {u["resource"]: u["used"] for u in report["utilisation"]}
    assert result.logic_cells == used["logic cells"] > 0
    assert result.dsp == used["DSP (SB_MAC16)"]
    assert result.fmax_mhz == report["timing"]["fmax_mhz"] > 12.0
    assert result.timing_met is True and result.clock_mhz == 12.0
    assert result.cycles_per_step == report["performance"]["cycles_per_step"]["mean"]
    assert "logic cells" in result.summary and "Fmax" in result.summary


def test_build_refuses_an_unknown_board(nf, cli, q, tmp_path):
    network, folder = q
    with pytest.raises(nf.InputError) as error:
        nf.build(network, board="no-such-board", out=tmp_path / "x", progress=False)
    assert one_line(error.value) == cli.error_line("build", "--board", "no-such-board", folder, "-o", tmp_path / "y")


# Row fields that are counts or scores (not wall-clock times), equal between the package and the CLI.
COMPARED = ("level", "weight_bits", "status", "success_rate", "mse", "macs_per_step", "synops_per_step",
            "energy_pj_per_step", "energy_nj_per_trial", "cycles_per_step", "counts_match_golden", "steps_per_trial")


def test_compare_equals_the_cli(nf, cli, q, tmp_path):
    network, folder = q
    net = nf.load(NETWORKS["lif"])
    calls = []
    result = nf.compare([net, network], out=tmp_path / "py", levels=["float", "integer", "rtl"], trials=64,
                        vector_trials=2, lanes=LANES, progress=lambda *a: calls.append(a))
    assert isinstance(result, nf.CompareResult)
    cli.run("compare", NETWORKS["lif"], "--levels", "float", "integer", "rtl", "--weight-bits", 8, "--trials", 64,
            "--vector-trials", 2, "--lanes", LANES, "-q", "-o", tmp_path / "cli")
    expected = json.loads((tmp_path / "cli" / "compare.json").read_text())["rows"]
    assert [r["level"] for r in result.rows] == [r["level"] for r in expected]
    for got, want in zip(result.rows, expected):
        for key in COMPARED:
            assert got.get(key) == want.get(key), f"{want['level']}: {key} {got.get(key)!r}, CLI {want.get(key)!r}"
    assert result.document == json.loads((tmp_path / "py" / "compare.json").read_text())
    levels = {r["level"] for r in result.rows}
    assert {"float-cpu", "integer-cpu"} <= levels and any(level.startswith("rtl") for level in levels), levels
    assert all(r["status"] == "ok" for r in result.rows), [(r["level"], r["error"]) for r in result.rows]
    assert calls, "compare reported no progress"
    # One step per network x level: one network (the quantized one stands for it) at float, integer and rtl.
    assert_steps(calls, 3, "float-cpu", "integer-cpu (8-bit weights)", "rtl-verilator (8-bit weights)", "done")
    figure = result.plot()
    assert len(figure.axes) >= 3
