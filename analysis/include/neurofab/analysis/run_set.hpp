#pragma once
// Which trained networks an analysis reads. `neurofab analyze <what> <runs…>`
// takes artifact folders and sweep folders alike:
//   - an artifact folder (it holds model.json) stands for itself;
//   - a sweep folder (it holds sweep.toml and runs/, see sweep.hpp) stands for
//     each of its finished runs — runs/<id>/ with run.json — in natural id
//     order (numbers by value: seed=2 before seed=10).

#include <filesystem>
#include <vector>

namespace nf::analysis {

// Expands the arguments in order. Throws nf::InputError naming an argument
// that is neither kind of folder, or a sweep folder without a finished run.
std::vector<std::filesystem::path> expand_runs(const std::vector<std::filesystem::path>& arguments);

// True when `dir` is a sweep folder.
bool is_sweep_folder(const std::filesystem::path& dir);

}  // namespace nf::analysis
