// `neurofab data` and `neurofab train --data` through the real binary: the
// file numpy reads, training on it for rate and LIF, and the artifact folder
// that works alone (eval, quantize, resume) after it is moved and the data
// file is gone.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "neurofab/common/npz.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/task.hpp"
#include "python_script.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using Result = nf::test::CommandResult;

Result run(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

void check_ok(const Result& r) {
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

// Exit 1 and one line of error holding every fragment.
void check_error(const Result& r, const std::vector<std::string>& fragments) {
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
  for (const auto& fragment : fragments) CHECK_THAT(r.output, Catch::Contains(fragment));
}

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string python(const nf::test::TempDir& dir, const std::string& code) {
  return nf::test::run_python_script(dir.path(), code);
}

const std::string kTiny = "--n 8 --epochs 2 --steps-per-epoch 2 --batch 8 --validation-trials 8 --eval-trials 16 -q";

}  // namespace

TEST_CASE("neurofab data writes a task's trials as numpy reads them", "[cli][data][numpy]") {
  nf::test::TempDir tmp;
  const fs::path file = tmp / "xor.npz";
  const Result r = run(fmt::format("data --task xor --task-param mem_gap=10 --trials 16 --seed 3 -o {}", file.string()));
  check_ok(r);
  CHECK_THAT(r.output, Catch::Contains("wrote 16 trials of 'xor' (190 steps, 2 inputs, 1 outputs, seed 3)"));
  // numpy: the arrays, their dtypes and shapes, and the default criterion (a tenth of the masked targets' variance).
  const std::string printed = python(tmp, R"(
f = np.load(d + '/xor.npz')
print(sorted(f.files))
print(*[(f[k].dtype.str, f[k].shape) for k in ('inputs', 'targets', 'mask', 'success_mse')])
y, m = f['targets'], f['mask']
mean = (m * y).sum() / m.sum()
print(np.isclose(f['success_mse'], (m * (y - mean) ** 2).sum() / m.sum() / 10, rtol=1e-12, atol=0))
)");
  CHECK(printed ==
        "['inputs', 'mask', 'success_mse', 'targets']\n"
        "('<f8', (190, 16, 2)) ('<f8', (190, 16, 1)) ('<f8', (190, 16, 1)) ('<f8', ())\n"
        "True\n");
  // Value for value the task's own batch for that seed.
  nf::Rng rng(3);
  const auto batch = nf::models::make_task("xor", {{"mem_gap", 10}})->generate(16, rng);
  const auto archive = nf::NpzArchive::read(file);
  CHECK(archive.get<double>("inputs").data ==
        std::vector<double>(batch.inputs.data(), batch.inputs.data() + batch.inputs.size()));
  CHECK(archive.get<double>("targets").data ==
        std::vector<double>(batch.targets.data(), batch.targets.data() + batch.targets.size()));
  // The same seed writes the same bytes; --success-mse sets the criterion.
  check_ok(run(fmt::format("data --task xor --task-param mem_gap=10 --trials 16 --seed 3 -o {}/again.npz",
                           tmp.path().string())));
  CHECK(bytes(tmp / "again.npz") == bytes(file));
  check_ok(run(fmt::format("data --task xor --trials 4 --success-mse 0.125 -o {}/s.npz", tmp.path().string())));
  CHECK(nf::NpzArchive::read(tmp / "s.npz").get<double>("success_mse").data == std::vector<double>{0.125});

  check_error(run(fmt::format("data --task nope -o {}/x.npz", tmp.path().string())), {"unknown task 'nope'"});
  check_error(run(fmt::format("data --task xor --success-mse -1 -o {}/x.npz", tmp.path().string())),
              {"--success-mse: must be a finite number > 0"});
  CHECK_FALSE(fs::exists(tmp / "x.npz"));
}

TEST_CASE("train --data, then eval and quantize from the moved folder alone", "[cli][data]") {
  nf::test::TempDir tmp;
  const std::string t = tmp.path().string();
  check_ok(run(fmt::format("data --task xor --trials 24 --seed 5 -o {}/mine.npz", t)));
  for (const std::string model : {"rate", "lif"}) {
    INFO("--model " << model);
    const Result trained = run(fmt::format("train --model {} --data {}/mine.npz {} -o {}/{}", model, t, kTiny, t, model));
    check_ok(trained);
    const auto json = nlohmann::json::parse(bytes(tmp / model / "model.json"));
    CHECK(json["task"]["name"] == "data");
    CHECK(json["task"]["data_file"] == "task_data.npz");
    CHECK(json["model"]["n_in"] == 2);
    CHECK(bytes(tmp / model / "task_data.npz") == bytes(tmp / "mine.npz"));
    fs::rename(tmp / model, tmp / ("moved-" + model));
  }
  fs::remove(tmp / "mine.npz");  // the folders must not need it

  for (const std::string model : {"rate", "lif"}) {
    INFO("--model " << model);
    const std::string dir = fmt::format("{}/moved-{}", t, model);
    const Result eval = run(fmt::format("eval {} --trials 24", dir));
    check_ok(eval);
    CHECK_THAT(eval.output, Catch::Contains("on 'data'"));
    check_ok(run(fmt::format("train --resume --epochs 3 -q --eval-trials 16 -o {}", dir)));
    CHECK(nlohmann::json::parse(bytes(fs::path(dir) / "model.json"))["state"]["epochs_done"] == 3);
    CHECK(fs::exists(fs::path(dir) / "task_data.npz"));  // the checkpoint kept it

    const std::string q = fmt::format("{}/q-{}", t, model);
    check_ok(run(fmt::format("quantize {} --bits 8 --calibration-trials 16 --eval-trials 16 -o {}", dir, q)));
    CHECK(bytes(fs::path(q) / "task_data.npz") == bytes(fs::path(dir) / "task_data.npz"));
    fs::rename(q, q + "-moved");
    const Result qeval = run(fmt::format("eval {}-moved --trials 16 --json", q));
    check_ok(qeval);
    const auto result = nlohmann::json::parse(qeval.output);
    CHECK(result["task"] == "data");
    CHECK(result["success_rate"].get<double>() >= 0.0);
  }
  // A folder whose copy of the data is gone says so.
  fs::remove(tmp / "moved-rate" / "task_data.npz");
  check_error(run(fmt::format("eval {}/moved-rate", t)), {"task_data.npz: missing"});
}

TEST_CASE("train --data: a user's own file from numpy, and bad files in one line", "[cli][data][numpy]") {
  nf::test::TempDir tmp;
  const std::string t = tmp.path().string();
  python(tmp, R"(
rng = np.random.default_rng(1)
x = rng.standard_normal((30, 12, 3)).astype(np.float32)
y = np.cumsum(x[:, :, :1], axis=0) * 0.1      # integrate the first input
m = np.ones((30, 12, 1)); m[:5] = 0            # the first 5 steps are not scored
np.savez(d + '/own.npz', inputs=x, targets=y, mask=m)
x[3, 4, 1] = np.nan
np.savez(d + '/nan.npz', inputs=x, targets=y, mask=m)
np.savez(d + '/nomask.npz', inputs=x[:, :, :1], targets=y[:5])
)");
  // No success_mse in the file: train asks for --success-mse.
  check_error(run(fmt::format("train --data {}/own.npz {} -o {}/a", t, kTiny, t)),
              {"the data file has no 'success_mse' array", "--success-mse"});
  CHECK_FALSE(fs::exists(tmp / "a"));
  const Result ok = run(fmt::format("train --data {}/own.npz --success-mse 0.05 {} -o {}/a", t, kTiny, t));
  check_ok(ok);
  CHECK(nlohmann::json::parse(bytes(tmp / "a" / "model.json"))["task"]["params"]["success_mse"] == 0.05);

  check_error(run(fmt::format("train --data {}/nan.npz --success-mse 0.05 {} -o {}/b", t, kTiny, t)),
              {"nan.npz: array 'inputs' holds nan at [t, b, c] = [3, 4, 1]"});
  check_error(run(fmt::format("train --data {}/nomask.npz --success-mse 0.05 {} -o {}/b", t, kTiny, t)),
              {"nomask.npz: array 'targets' has shape (5, 12, 1), 'inputs' (30, 12, 1)"});
  check_error(run(fmt::format("train --data {}/missing.npz -o {}/b", t, t)), {"missing.npz: cannot open file"});
  check_error(run(fmt::format("train --data {}/own.npz --task xor -o {}/b", t, t)),
              {"--data and --task: give one of them"});
  CHECK_FALSE(fs::exists(tmp / "b"));
}
