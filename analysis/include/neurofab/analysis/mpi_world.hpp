#pragma once
// The MPI job this process belongs to, if any: `mpirun -np K neurofab sweep …`
// starts K processes that split the sweep's runs. MPI is initialised only
// when a launcher started us (its environment says so), so a plain
// `neurofab sweep` never pays MPI's start-up or needs mpirun.

#include <string>
#include <vector>

namespace nf::analysis {

class MpiWorld {
 public:
  MpiWorld();  // MPI_Init when launched by mpirun; otherwise rank 0 of 1
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool active() const { return active_; }
  void barrier() const;
  // Every rank's `error` ("" when it has none) combined on every rank by
  // combine_rank_errors, so each rank can stop with all the reasons: mpirun
  // kills the job when the first process exits non-zero, and a rank that
  // failed may be killed before it has printed.
  std::string combined_error(const std::string& error) const;
  // Sum of `value` over all ranks.
  int sum(int value) const;

  static bool launched_by_mpirun();

 private:
  int rank_ = 0;
  int size_ = 1;
  bool active_ = false;
};

// The errors of ranks 0, 1, … as one message: "" when none has one; the
// message alone when every rank has the same one (one process, or a failure
// every rank relays); otherwise each distinct message once, in rank order,
// tagged with the ranks that gave it ("[rank 1] …", "[ranks 0, 2] …"), one
// per line.
std::string combine_rank_errors(const std::vector<std::string>& errors_by_rank);

}  // namespace nf::analysis
