#include "neurofab/analysis/training_sweep_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <toml++/toml.h>

#include "neurofab/common/error.hpp"
#include "neurofab/common/text_file.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;

namespace {

// Options a sweep sets itself (each run's folder, quiet in-process training).
const std::set<std::string> kReservedTrainOptions = {"o",     "out",       "resume",    "force",
                                                     "quiet", "no-report", "check-only", "help"};

[[noreturn]] void fail_at(const fs::path& file, const toml::source_region& where, const std::string& what) {
  throw InputError(fmt::format("{}:{}: {}", file.string(), where.begin.line, what));
}

// One scalar: its value and its text (as on a command line); `flag` is set for booleans.
std::pair<models::TrainOptionValue, std::string> scalar(const toml::node& node, const fs::path& file,
                                                        const std::string& key, bool& flag) {
  flag = false;
  if (const auto* s = node.as_string()) return {s->get(), s->get()};
  if (const auto* i = node.as_integer()) return {i->get(), std::to_string(i->get())};
  if (const auto* d = node.as_floating_point()) return {d->get(), fmt::format("{}", d->get())};
  if (const auto* b = node.as_boolean()) {
    flag = true;
    return {b->get(), b->get() ? "true" : "false"};
  }
  fail_at(file, node.source(), fmt::format("`{}`: expected a string, number or boolean", key));
}

// A value of [train]: a scalar, or an array (a list; its text comma-separated).
std::pair<models::TrainOptionValue, std::string> train_value(const toml::node& node, const fs::path& file,
                                                             const std::string& key, bool& flag) {
  if (const auto* array = node.as_array()) {
    std::vector<std::string> items;
    std::string joined;
    for (const toml::node& element : *array) {
      bool element_flag = false;
      const std::string text = scalar(element, file, key, element_flag).second;
      if (element_flag) fail_at(file, element.source(), fmt::format("`{}`: an array of booleans has no meaning", key));
      if (!joined.empty()) joined += ',';
      joined += text;
      items.push_back(text);
    }
    flag = false;
    return {items, joined};
  }
  return scalar(node, file, key, flag);
}

// toml++ keeps a table's keys sorted; a sweep needs them in file order (the
// grid's first axis is outermost, options go on the command line as written).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& table) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [key, value] : table) entries.emplace_back(std::string(key.str()), &value);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.second->source().begin;
    const auto& pb = b.second->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

void check_option_name(const std::string& key, const toml::node& node, const fs::path& file) {
  if (kReservedTrainOptions.count(key) != 0) {
    fail_at(file, node.source(), fmt::format("`{}` is set by the sweep itself (each run trains into runs/<id>/)", key));
  }
}

void add_fixed(TrainingSweepSpec& spec, const std::string& key, const toml::node& node) {
  check_option_name(key, node, spec.file);
  if (key == "task-param") {
    const auto* params = node.as_table();
    if (params == nullptr) fail_at(spec.file, node.source(), "`task-param`: expected a table, e.g. { bits = 2 }");
    for (const auto& [name, value] : in_file_order(*params)) {
      bool flag = false;
      auto [setting, text] = scalar(*value, spec.file, "task-param." + name, flag);
      spec.fixed.push_back({"task-param." + name, std::move(setting), std::move(text)});
    }
    return;
  }
  bool flag = false;
  auto [setting, text] = train_value(node, spec.file, key, flag);
  if (!flag) {
    if (text.empty()) fail_at(spec.file, node.source(), fmt::format("`{}`: empty value", key));
    spec.fixed.push_back({key, std::move(setting), std::move(text)});
  } else if (text == "true") {
    spec.fixed.push_back({key, std::move(setting), std::move(text)});
  }
}

GridAxis range_axis(const std::string& name, const toml::table& range, const fs::path& file) {
  const auto from = range["from"].value<std::int64_t>();
  const auto to = range["to"].value<std::int64_t>();
  const auto step = range["step"].value_or<std::int64_t>(1);
  if (!from || !to) fail_at(file, range.source(), fmt::format("grid axis `{}`: a range needs integers `from` and `to`", name));
  if (step <= 0) fail_at(file, range.source(), fmt::format("grid axis `{}`: `step` must be positive", name));
  if (*to < *from) fail_at(file, range.source(), fmt::format("grid axis `{}`: `to` ({}) is below `from` ({})", name, *to, *from));
  for (const auto& [key, value] : range) {
    if (key.str() != "from" && key.str() != "to" && key.str() != "step") {
      fail_at(file, value.source(), fmt::format("grid axis `{}`: unknown range key `{}` (from, to, step)", name, key.str()));
    }
  }
  GridAxis axis{name, {}, {}, false};
  for (std::int64_t v = *from; v <= *to; v += step) {
    axis.values.push_back(std::to_string(v));
    axis.settings.emplace_back(v);
  }
  return axis;
}

GridAxis array_axis(const std::string& name, const toml::array& array, const fs::path& file) {
  if (array.empty()) fail_at(file, array.source(), fmt::format("grid axis `{}` has no values", name));
  GridAxis axis{name, {}, {}, false};
  std::set<std::string> seen;
  for (std::size_t i = 0; i < array.size(); ++i) {
    bool flag = false;
    auto [setting, text] = scalar(array[i], file, name, flag);
    if (i > 0 && flag != axis.flag) fail_at(file, array[i].source(), fmt::format("grid axis `{}` mixes booleans and other values", name));
    axis.flag = flag;
    if (!seen.insert(text).second) fail_at(file, array[i].source(), fmt::format("grid axis `{}` repeats the value {}", name, text));
    axis.values.push_back(text);
    axis.settings.push_back(std::move(setting));
  }
  return axis;
}

void add_axes(TrainingSweepSpec& spec, const std::string& name, const toml::node& node) {
  const std::string option = name.substr(0, name.find('.'));
  check_option_name(option, node, spec.file);
  if (const auto* array = node.as_array()) {
    spec.grid.push_back(array_axis(name, *array, spec.file));
  } else if (const auto* table = node.as_table()) {
    if (table->contains("from") || table->contains("to")) {
      spec.grid.push_back(range_axis(name, *table, spec.file));
    } else if (name == "task-param") {
      for (const auto& [key, value] : in_file_order(*table)) add_axes(spec, name + "." + key, *value);
    } else {
      fail_at(spec.file, node.source(), fmt::format("grid axis `{}`: expected an array or a range {{ from, to }}", name));
    }
  } else {
    fail_at(spec.file, node.source(),
            fmt::format("grid axis `{}`: expected an array of values or a range {{ from = 1, to = 10 }}", name));
  }
}

void read_sweep_section(TrainingSweepSpec& spec, const toml::table& section) {
  for (const auto& [key, value] : section) {
    const std::string name(key.str());
    if (name == "name") {
      const auto text = value.value<std::string>();
      if (!text) fail_at(spec.file, value.source(), "`sweep.name`: expected a string");
      spec.name = *text;
    } else if (name == "eval_trials" || name == "threads") {
      const auto number = value.value<std::int64_t>();
      if (!number || *number < (name == "threads" ? 0 : 1) || *number > 1000000) {
        fail_at(spec.file, value.source(), fmt::format("`sweep.{}`: expected a positive integer", name));
      }
      (name == "threads" ? spec.threads : spec.eval_trials) = static_cast<int>(*number);
    } else if (name == "weight_bits") {
      const auto* array = value.as_array();
      if (array == nullptr) fail_at(spec.file, value.source(), "`sweep.weight_bits`: expected an array of integers");
      for (const toml::node& element : *array) {
        const auto bits = element.value<std::int64_t>();
        if (!bits || *bits < 2 || *bits > 32) {
          fail_at(spec.file, element.source(), "`sweep.weight_bits`: each width must be an integer in [2, 32]");
        }
        spec.weight_bits.push_back(static_cast<int>(*bits));
      }
    } else {
      fail_at(spec.file, value.source(),
              fmt::format("unknown key `sweep.{}` (name, eval_trials, weight_bits, threads)", name));
    }
  }
}

// Characters a run id keeps; anything else becomes '-' so the id is a safe folder name.
std::string id_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == '=' || c == '_';
    out += keep ? c : '-';
  }
  return out;
}

// A setting as `neurofab train` arguments (for --list).
void append_argument(std::vector<std::string>& arguments, const TrainSetting& setting) {
  if (setting.option.rfind("task-param.", 0) == 0) {
    arguments.insert(arguments.end(), {"--task-param", setting.option.substr(11) + "=" + setting.text});
  } else if (std::holds_alternative<bool>(setting.value)) {
    if (std::get<bool>(setting.value)) arguments.push_back(fmt::format("--{}", setting.option));
  } else {
    arguments.insert(arguments.end(), {fmt::format("--{}", setting.option), setting.text});
  }
}

}  // namespace

TrainingSweepSpec parse_training_sweep_spec(const std::string& text, const fs::path& file) {
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    fail_at(file, e.source(), std::string(e.description()));
  }
  TrainingSweepSpec spec;
  spec.file = file;
  for (const auto& [section, value] : in_file_order(root)) {
    const auto* table = value->as_table();
    if (table == nullptr || (section != "sweep" && section != "train" && section != "grid")) {
      fail_at(file, value->source(), fmt::format("unknown top-level key `{}` (sections: [sweep], [train], [grid])", section));
    }
    if (section == "sweep") read_sweep_section(spec, *table);
    if (section == "train") {
      for (const auto& [option, setting] : in_file_order(*table)) add_fixed(spec, option, *setting);
    }
    if (section == "grid") {
      for (const auto& [option, values] : in_file_order(*table)) add_axes(spec, option, *values);
    }
  }
  // An option may be fixed or swept, not both: the run would get it twice.
  for (const GridAxis& axis : spec.grid) {
    for (const TrainSetting& fixed : spec.fixed) {
      if (fixed.option == axis.name) throw InputError(fmt::format("{}: `{}` is both in [train] and in [grid]", file.string(), axis.name));
    }
  }
  return spec;
}

TrainingSweepSpec load_training_sweep_spec(const fs::path& file) { return parse_training_sweep_spec(read_text_file(file), file); }

models::TrainSpec train_spec(const RunSpec& run) {
  models::TrainSpec spec;
  for (const TrainSetting& setting : run.settings) models::set_train_option(spec, setting.option, setting.value);
  return spec;
}

std::vector<RunSpec> expand_grid(const TrainingSweepSpec& spec) {
  std::vector<std::string> fixed_arguments;
  for (const TrainSetting& setting : spec.fixed) append_argument(fixed_arguments, setting);
  std::vector<RunSpec> runs;
  std::vector<std::size_t> index(spec.grid.size(), 0);
  while (true) {
    RunSpec run;
    run.settings = spec.fixed;
    run.train_arguments = fixed_arguments;
    for (std::size_t a = 0; a < spec.grid.size(); ++a) {
      const GridAxis& axis = spec.grid[a];
      const std::string& value = axis.values[index[a]];
      run.grid_values.emplace_back(axis.name, value);
      run.settings.push_back({axis.name, axis.settings[index[a]], value});
      append_argument(run.train_arguments, run.settings.back());
      if (!run.id.empty()) run.id += '_';
      run.id += id_text(fmt::format("{}={}", axis.name, value));
    }
    if (run.id.empty()) run.id = "run";
    // Folder names lose unsafe characters, so two grid points may map to one
    // id — and two workers would train into one folder.
    for (const RunSpec& other : runs) {
      if (other.id == run.id) {
        throw InputError(fmt::format("{}: two grid points share the run folder name '{}' (values that differ only in "
                                     "characters a folder name cannot hold); make the values differ in letters or "
                                     "digits",
                                     spec.file.string(), run.id));
      }
    }
    runs.push_back(std::move(run));
    // Odometer: the last axis runs fastest, so the first is outermost.
    std::size_t a = spec.grid.size();
    while (a > 0 && ++index[a - 1] == spec.grid[a - 1].values.size()) index[--a] = 0;
    if (a == 0) break;
  }
  return runs;
}

}  // namespace nf::analysis
