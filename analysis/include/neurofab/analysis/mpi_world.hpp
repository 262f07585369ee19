#pragma once
// The MPI job this process belongs to, if any: `mpirun -np K neurofab sweep …`
// starts K processes that split the sweep's runs. MPI is initialised only
// when a launcher started us (its environment says so), so a plain
// `neurofab sweep` never pays MPI's start-up or needs mpirun.

#include <string>

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
  // The message of the lowest rank whose `error` is not empty, on every rank
  // ("" when none is). Every rank then stops with the message itself: mpirun
  // kills the job when the first process exits non-zero, and the rank that
  // failed may be killed before it has printed.
  std::string first_error(const std::string& error) const;
  // Sum of `value` over all ranks.
  int sum(int value) const;

  static bool launched_by_mpirun();

 private:
  int rank_ = 0;
  int size_ = 1;
  bool active_ = false;
};

}  // namespace nf::analysis
