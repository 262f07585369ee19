#pragma once
// Typed, checked access to the fields of a JSON document read from a file.
// Every failure names the file and the dotted path of the field:
//   "run/model.json: field 'model.n_rec': expected an integer, got \"fifty\"".

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "neurofab/common/error.hpp"

namespace nf {

class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string file, std::string path = "");

  // Parses `path` as JSON; throws nf::InputError for a missing file or bad syntax.
  static nlohmann::json parse_file(const std::filesystem::path& path);

  bool has(const std::string& key) const;
  const nlohmann::json& raw(const std::string& key) const;  // present, any type
  double number(const std::string& key) const;               // finite number
  double number_or_null(const std::string& key, double if_null) const;
  std::int64_t integer(const std::string& key) const;
  std::uint64_t unsigned_integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::string string(const std::string& key) const;
  JsonFields object(const std::string& key) const;
  const nlohmann::json& array(const std::string& key) const;
  JsonFields element(const std::string& key, std::size_t index) const;  // object inside an array

  // A string field read by `parse` (e.g. an enum's from_string); the
  // nf::InputError of an unknown name is reported as this field's error.
  template <typename Parse>
  auto parsed_string(const std::string& key, Parse parse) const {
    try {
      return parse(string(key));
    } catch (const InputError& e) {
      fail(key, e.what());
    }
  }

  // Throws nf::InputError "file: field 'path.key': message".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  std::string field_name(const std::string& key) const;
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json& object_;
  std::string file_;
  std::string path_;
};

}  // namespace nf
