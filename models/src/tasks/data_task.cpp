// A user's own task from an .npz file, the registry of loaded data files, and
// the task section of model.json (neurofab/models/tasks/task_data.hpp).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <fstream>
#include <iterator>
#include <mutex>
#include <numeric>
#include <set>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/npz.hpp"
#include "neurofab/models/tasks/support.hpp"
#include "neurofab/models/tasks/task_data.hpp"

namespace nf::models {
namespace fs = std::filesystem;
namespace {

constexpr char kDataId[] = "data_id";
constexpr char kSuccessMse[] = "success_mse";
const std::set<std::string> kArrays = {"inputs", "targets", "mask", "success_mse"};

[[noreturn]] void fail_array(const fs::path& file, const std::string& array, const std::string& what) {
  throw InputError(fmt::format("{}: array '{}' {}", file.string(), array, what));
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  return fmt::format("({}{})", fmt::join(shape, ", "), shape.size() == 1 ? "," : "");
}

// The shape of a [T, B, C] array, checked.
std::vector<std::int64_t> trials_shape(const NpzArchive& archive, const std::string& name, const char* channels) {
  const fs::path& file = archive.path();
  const std::vector<std::int64_t> shape = archive.shape(name);
  if (shape.size() != 3) {
    fail_array(file, name, fmt::format("must have 3 dimensions [T, B, {}] (got shape {})", channels, shape_text(shape)));
  }
  if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
    const char* what = shape[1] < 1 ? "zero trials" : shape[0] < 1 ? "zero steps" : "zero channels";
    fail_array(file, name, fmt::format("has {} (shape {} is [T, B, {}])", what, shape_text(shape), channels));
  }
  if (shape[0] > tasks::kMaxSteps) {
    fail_array(file, name, fmt::format("has {} steps, at most {} are supported", shape[0], tasks::kMaxSteps));
  }
  if (shape[0] * shape[1] > INT_MAX || shape[2] > INT_MAX) {
    fail_array(file, name, fmt::format("shape {} is too large (T x B must be at most {})", shape_text(shape), INT_MAX));
  }
  return shape;
}

// A [T, B, C] array (shape checked) as the C x T*B matrix of a Batch (the same bytes), checked finite.
Eigen::MatrixXd read_trials(const NpzArchive& archive, const std::string& name) {
  const fs::path& file = archive.path();
  const std::vector<std::int64_t> shape = archive.shape(name);
  const NpyArray<double> array = archive.get<double>(name);
  Eigen::MatrixXd m(shape[2], shape[0] * shape[1]);
  std::copy(array.data.begin(), array.data.end(), m.data());
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    if (!std::isfinite(m.data()[i])) {
      const std::int64_t c = i % shape[2], column = i / shape[2];
      fail_array(file, name, fmt::format("holds {} at [t, b, c] = [{}, {}, {}]", m.data()[i], column / shape[1],
                                         column % shape[1], c));
    }
  }
  return m;
}

// FNV-1a over the bytes, mixed by splitmix64's finaliser and cut to 52 bits,
// so the id is an integer a double (a task parameter) holds exactly.
std::uint64_t content_hash(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h >> 12;
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file", file.string()));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------------------
// The registry: the trials of every data file loaded in this process, by id.

struct Registered {
  std::string bytes;  // the file, to copy into an artifact folder
  TaskData data;
};

class Registry {
 public:
  std::shared_ptr<const Registered> find(std::uint64_t id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : it->second;
  }
  void add(std::uint64_t id, std::shared_ptr<const Registered> entry) {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.emplace(id, std::move(entry));
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::shared_ptr<const Registered>> entries_;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

std::uint64_t register_file(const fs::path& file) {
  std::string bytes = read_bytes(file);
  const std::uint64_t id = content_hash(bytes);
  if (registry().find(id) == nullptr) {
    auto entry = std::make_shared<Registered>(Registered{std::move(bytes), load_task_data(file)});
    registry().add(id, std::move(entry));
  }
  return id;
}

// The id a parameter map names; throws when it names none.
std::uint64_t data_id_of(const std::map<std::string, double>& params) {
  const auto it = params.find(kDataId);
  if (it == params.end()) {
    throw InputError(fmt::format("task '{}' takes its trials from a file: neurofab train --data FILE.npz "
                                 "(docs/own-data.md)", kDataTaskName));
  }
  const double id = it->second;
  if (!(id >= 0 && id < 0x1p52 && id == std::floor(id))) {
    throw InputError(fmt::format("task '{}': parameter '{}' must be a whole number in [0, 2^52) (got {})",
                                 kDataTaskName, kDataId, id));
  }
  return static_cast<std::uint64_t>(id);
}

std::shared_ptr<const Registered> lookup(std::uint64_t id) {
  auto entry = registry().find(id);
  if (entry == nullptr) {
    throw InputError(fmt::format("task '{}': data set {} is not loaded (an artifact's trials come from the {} in "
                                 "its folder, read when the folder is loaded)",
                                 kDataTaskName, id, kTaskDataFile));
  }
  return entry;
}

// ---------------------------------------------------------------------------
// The task.

class DataTask final : public Task {
 public:
  DataTask(std::shared_ptr<const Registered> entry, std::uint64_t id) : entry_(std::move(entry)), id_(id) {
    declare(kDataId, static_cast<double>(id), "content hash of the data file (its trials are registered under it)");
    declare(kSuccessMse, entry_->data.success_mse,
            "a trial succeeds when its masked MSE is below this (default: the file's success_mse)");
  }

  std::string name() const override { return kDataTaskName; }
  std::string summary() const override {
    const Batch& b = batch();
    return fmt::format("trials from a data file: {} trials of {} steps, {} inputs, {} outputs; success: masked MSE "
                       "< {}; OOD: the same trials",
                       b.batch_size, b.n_steps, b.inputs.rows(), b.targets.rows(), param(kSuccessMse));
  }
  int n_in() const override { return static_cast<int>(batch().inputs.rows()); }
  int n_out() const override { return static_cast<int>(batch().targets.rows()); }
  int n_steps() const override { return batch().n_steps; }
  double loss_threshold() const override { return param(kSuccessMse) / 10; }

  Batch generate(int batch_size, Rng& rng) const override {
    Batch out = tasks::make_zero_batch(*this, batch_size);
    const Batch& file = batch();
    const int k = file.batch_size;
    // Shuffled passes over the file's trials: a Fisher-Yates permutation per pass.
    std::vector<int> order;
    order.reserve(static_cast<std::size_t>(batch_size));
    std::vector<int> pass(static_cast<std::size_t>(k));
    while (static_cast<int>(order.size()) < batch_size) {
      std::iota(pass.begin(), pass.end(), 0);
      const int take = std::min(k, batch_size - static_cast<int>(order.size()));
      for (int i = 0; i < take; ++i) {
        const auto j = i + static_cast<int>(rng.below(static_cast<std::uint64_t>(k - i)));
        std::swap(pass[i], pass[j]);
        order.push_back(pass[i]);
      }
    }
    for (int t = 0; t < out.n_steps; ++t) {
      for (int b = 0; b < batch_size; ++b) {
        const int from = file.column(t, order[b]), to = out.column(t, b);
        out.inputs.col(to) = file.inputs.col(from);
        out.targets.col(to) = file.targets.col(from);
        out.mask.col(to) = file.mask.col(from);
      }
    }
    return out;
  }

  std::vector<bool> success(const Batch& b, const Eigen::MatrixXd& outputs) const override {
    tasks::check_outputs(*this, b, outputs);
    const double limit = param(kSuccessMse);
    std::vector<bool> ok(static_cast<std::size_t>(b.batch_size), false);
    for (int trial = 0; trial < b.batch_size; ++trial) {
      double sum = 0, weight = 0;
      for (int t = 0; t < b.n_steps; ++t) {
        const int col = b.column(t, trial);
        const auto m = b.mask.col(col).array();
        sum += (m * (outputs.col(col) - b.targets.col(col)).array().square()).sum();
        weight += m.sum();
      }
      ok[trial] = weight > 0 && sum / weight < limit;
    }
    return ok;
  }

  std::map<std::string, double> ood_overrides() const override { return {}; }

 protected:
  void validate() const override {
    if (param(kDataId) != static_cast<double>(id_)) {
      tasks::fail_param(*this, kDataId, fmt::format("{}, the hash of its data file", id_));
    }
    if (std::isnan(param(kSuccessMse))) {
      throw InputError(fmt::format("task '{}': the data file has no '{}' array: give the criterion with "
                                   "--success-mse (a trial succeeds when its masked MSE is below it)",
                                   kDataTaskName, kSuccessMse));
    }
    tasks::require_above(*this, kSuccessMse, 0);
  }

 private:
  const Batch& batch() const { return entry_->data.batch; }

  std::shared_ptr<const Registered> entry_;
  std::uint64_t id_;
};

}  // namespace

// ---------------------------------------------------------------------------

TaskData load_task_data(const fs::path& file) {
  const NpzArchive archive = NpzArchive::read(file);
  for (const std::string& name : archive.names()) {
    if (kArrays.count(name) == 0) {
      throw InputError(fmt::format("{}: unexpected array '{}' (a data file holds inputs, targets, mask and "
                                   "success_mse)", file.string(), name));
    }
  }
  for (const char* required : {"inputs", "targets"}) {
    if (!archive.has(required)) {
      fail_array(file, required, fmt::format("is missing (a data file needs inputs [T, B, n_in] and targets "
                                             "[T, B, n_out]; the file has: {})", fmt::join(archive.names(), ", ")));
    }
  }
  // Shapes first, then values.
  const std::vector<std::int64_t> in_shape = trials_shape(archive, "inputs", "n_in");
  const std::vector<std::int64_t> out_shape = trials_shape(archive, "targets", "n_out");
  if (in_shape[0] != out_shape[0] || in_shape[1] != out_shape[1]) {
    fail_array(file, "targets", fmt::format("has shape {}, 'inputs' {}: T and B (the first two) must agree",
                                            shape_text(out_shape), shape_text(in_shape)));
  }
  if (archive.has("mask")) {
    const std::vector<std::int64_t> mask_shape = archive.shape("mask");
    if (mask_shape != out_shape) {
      fail_array(file, "mask", fmt::format("has shape {}, 'targets' {}: they must be equal", shape_text(mask_shape),
                                           shape_text(out_shape)));
    }
  }
  TaskData data;
  Batch& b = data.batch;
  b.n_steps = static_cast<int>(in_shape[0]);
  b.batch_size = static_cast<int>(in_shape[1]);
  b.inputs = read_trials(archive, "inputs");
  b.targets = read_trials(archive, "targets");
  if (archive.has("mask")) {
    b.mask = read_trials(archive, "mask");
    for (Eigen::Index i = 0; i < b.mask.size(); ++i) {
      const double m = b.mask.data()[i];
      if (m != 0.0 && m != 1.0) {
        const std::int64_t column = i / b.mask.rows();
        fail_array(file, "mask", fmt::format("holds {} at [t, b, c] = [{}, {}, {}]: a mask value must be 0 or 1", m,
                                             column / b.batch_size, column % b.batch_size, i % b.mask.rows()));
      }
    }
    for (int trial = 0; trial < b.batch_size; ++trial) {
      double sum = 0;
      for (int t = 0; t < b.n_steps; ++t) sum += b.mask.col(b.column(t, trial)).sum();
      if (sum == 0) fail_array(file, "mask", fmt::format("is 0 everywhere in trial {}: it has nothing to score", trial));
    }
  } else {
    b.mask = Eigen::MatrixXd::Ones(b.targets.rows(), b.targets.cols());
  }
  data.success_mse = std::numeric_limits<double>::quiet_NaN();
  if (archive.has("success_mse")) {
    const NpyArray<double> s = archive.get<double>("success_mse");
    if (!s.shape.empty() || !std::isfinite(s.data[0]) || !(s.data[0] > 0)) {
      fail_array(file, "success_mse",
                 s.shape.empty() ? fmt::format("must be a finite number > 0 (got {})", s.data[0])
                                 : fmt::format("must be one number, a 0-d array (got shape {})", shape_text(s.shape)));
    }
    data.success_mse = s.data[0];
  }
  return data;
}

void save_task_data(const fs::path& file, const TaskData& data) {
  const Batch& b = data.batch;
  const std::int64_t t = b.n_steps, k = b.batch_size;
  NpzWriter writer(file);
  // A Batch's C x T*B column-major matrix is the [T, B, C] C-order array, byte for byte.
  writer.add<double>("inputs", {t, k, b.inputs.rows()}, b.inputs.data());
  writer.add<double>("targets", {t, k, b.targets.rows()}, b.targets.data());
  writer.add<double>("mask", {t, k, b.mask.rows()}, b.mask.data());
  writer.add<double>("success_mse", {}, &data.success_mse);
  writer.commit();
}

double default_success_mse(const Batch& batch) {
  const double weight = batch.mask.sum();
  const double mean = weight > 0 ? (batch.mask.array() * batch.targets.array()).sum() / weight : 0;
  const double variance =
      weight > 0 ? (batch.mask.array() * (batch.targets.array() - mean).square()).sum() / weight : 0;
  if (!(variance > 0)) {
    throw InputError("the targets are the same at every scored step, so no default criterion derives from their "
                     "variance: give --success-mse");
  }
  return variance / 10;
}

std::map<std::string, double> register_task_data(const fs::path& file) {
  return {{kDataId, static_cast<double>(register_file(file))}};
}

std::unique_ptr<Task> make_data_task(const std::map<std::string, double>& params) {
  const std::uint64_t id = data_id_of(params);
  auto task = std::make_unique<DataTask>(lookup(id), id);
  task->set_params(params);
  return task;
}

nlohmann::json task_section_to_json(const fs::path& dir, const std::string& name,
                                    const std::map<std::string, double>& params) {
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [key, value] : params) values[key] = value;
  nlohmann::json section = {{"name", name}, {"params", values}};
  if (name == kDataTaskName) {
    write_file_atomically(dir / kTaskDataFile, lookup(data_id_of(params))->bytes);
    section["data_file"] = kTaskDataFile;
  }
  return section;
}

void task_section_from_json(const JsonFields& task, const fs::path& dir, std::string& name,
                            std::map<std::string, double>& params) {
  name = task.string("name");
  const JsonFields values = task.object("params");
  for (const auto& [key, value] : task.raw("params").items()) params[key] = values.number(key);
  if (name != kDataTaskName) return;
  const fs::path data_file = task.string("data_file");
  if (data_file.empty() || data_file != data_file.filename() || data_file == "." || data_file == "..") {
    task.fail("data_file", fmt::format("must be a file name inside the artifact folder (got '{}')", data_file.string()));
  }
  if (!params.count(kDataId)) task.fail("params", fmt::format("the data task needs '{}'", kDataId));
  const fs::path file = dir / data_file;
  if (!fs::exists(file)) task.fail("data_file", fmt::format("{}: missing (the trials of this artifact)", file.string()));
  const std::uint64_t id = register_file(file);
  if (static_cast<double>(id) != params.at(kDataId)) {
    throw InputError(fmt::format("{}: its content hash {} is not the data_id {} of {} (the file was changed)",
                                 file.string(), id, params.at(kDataId), task.file()));
  }
}

}  // namespace nf::models
