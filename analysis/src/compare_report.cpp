// The outputs of `neurofab compare`: JSON, CSV and the markdown summary.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "neurofab/analysis/compare.hpp"
#include "neurofab/analysis/csv.hpp"

namespace nf::analysis {

namespace {

// Sum of the operations whose name starts with `prefix` (mac_, synop_).
double sum_with_prefix(const StepCounts& c, const std::string& prefix) {
  double sum = 0;
  for (const auto& [name, op] : c.operations) {
    if (name.rfind(prefix, 0) == 0) sum += op.count;
  }
  return sum;
}

double operation(const StepCounts& c, const std::string& name) {
  const auto it = c.operations.find(name);
  return it == c.operations.end() ? 0.0 : it->second.count;
}

double memory_bits(const StepCounts& c, bool writes) {
  double bits = 0;
  for (const auto& [name, t] : c.memories) bits += (writes ? t.writes : t.reads) * t.width_bits;
  return bits;
}

std::string number(const std::optional<double>& v, const char* format = "{:.6g}") {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string();
}

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

nlohmann::json counts_json(const StepCounts& c) {
  nlohmann::json ops = nlohmann::json::object(), mems = nlohmann::json::object();
  for (const auto& [name, op] : c.operations) {
    ops[name] = {{"count", op.count},
                 {"operand_bits", op.operand_bits},
                 {"second_operand_bits", op.second_operand_bits},
                 {"accumulator_bits", op.accumulator_bits}};
  }
  for (const auto& [name, t] : c.memories) {
    mems[name] = {{"width_bits", t.width_bits}, {"reads", t.reads}, {"writes", t.writes}};
  }
  return {{"operations", ops}, {"memories", mems}};
}

// Published figures of other chips, for context only (docs/compare.md cites them).
struct ReferencePoint {
  const char* chip;
  const char* figure;
  const char* source;
};
constexpr ReferencePoint kReferencePoints[] = {
    {"ODIN (28 nm FDSOI)", "12.7 pJ per synaptic operation (minimum)",
     "Frenkel et al., IEEE TBioCAS 13(1), 2019"},
    {"Loihi (14 nm)", "23.6 pJ per synaptic spike operation (minimum)", "Davies et al., IEEE Micro 38(1), 2018"},
    {"TrueNorth (28 nm)", "26 pJ per synaptic event", "Merolla et al., Science 345(6197), 2014"},
    {"ReckOn (28 nm FDSOI)", "< 50 uW for real-time learning at 0.5 V, 0.45 mm2 (no per-SynOp figure)",
     "Frenkel and Indiveri, ISSCC 2022"},
};

std::string level_name(const CompareRow& r) {
  return r.weight_bits > 0 ? fmt::format("{} w{}", r.level, r.weight_bits) : r.level;
}

std::string pct(const std::optional<double>& v) { return v ? fmt::format("{:.1f} %", 100 * *v) : "–"; }
std::string or_dash(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : "–";
}

// Rate vs spiking at equal accuracy: per task, the cheapest integer-level row of
// each family among those reaching the best success rate both families reach.
void equal_accuracy_section(const std::vector<CompareRow>& rows, std::string& md) {
  std::set<std::string> tasks;
  for (const auto& r : rows) tasks.insert(r.task);
  md += "\n## Rate vs spiking at equal accuracy\n\n";
  bool any = false;
  for (const auto& task : tasks) {
    std::map<models::Family, double> best;  // family -> best success at the integer level
    for (const auto& r : rows) {
      if (r.task == task && r.ok && r.level == "integer-cpu" && r.success_rate && r.energy_nj_per_trial) {
        best[r.family] = std::max(best[r.family], *r.success_rate);
      }
    }
    if (best.size() < 2) continue;
    any = true;
    const double common = std::min(best[models::Family::kRate], best[models::Family::kLif]);
    md += fmt::format("Task `{}`: both families reach {:.1f} % at the integer level. Cheapest row of each at or above it:\n\n",
                      task, 100 * common);
    md += "| family | network | weights | success | MACs/step | SynOps/step | energy/trial |\n|---|---|---|---|---|---|---|\n";
    for (const models::Family family : {models::Family::kRate, models::Family::kLif}) {
      const CompareRow* cheapest = nullptr;
      for (const auto& r : rows) {
        if (r.task != task || !r.ok || r.level != "integer-cpu" || r.family != family) continue;
        if (!r.success_rate || *r.success_rate < common || !r.energy_nj_per_trial) continue;
        if (!cheapest || *r.energy_nj_per_trial < *cheapest->energy_nj_per_trial) cheapest = &r;
      }
      if (!cheapest) continue;
      md += fmt::format("| {} | {} | {} bit | {} | {:.0f} | {:.0f} | {:.3g} nJ |\n", models::model_type_name(family),
                        cheapest->run,
                        cheapest->weight_bits, pct(cheapest->success_rate), sum_with_prefix(cheapest->counts, "mac_"),
                        sum_with_prefix(cheapest->counts, "synop_"), *cheapest->energy_nj_per_trial);
    }
    md += "\n";
  }
  if (!any) md += "Needs rate and LIF networks of one task with integer-level results.\n";
}

// The LIF spike penalty (L1 activity regularisation of training) against cost.
void spike_penalty_section(const std::vector<CompareRow>& rows, std::string& md) {
  std::vector<const CompareRow*> lif;
  for (const auto& r : rows) {
    if (r.ok && r.family == models::Family::kLif && r.level == "integer-cpu") lif.push_back(&r);
  }
  std::set<double> penalties;
  for (const auto* r : lif) penalties.insert(r->spike_penalty);
  md += "\n## Activity regularisation and LIF cost\n\n";
  if (penalties.size() < 2) {
    md += "Needs LIF networks trained with different spike penalties (`train --spike-penalty`).\n";
    return;
  }
  std::sort(lif.begin(), lif.end(), [](const CompareRow* a, const CompareRow* b) {
    return std::tie(a->task, a->spike_penalty, a->run, a->weight_bits) <
           std::tie(b->task, b->spike_penalty, b->run, b->weight_bits);
  });
  md += "| task | spike penalty | network | weights | success | spikes/step | SynOps/step | energy/step | energy/trial |\n"
        "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto* r : lif) {
    md += fmt::format("| {} | {:g} | {} | {} bit | {} | {:.2f} | {:.0f} | {} | {} |\n", r->task, r->spike_penalty, r->run,
                      r->weight_bits, pct(r->success_rate), operation(r->counts, "spike"),
                      sum_with_prefix(r->counts, "synop_"), or_dash(r->energy_pj_per_step, "{:.3g} pJ"),
                      or_dash(r->energy_nj_per_trial, "{:.3g} nJ"));
  }
}

}  // namespace

nlohmann::json compare_to_json(const std::vector<CompareRow>& rows, const CompareOptions& o, const EnergyTable& table) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    out.push_back({{"run", r.run},
                   {"model_type", std::string(models::model_type_name(r.family))},
                   {"task", r.task},
                   {"n_rec", r.n_rec},
                   {"encoding", r.encoding},
                   {"spike_penalty", r.spike_penalty},
                   {"steps_per_trial", r.steps_per_trial},
                   {"level", r.level},
                   {"weight_bits", r.weight_bits},
                   {"status", r.ok ? "ok" : "error"},
                   {"error", r.error},
                   {"success_rate", optional_json(r.success_rate)},
                   {"mse", optional_json(r.mse)},
                   {"counts_per_step", counts_json(r.counts)},
                   {"macs_per_step", sum_with_prefix(r.counts, "mac_")},
                   {"synops_per_step", sum_with_prefix(r.counts, "synop_")},
                   {"counts_match_golden", r.counts_match ? nlohmann::json(*r.counts_match) : nlohmann::json()},
                   {"cpu_us_per_step", optional_json(r.cpu_us_per_step)},
                   {"cpu_batched_us_per_step", optional_json(r.cpu_batched_us_per_step)},
                   {"cycles_per_step", optional_json(r.cycles_per_step)},
                   {"fmax_mhz", optional_json(r.fmax_mhz)},
                   {"clock_mhz", optional_json(r.clock_mhz)},
                   {"latency_us_per_step", optional_json(r.latency_us_per_step)},
                   {"steps_per_second", optional_json(r.steps_per_second)},
                   {"energy_pj_per_step", optional_json(r.energy_pj_per_step)},
                   {"energy_nj_per_trial", optional_json(r.energy_nj_per_trial)},
                   {"energy_basis", r.energy_basis},
                   {"energy_breakdown", r.energy ? to_json(*r.energy) : nlohmann::json()},
                   {"detail", r.detail}});
  }
  return {{"format", "neurofab-compare"},
          {"format_version", 1},
          {"options",
           {{"weight_bits", o.weight_bits},
            {"trials", o.trials},
            {"vector_trials", o.vector_trials},
            {"lanes", o.lanes},
            {"boards", o.boards},
            {"energy_table", o.energy_table.string()}}},
          {"energy_table", {{"name", table.name}, {"source", table.source}, {"technology", table.technology}}},
          {"rows", out}};
}

std::string compare_csv(const std::vector<CompareRow>& rows) {
  std::set<std::string> memories;
  for (const auto& r : rows) {
    for (const auto& [name, t] : r.counts.memories) memories.insert(name);
  }
  std::string csv =
      "run,model_type,task,n_rec,encoding,spike_penalty,level,weight_bits,status,error,success_rate,mse,"
      "macs_per_step,synops_per_step,table_lookups_per_step,spikes_per_step,memory_read_bits_per_step,"
      "memory_write_bits_per_step,counts_match_golden,cpu_us_per_step,cpu_batched_us_per_step,cycles_per_step,fmax_mhz,clock_mhz,"
      "latency_us_per_step,steps_per_second,energy_pj_per_step,energy_nj_per_trial";
  for (const auto& m : memories) csv += fmt::format(",{0}_width_bits,{0}_reads_per_step,{0}_writes_per_step", m);
  csv += ",energy_basis\n";
  for (const auto& r : rows) {
    csv += fmt::format("{},{},{},{},{},{:g},{},{},{},{},{},{},", csv_field(r.run), models::model_type_name(r.family), r.task, r.n_rec,
                       r.encoding, r.spike_penalty, r.level, r.weight_bits, r.ok ? "ok" : "error", csv_field(r.error),
                       number(r.success_rate), number(r.mse));
    csv += fmt::format("{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},", sum_with_prefix(r.counts, "mac_"),
                       sum_with_prefix(r.counts, "synop_"), operation(r.counts, "table_lookup"),
                       operation(r.counts, "spike"), memory_bits(r.counts, false), memory_bits(r.counts, true),
                       r.counts_match ? (*r.counts_match ? "true" : "false") : "");
    csv += fmt::format("{},{},{},{},{},{},{},{},{}", number(r.cpu_us_per_step), number(r.cpu_batched_us_per_step),
                       number(r.cycles_per_step),
                       number(r.fmax_mhz), number(r.clock_mhz), number(r.latency_us_per_step),
                       number(r.steps_per_second), number(r.energy_pj_per_step), number(r.energy_nj_per_trial));
    for (const auto& m : memories) {
      const auto it = r.counts.memories.find(m);
      if (it == r.counts.memories.end()) {
        csv += ",,,";
      } else {
        csv += fmt::format(",{},{:.6g},{:.6g}", it->second.width_bits, it->second.reads, it->second.writes);
      }
    }
    csv += fmt::format(",{}\n", csv_field(r.energy_basis));
  }
  return csv;
}

std::string compare_markdown(const std::vector<CompareRow>& rows, const EnergyTable& table) {
  std::string md = "# Energy and latency comparison\n\n";
  md += fmt::format("Energy table: **{}** ({}); {}.\n\n", table.name, table.technology, table.source);
  md += "Measured: success rates, operation and memory-access counts (golden model; at the RTL level the RTL's own "
        "activity counters, checked equal), CPU time, RTL cycles per step, Fmax after place and route. "
        "Modelled: every energy figure (counts x the table; FPGA: a dynamic gap and static power from the table).\n\n";
  md += "| network | model | N | level | success | MACs/step | SynOps/step | mem reads (bit)/step | latency/step | "
        "energy/step | energy/trial |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    std::string latency = "–";
    if (r.latency_us_per_step) {
      latency = fmt::format("{:.3g} us ({:.0f} cyc @ {:.1f} MHz Fmax)", *r.latency_us_per_step, *r.cycles_per_step,
                            *r.fmax_mhz);
    } else if (r.cycles_per_step) {
      latency = fmt::format("{:.0f} cycles", *r.cycles_per_step);
    } else if (r.cpu_us_per_step) {
      latency = fmt::format("{:.3g} us CPU ({:.2g} batched)", *r.cpu_us_per_step, *r.cpu_batched_us_per_step);
    }
    if (!r.ok) {
      md += fmt::format("| {} | {} | {} | {} | error: {} | | | | | | |\n", r.run, models::model_type_name(r.family), r.n_rec, level_name(r),
                        r.error);
      continue;
    }
    md += fmt::format("| {} | {} | {} | {} | {} | {:.0f} | {:.0f} | {:.0f} | {} | {} | {} |\n", r.run, models::model_type_name(r.family),
                      r.n_rec, level_name(r), pct(r.success_rate), sum_with_prefix(r.counts, "mac_"),
                      sum_with_prefix(r.counts, "synop_"), memory_bits(r.counts, false), latency,
                      or_dash(r.energy_pj_per_step, "{:.3g} pJ"), or_dash(r.energy_nj_per_trial, "{:.3g} nJ"));
  }
  equal_accuracy_section(rows, md);
  spike_penalty_section(rows, md);
  md += "\n## Other chips' published figures (for context, not measured here)\n\n";
  md += "| chip | figure | source |\n|---|---|---|\n";
  for (const auto& p : kReferencePoints) md += fmt::format("| {} | {} | {} |\n", p.chip, p.figure, p.source);
  md += "\nThey are whole-chip measurements in other processes; the figures above are modelled from operation counts "
        "in the table's process and leave out control, clocking and I/O.\n";
  return md;
}

}  // namespace nf::analysis
