#pragma once
// CSV text the analyses write (RFC 4180): a field is quoted when it holds a
// comma, a quote or a line break (run paths and grid values may), quotes doubled.

#include <string>

namespace nf::analysis {

std::string csv_field(const std::string& text);

}  // namespace nf::analysis
