#include "neurofab/models/family.hpp"

#include <fmt/format.h>

#include "neurofab/common/error.hpp"

namespace nf::models {

std::string_view model_type_name(Family family) { return family == Family::kLif ? "lif_rnn" : "rate_rnn"; }

Family family_from_model_type(std::string_view model_type, std::string_view where) {
  if (model_type == "rate_rnn") return Family::kRate;
  if (model_type == "lif_rnn") return Family::kLif;
  throw InputError(fmt::format("{}: unsupported model type '{}' (expected 'rate_rnn' or 'lif_rnn')", where, model_type));
}

std::string_view short_name(Family family) { return family == Family::kLif ? "lif" : "rate"; }

std::string_view display_name(Family family) { return family == Family::kLif ? "LIF RNN" : "rate RNN"; }

}  // namespace nf::models
