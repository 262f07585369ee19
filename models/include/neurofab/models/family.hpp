#pragma once
// The model family of a network: the one place its names are spelled.
// Libraries pass Family; strings appear only where a file is read or written
// (model.json's "model_type", vectors.json, rtl.json) and in file names.

#include <optional>
#include <string>
#include <string_view>

#include "neurofab/common/json_fields.hpp"

namespace nf::models {

enum class Family { kRate, kLif };

// "rate_rnn" / "lif_rnn": model_type in model.json, vectors.json and rtl.json.
std::string_view model_type_name(Family family);
// The family of a model_type, or nothing for any other text.
std::optional<Family> family_named(std::string_view model_type);
// Reads a model_type; throws nf::InputError naming `where` (a file and field) for any other text.
Family family_from_model_type(std::string_view model_type, std::string_view where);
// The "model_type" field of a file's root object (model.json, vectors.json); any
// other value fails naming the file and field.
Family family_field(const JsonFields& root);
// "rate" / "lif": the stem of the family's RTL and HLS files (nf_rate_core.sv, nf_lif_top.cpp).
std::string_view short_name(Family family);
// "rate RNN" / "LIF RNN": for people.
std::string_view display_name(Family family);

}  // namespace nf::models
