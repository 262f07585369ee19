#pragma once
// Error types shared by every stage. The CLI turns each into one line on stderr
// and a non-zero exit; nothing below main() prints or exits on its own.

#include <stdexcept>
#include <string>

namespace nf {

// Bad input from a user: a malformed or inconsistent file, an impossible option.
// The message names the file and, where there is one, the field.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The operating system refused a read, write or rename.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A check found the design under test different from its reference (e.g. the
// RTL against the integer golden model). The CLI exits with status 3.
class VerificationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A stage produced its result, but the result misses the target the user
// required of it (e.g. --min-success): the artifact is written, and the CLI
// exits with status 4 so that a script does not carry it further.
class TargetMissedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace nf
