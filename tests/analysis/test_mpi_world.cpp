// How the ranks' error messages become the one message every rank stops with
// (MpiWorld::combined_error gathers them; this is the pure part).
#include <catch2/catch.hpp>

#include "neurofab/analysis/mpi_world.hpp"

namespace nf::analysis {

TEST_CASE("rank errors: none is empty, a shared one is said once, different ones are tagged by rank",
          "[analysis][sweep][mpi]") {
  CHECK(combine_rank_errors({}).empty());
  CHECK(combine_rank_errors({"", "", ""}).empty());
  CHECK(combine_rank_errors({"bad file"}) == "bad file");                // one process: no tag
  CHECK(combine_rank_errors({"bad file", "bad file"}) == "bad file");    // every rank relays it
  CHECK(combine_rank_errors({"", "run x: diverged"}) == "[rank 1] run x: diverged");
  CHECK(combine_rank_errors({"folder refused", ""}) == "[rank 0] folder refused");
  CHECK(combine_rank_errors({"a", "", "b", "a"}) == "[ranks 0, 3] a\n[rank 2] b");
  CHECK(combine_rank_errors({"2 of 3 runs failed:\n  run y: nan", "", "1 of 3 runs failed:\n  run z: nan"}) ==
        "[rank 0] 2 of 3 runs failed:\n  run y: nan\n[rank 2] 1 of 3 runs failed:\n  run z: nan");
}

}  // namespace nf::analysis
