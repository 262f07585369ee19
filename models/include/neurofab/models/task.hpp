#pragma once
// The task suite: seeded batch generators with a success criterion and an
// out-of-distribution (OOD) variant each. Definitions: docs/tasks.md, which
// follows ../shared/spec/tasks.md and records every value chosen where the
// original leaves it open.
//
// Layout. A batch of B trials of T steps stores each tensor [T, B, C] in
// row-major order — the layout numpy and PyTorch users expect — which is
// exactly an Eigen column-major matrix with C rows and T*B columns, column
// t*B + b. The model consumes these matrices directly.

#include <Eigen/Core>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "neurofab/common/rng.hpp"

namespace nf::models {

struct Batch {
  int n_steps = 0;     // T
  int batch_size = 0;  // B
  Eigen::MatrixXd inputs;   // n_in  x T*B
  Eigen::MatrixXd targets;  // n_out x T*B
  Eigen::MatrixXd mask;     // n_out x T*B; 1 where a step is scored, else 0

  int column(int t, int b) const { return t * batch_size + b; }
};

// One named numeric parameter of a task. Integer-valued parameters (lengths,
// counts) are stored as doubles and checked to be whole numbers.
struct TaskParam {
  std::string name;
  double value = 0.0;
  std::string description;
  bool integer = false;
};

class Task {
 public:
  virtual ~Task() = default;

  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;  // one line for `neurofab tasks`
  virtual int n_in() const = 0;
  virtual int n_out() const = 0;
  virtual int n_steps() const = 0;          // trial length T with the current parameters

  // Training loss below which training may stop early (from the source study).
  virtual double loss_threshold() const = 0;

  // B trials; the same Rng state gives the same batch.
  virtual Batch generate(int batch_size, Rng& rng) const = 0;

  // Per-trial success of `outputs` (n_out x T*B, same layout as the batch).
  virtual std::vector<bool> success(const Batch& batch, const Eigen::MatrixXd& outputs) const = 0;

  // Zeroes the mask where success() does not score (the grace steps after a
  // target switch), so a loss can score exactly what the criterion scores.
  // The default scores every step and changes nothing.
  virtual void mask_unscored_steps(Batch& /*batch*/) const {}

  // The parameters of this task's OOD variant (longer trials or delays).
  virtual std::map<std::string, double> ood_overrides() const = 0;

  const std::vector<TaskParam>& params() const { return params_; }
  double param(const std::string& name) const;
  int int_param(const std::string& name) const;
  // Throws nf::InputError naming the task and parameter when the name is
  // unknown, an integer parameter gets a fraction, or validate() refuses it.
  void set_params(const std::map<std::string, double>& values);
  std::map<std::string, double> param_values() const;

 protected:
  void declare(std::string name, double default_value, std::string description,
               bool integer = false);
  // Throws nf::InputError for impossible combinations of parameters.
  virtual void validate() const = 0;

 private:
  std::vector<TaskParam> params_;
};

// Every task, by name, with its default parameters.
std::vector<std::string> task_names();
// Throws nf::InputError for an unknown name or a bad parameter.
std::unique_ptr<Task> make_task(const std::string& name,
                                const std::map<std::string, double>& overrides = {});
std::unique_ptr<Task> make_ood_task(const Task& task);

// Fraction of trials that succeed.
double success_rate(const Task& task, const Batch& batch, const Eigen::MatrixXd& outputs);

}  // namespace nf::models
