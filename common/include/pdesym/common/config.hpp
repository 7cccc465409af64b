#pragma once
// YAML configuration access with clear errors naming the file and the key path.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "pdesym/common/error.hpp"

namespace pdesym {

/// A node of a YAML configuration together with where it came from ("configs/kdv.yaml: domain.L").
class Config {
 public:
  Config() = default;
  Config(YAML::Node node, std::string file, std::string path = "");

  /// Loads a YAML file; throws InputError if it is missing or does not parse.
  static Config load(const std::string& file);
  /// Parses YAML text (for tests and inline configs).
  static Config parse(const std::string& text, const std::string& name = "<string>");

  bool has(const std::string& key) const;
  /// Child node; throws InputError naming the full key path if it is absent.
  Config operator[](const std::string& key) const;
  /// Child node, or an empty (null) config if absent.
  Config child_or_empty(const std::string& key) const;

  template <class T>
  T get(const std::string& key) const {
    return (*this)[key].as<T>();
  }
  template <class T>
  T get_or(const std::string& key, const T& fallback) const {
    if (!has(key)) return fallback;
    return (*this)[key].as<T>();
  }
  template <class T>
  T as() const {
    try {
      return node_.as<T>();
    } catch (const YAML::Exception&) {
      throw InputError(where() + ": cannot read value '" + scalar_text() + "' as the expected type");
    }
  }

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_null() const { return !node_ || node_.IsNull(); }
  std::size_t size() const { return node_.size(); }
  Config at(std::size_t i) const;
  std::vector<std::string> keys() const;

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  /// "file: a.b.c" for messages.
  std::string where() const;

  /// Throws InputError if the map has keys not in `allowed` (catches typos in configs).
  void require_only(const std::vector<std::string>& allowed) const;

 private:
  std::string scalar_text() const;
  YAML::Node node_;
  std::string file_;
  std::string path_;
};

double require_positive(const Config& c, const std::string& key);

}  // namespace pdesym
