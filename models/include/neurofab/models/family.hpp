#pragma once
// The model family of a network: the one place its names are spelled.
// Libraries pass Family; strings appear only where a file is read or written
// (model.json's "model_type", vectors.json, rtl.json) and in file names.

#include <string>
#include <string_view>

namespace nf::models {

enum class Family { kRate, kLif };

// "rate_rnn" / "lif_rnn": model_type in model.json, vectors.json and rtl.json.
std::string_view model_type_name(Family family);
// Reads a model_type; throws nf::InputError naming `where` (a file and field) for any other text.
Family family_from_model_type(std::string_view model_type, std::string_view where);
// "rate" / "lif": the stem of the family's RTL and HLS files (nf_rate_core.sv, nf_lif_top.cpp).
std::string_view short_name(Family family);
// "rate RNN" / "LIF RNN": for people.
std::string_view display_name(Family family);

}  // namespace nf::models
