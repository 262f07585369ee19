#pragma once
// The hand-written HLS sources of hls/kernels and hls/testbench, compiled into
// the library (cmake/EmbedFiles.cmake) so that `neurofab hls` can write a
// project from any folder. Copied verbatim: never generated, never edited.

#include <string_view>
#include <vector>

namespace nf::hls {

struct EmbeddedFile {
  std::string_view path;  // relative to hls/, e.g. "kernels/nf_rate_rnn.h"
  std::string_view text;
};

const std::vector<EmbeddedFile>& embedded_sources();

}  // namespace nf::hls
