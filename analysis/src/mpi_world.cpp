#include "neurofab/analysis/mpi_world.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace nf::analysis {

bool MpiWorld::launched_by_mpirun() {
  // Open MPI's launcher sets OMPI_COMM_WORLD_SIZE; PMI/PMIx launchers (srun, MPICH's hydra) set PMI_SIZE or PMIX_RANK.
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}

MpiWorld::MpiWorld() {
  if (!launched_by_mpirun()) return;
  MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  active_ = true;
}

MpiWorld::~MpiWorld() {
  if (active_) MPI_Finalize();
}

void MpiWorld::barrier() const {
  if (active_) MPI_Barrier(MPI_COMM_WORLD);
}

std::string MpiWorld::combined_error(const std::string& error) const {
  if (!active_) return error;
  const int length = static_cast<int>(error.size());
  std::vector<int> lengths(static_cast<std::size_t>(size_));
  MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size(), 0);
  for (std::size_t r = 1; r < lengths.size(); ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
  std::string all(static_cast<std::size_t>(offsets.back() + lengths.back()), '\0');
  MPI_Allgatherv(error.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
                 MPI_COMM_WORLD);
  std::vector<std::string> errors_by_rank;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    errors_by_rank.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  }
  return combine_rank_errors(errors_by_rank);
}

int MpiWorld::sum(int value) const {
  if (!active_) return value;
  int total = 0;
  MPI_Allreduce(&value, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

std::string combine_rank_errors(const std::vector<std::string>& errors_by_rank) {
  if (errors_by_rank.empty()) return "";
  if (std::all_of(errors_by_rank.begin(), errors_by_rank.end(),
                  [&](const std::string& e) { return e == errors_by_rank.front(); })) {
    return errors_by_rank.front();
  }
  std::vector<std::pair<std::string, std::vector<std::size_t>>> distinct;  // message, its ranks
  for (std::size_t r = 0; r < errors_by_rank.size(); ++r) {
    const std::string& error = errors_by_rank[r];
    if (error.empty()) continue;
    auto same = std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first == error; });
    if (same == distinct.end()) same = distinct.insert(distinct.end(), {error, {}});
    same->second.push_back(r);
  }
  std::string combined;
  for (const auto& [error, ranks] : distinct) {
    if (!combined.empty()) combined += "\n";
    combined += fmt::format("[rank{} {}] {}", ranks.size() > 1 ? "s" : "", fmt::join(ranks, ", "), error);
  }
  return combined;
}

}  // namespace nf::analysis
