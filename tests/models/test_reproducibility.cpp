// The same seed gives the same network on every x86-64 CPU (docs/determinism.md):
// a few epochs of a fixed seed must reproduce a hash of the weights checked in
// here. Registered in the portable build only (NEUROFAB_NATIVE lets BLIS detect
// its kernels, and then the weights depend on the CPU).
//
// The hashes are also those of any thread count (a step's batch is split into
// parts that do not depend on it, training.hpp) and of either instruction set
// of the product kernels (CTest runs this file again with
// NEUROFAB_PRODUCT_ISA=avx2; on a CPU without AVX-512 both runs take AVX2).
//
// Should a deliberate change of the arithmetic (a new loss term, another
// summation order) change the hashes, the failure prints the new ones: check
// the change was meant, then replace the constants below.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"

using namespace nf::models;

namespace {

// FNV-1a (64 bit) over every tensor's name and float32 bytes, in for_each order.
template <typename Tensors>
std::string weight_hash(const Tensors& weights) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const auto mix = [&](const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  };
  weights.for_each([&](const std::string& name, const Eigen::MatrixXf& w) {
    mix(name.data(), name.size());
    mix(w.data(), static_cast<std::size_t>(w.size()) * sizeof(float));
  });
  return fmt::format("{:016x}", h);
}

TrainingConfig few_epochs() {
  TrainingConfig t;
  t.max_epochs = 4;
  t.steps_per_epoch = 5;
  t.batch_size = 32;
  t.validation_trials = 64;
  t.learning_rate = 3e-3;
  t.loss_threshold = 0;
  return t;
}

}  // namespace

TEST_CASE("a fixed seed trains the weights whose hash is checked in: rate RNN", "[training][reproducibility]") {
  const auto task = make_task("flipflop", {{"trial_length", 200}});
  RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 40;
  c.n_out = task->n_out();
  c.tau_ms = 5;
  c.noise_sd = 0.05;
  NetworkInit init;
  init.w_rec.scheme = InitScheme::kOrthogonal;
  RateRnn<float> net = make_rate_rnn(c, init, 1);
  TrainingConfig t = few_epochs();
  t.threads = GENERATE(1, 3);
  TrainingState state;
  train(net, *task, t, 1, state);
  INFO("seed 1, 4 epochs, " << t.threads << " threads, " << training_products());
  CHECK(weight_hash(net.weights()) == "de37662662975fc7");
}

TEST_CASE("a fixed seed trains the weights whose hash is checked in: LIF RNN", "[training][reproducibility][lif]") {
  const auto task = make_task("xor");
  LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 32;
  c.n_out = task->n_out();
  c.encoding = InputEncoding::kPoisson;
  c.train_tau = true;
  LifRnn<float> net = make_lif_rnn(c, {}, 1);
  TrainingConfig t = few_epochs();
  t.loss_on_scored_steps = true;
  t.threads = GENERATE(1, 3);
  TrainingState state;
  train(net, *task, t, 1, state);
  INFO("seed 1, 4 epochs, " << t.threads << " threads, " << training_products());
  CHECK(weight_hash(net.weights()) == "b502c713f6bdf87a");
}
