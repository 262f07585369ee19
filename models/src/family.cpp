#include "neurofab/models/family.hpp"

#include <fmt/format.h>

#include "neurofab/common/error.hpp"

namespace nf::models {

std::string_view model_type_name(Family family) { return family == Family::kLif ? "lif_rnn" : "rate_rnn"; }

namespace {

std::string unsupported(std::string_view model_type) {
  return fmt::format("unsupported model type '{}' (expected '{}' or '{}')", model_type,
                     model_type_name(Family::kRate), model_type_name(Family::kLif));
}

}  // namespace

std::optional<Family> family_named(std::string_view model_type) {
  for (const Family f : {Family::kRate, Family::kLif}) {
    if (model_type == model_type_name(f)) return f;
  }
  return std::nullopt;
}

Family family_from_model_type(std::string_view model_type, std::string_view where) {
  if (const auto f = family_named(model_type)) return *f;
  throw InputError(fmt::format("{}: {}", where, unsupported(model_type)));
}

Family family_field(const JsonFields& root) {
  const std::string type = root.string("model_type");
  if (const auto f = family_named(type)) return *f;
  root.fail("model_type", unsupported(type));
}

std::string_view short_name(Family family) { return family == Family::kLif ? "lif" : "rate"; }

std::string_view display_name(Family family) { return family == Family::kLif ? "LIF RNN" : "rate RNN"; }

}  // namespace nf::models
