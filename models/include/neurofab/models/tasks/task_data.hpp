#pragma once
// A user's own task: trials from an .npz file (docs/own-data.md), trained with
// `neurofab train --data FILE` and written from a built-in task by
// `neurofab data`.
//
// The file (np.savez or np.savez_compressed; any integer, float or bool dtype):
//   inputs       [T, B, n_in]   required
//   targets      [T, B, n_out]  required
//   mask         [T, B, n_out]  optional, 0 or 1 (1: the step is scored); absent: all ones
//   success_mse  0-d            optional: a trial succeeds when its masked MSE is below it
// [T, B, C] in C order is exactly Batch's layout (task.hpp). Every other array
// is refused (a misspelt "masks" would otherwise be silently ignored).
//
// The task ("data", models::kDataTaskName). Per trial b,
//   MSE_b = Σ_{t,c} m (y - ŷ)² / Σ_{t,c} m       (the training loss's form, one trial)
// and the trial succeeds when MSE_b < success_mse. generate(B, rng) draws B
// of the file's K trials in shuffled passes (each trial once per pass, so
// every trial appears ⌊B/K⌋ or ⌈B/K⌉ times); the OOD variant is the same
// trials (a file has no longer variant). loss_threshold() is success_mse / 10:
// an average masked MSE below it leaves at most a tenth of the trials above
// success_mse (Markov's inequality).
//
// How an artifact stays self-contained. ~30 call sites across quantize, sim,
// analysis and cli build an artifact's task as make_task(task_name,
// task_params), a name and numbers. Rather than change all of them to carry
// the trials, a trained artifact's task is ("data", {data_id, success_mse}):
// data_id is a content hash of the .npz file's bytes, and the folder holds a
// byte-for-byte copy of the file (task_data.npz, "data_file" in model.json's
// task section). Loading a float or quantized artifact registers that copy
// under its hash in a process-wide registry; make_task("data", ...) looks the
// trials up there, and saving an artifact copies them from there into the new
// folder. The folder alone is enough wherever it is moved, the call sites are
// unchanged, and a changed data file is detected (its hash no longer matches).

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "neurofab/common/json_fields.hpp"
#include "neurofab/models/task.hpp"

namespace nf::models {

inline constexpr char kDataTaskName[] = "data";
inline constexpr char kTaskDataFile[] = "task_data.npz";  // the copy in an artifact folder

struct TaskData {
  Batch batch;         // the file's K trials: n_steps = T, batch_size = K
  double success_mse;  // the file's success_mse; NaN when the file has none
};

// Reads and checks a data file. Throws nf::InputError, one line naming the
// file and the array: a missing or unexpected array, a rank other than 3,
// shapes that disagree, zero trials, steps or channels, NaN/Inf, a mask value
// other than 0/1, a trial whose mask is all zero, a non-numeric dtype, a
// success_mse that is not one finite number > 0 (and every defect of the
// .npz file itself, common/npz.hpp).
TaskData load_task_data(const std::filesystem::path& file);

// Writes trials as a data file (float64 arrays, success_mse 0-d).
void save_task_data(const std::filesystem::path& file, const TaskData& data);

// The default criterion of `neurofab data`: a tenth of the variance of the
// masked targets over all trials — an output that is the targets' mean scores
// about that variance and fails; success asks for an R² of about 0.9 per trial.
// Throws nf::InputError when the targets are constant (the user must choose).
double default_success_mse(const Batch& batch);

// Loads the file (load_task_data) and registers its trials in this process
// under the hash of its bytes; returns the parameters that name them for
// make_task(kDataTaskName, ...): {"data_id": id}. Registering a file twice is
// cheap (the bytes are hashed, the trials parsed once).
std::map<std::string, double> register_task_data(const std::filesystem::path& file);

// The task on registered trials (make_task calls it for kDataTaskName).
// Throws nf::InputError when data_id is absent or not registered, and when
// neither the file nor `params` give success_mse.
std::unique_ptr<Task> make_data_task(const std::map<std::string, double>& params);

// The "task" section of model.json, shared by float and quantized artifacts:
// {"name", "params"}, and for the data task "data_file", the registered
// trials' bytes written into `dir` as kTaskDataFile.
nlohmann::json task_section_to_json(const std::filesystem::path& dir, const std::string& name,
                                    const std::map<std::string, double>& params);
// Reads it back (`task`: the section, of the folder `dir`); for the data task,
// checks that data_file is a file name inside `dir` whose hash is data_id and
// registers it. An error names the file and field.
void task_section_from_json(const JsonFields& task, const std::filesystem::path& dir, std::string& name,
                            std::map<std::string, double>& params);

}  // namespace nf::models
