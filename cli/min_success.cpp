#include "min_success.hpp"

#include <fmt/format.h>

#include "neurofab/common/error.hpp"

namespace nf::cli {

void add_min_success_option(CLI::App& cmd, double& percent) {
  cmd.add_option("--min-success", percent,
                 "Exit with status 4 when the success rate is below this percentage (the output is still written)")
      ->check(CLI::Range(0.0, 100.0));
}

void require_success(double success, double min_percent, const std::string& what) {
  if (min_percent < 0 || 100 * success >= min_percent) return;
  throw TargetMissedError(fmt::format("{} {:.1f}% is below --min-success {:g}%", what, 100 * success, min_percent));
}

}  // namespace nf::cli
