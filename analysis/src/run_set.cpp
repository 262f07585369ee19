#include "neurofab/analysis/run_set.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "neurofab/common/error.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;

bool is_sweep_folder(const fs::path& dir) {
  return fs::is_regular_file(dir / "sweep.toml") && fs::is_directory(dir / "runs");
}

namespace {

// Natural order ("seed=2" before "seed=10"): digit runs compare as numbers,
// so a sweep's runs list in the order a person reads its grid.
// The digits after a '.' at `at` that ends a number ("" when there is none).
std::string_view fraction_digits(const std::string& text, std::size_t at) {
  if (at >= text.size() || text[at] != '.') return {};
  std::size_t end = at + 1;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  return std::string_view(text).substr(at + 1, end - at - 1);
}

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i_end = i, j_end = j;
      while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end]))) ++i_end;
      while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end]))) ++j_end;
      const std::string_view x = std::string_view(a).substr(i, i_end - i);
      const std::string_view y = std::string_view(b).substr(j, j_end - j);
      const std::size_t x_zeros = std::min(x.find_first_not_of('0'), x.size());
      const std::size_t y_zeros = std::min(y.find_first_not_of('0'), y.size());
      const std::string_view xs = x.substr(x_zeros), ys = y.substr(y_zeros);
      if (xs.size() != ys.size()) return xs.size() < ys.size();
      if (xs != ys) return xs < ys;
      i = i_end;
      j = j_end;
      // A decimal fraction (".01", ".3") compares by value: digit by digit,
      // a missing digit counting as 0 (0 < 0.01 < 0.03 < 0.1 < 0.3).
      const std::string_view x_fraction = fraction_digits(a, i), y_fraction = fraction_digits(b, j);
      for (std::size_t k = 0; k < std::max(x_fraction.size(), y_fraction.size()); ++k) {
        const char x_digit = k < x_fraction.size() ? x_fraction[k] : '0';
        const char y_digit = k < y_fraction.size() ? y_fraction[k] : '0';
        if (x_digit != y_digit) return x_digit < y_digit;
      }
      if (!x_fraction.empty()) i += 1 + x_fraction.size();
      if (!y_fraction.empty()) j += 1 + y_fraction.size();
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<fs::path> finished_runs(const fs::path& sweep) {
  std::vector<fs::path> runs;
  for (const auto& entry : fs::directory_iterator(sweep / "runs")) {
    if (entry.is_directory() && fs::is_regular_file(entry.path() / "run.json")) runs.push_back(entry.path());
  }
  std::sort(runs.begin(), runs.end(),
            [](const fs::path& a, const fs::path& b) { return natural_less(a.filename().string(), b.filename().string()); });
  if (runs.empty()) throw InputError(fmt::format("{}: the sweep has no finished run yet", sweep.string()));
  return runs;
}

}  // namespace

std::vector<fs::path> expand_runs(const std::vector<fs::path>& arguments) {
  if (arguments.empty()) throw InputError("no runs given: name artifact folders or sweep folders");
  std::vector<fs::path> runs;
  for (const fs::path& argument : arguments) {
    if (is_sweep_folder(argument)) {
      const auto sweep_runs = finished_runs(argument);
      runs.insert(runs.end(), sweep_runs.begin(), sweep_runs.end());
    } else if (fs::is_regular_file(argument / "model.json")) {
      runs.push_back(argument);
    } else {
      throw InputError(fmt::format(
          "{}: neither an artifact folder (no model.json) nor a sweep folder (no sweep.toml and runs/)", argument.string()));
    }
  }
  return runs;
}

}  // namespace nf::analysis
