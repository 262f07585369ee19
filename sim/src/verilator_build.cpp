#include "verilator_build.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>


#include "neurofab/common/error.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/common/process.hpp"
#include "neurofab/common/resources.hpp"
#include "neurofab/common/temp_folder.hpp"

namespace nf::sim::detail {
namespace fs = std::filesystem;

namespace {

// FNV-1a, 64 bits: a cache key, not a security boundary.
std::uint64_t fnv1a(const std::string& text, std::uint64_t hash = 1469598103934665603ULL) {
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

// Its own log file: concurrent builds must not read each other's half-written version.
std::string verilator_version() {
  const TempFolder temp("neurofab-verilator-version");
  const fs::path log = temp.path() / "version.log";
  const ProcessResult r = run_process({"verilator", "--version"}, log);
  if (!r.ok()) throw IoError("verilator --version failed: install Verilator (Debian: apt install verilator)");
  return read_text_file(log);
}

// An exclusive lock on <dir>/.lock for the lifetime of the object.
class DirLock {
 public:
  explicit DirLock(const fs::path& dir) {
    fd_ = ::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw IoError(fmt::format("cannot lock {}", (dir / ".lock").string()));
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

std::string harness_include_flags() {
  return fmt::format("-I{} -I{}", resource_path("sim/include").string(), resource_path("sim/harness").string());
}

fs::path build_cached(const VerilatorBuild& b, const fs::path& cache_dir, bool* built) {
  const fs::path root = cache_dir / "verilator";
  fs::create_directories(root);
  std::uint64_t key = fnv1a(b.name + "/" + b.executable + "/" + b.top_module);
  key = fnv1a(verilator_version(), key);
  if (!b.package.empty()) key = fnv1a(read_text_file(b.package), key);
  for (const auto& group : {b.rtl_sources, b.cpp_sources, b.key_only_sources}) {
    for (const auto& f : group) key = fnv1a(f.filename().string() + "\n" + read_text_file(f), key);
  }
  for (const auto& a : b.arguments) key = fnv1a(a, key);  // another -G or SystemC install: another build
  const fs::path dir = root / fmt::format("{}-{:016x}", b.name, key);
  fs::create_directories(dir);
  const DirLock lock(dir);
  const fs::path exe = dir / "obj_dir" / b.executable;
  if (built != nullptr) *built = false;
  if (fs::exists(exe)) return exe;

  if (!b.package.empty()) fs::copy_file(b.package, dir / "nf_config_pkg.sv", fs::copy_options::overwrite_existing);
  std::vector<std::string> args = {"verilator", "--exe", "--build", "-j", "2", "-Wall", "--top-module", b.top_module,
                                   "-o", b.executable, "-LDFLAGS", "-lfmt"};
  args.insert(args.end(), b.arguments.begin(), b.arguments.end());
  if (!b.package.empty()) args.push_back((dir / "nf_config_pkg.sv").string());
  for (const auto& f : b.rtl_sources) args.push_back(f.string());
  for (const auto& f : b.cpp_sources) args.push_back(f.string());
  const fs::path log = dir / "build.log";
  const ProcessResult r = run_process(args, log, dir);
  if (!r.ok() || !fs::exists(exe)) {
    throw IoError(fmt::format("building the Verilated {} failed ({}); log {}:{}", b.executable, r.describe(),
                              log.string(), last_lines(log, 12)));
  }
  if (built != nullptr) *built = true;
  return exe;
}

}  // namespace nf::sim::detail
