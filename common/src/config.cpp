#include "pdesym/common/config.hpp"

#include <algorithm>
#include <sys/stat.h>

#include <fstream>

namespace pdesym {

Config::Config(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

Config Config::load(const std::string& file) {
  struct stat st {};
  PDESYM_REQUIRE(::stat(file.c_str(), &st) == 0, "config file '" << file << "' does not exist");
  PDESYM_REQUIRE(S_ISREG(st.st_mode), "config file '" << file << "' is not a regular file"
                                                     << (S_ISDIR(st.st_mode) ? " (it is a directory)" : ""));
  std::ifstream in(file);
  PDESYM_REQUIRE(in.good(), "config file '" << file << "' does not exist or cannot be read");
  try {
    YAML::Node n = YAML::LoadFile(file);
    PDESYM_REQUIRE(n.IsMap(), "config file '" << file << "' must hold a YAML mapping at the top level");
    return Config(n, file);
  } catch (const YAML::Exception& e) {
    throw InputError("config file '" + file + "' is not valid YAML: " + e.what());
  }
}

Config Config::parse(const std::string& text, const std::string& name) {
  try {
    return Config(YAML::Load(text), name);
  } catch (const YAML::Exception& e) {
    throw InputError("config '" + name + "' is not valid YAML: " + e.what());
  }
}

bool Config::has(const std::string& key) const {
  if (!node_ || !node_.IsMap()) return false;
  YAML::Node c = node_[key];
  return c && !c.IsNull();
}

std::string Config::where() const { return file_ + ": " + (path_.empty() ? std::string("<top>") : path_); }

Config Config::operator[](const std::string& key) const {
  std::string p = path_.empty() ? key : path_ + "." + key;
  PDESYM_REQUIRE(has(key), file_ << ": missing required key '" << p << "'");
  return Config(node_[key], file_, p);
}

Config Config::child_or_empty(const std::string& key) const {
  std::string p = path_.empty() ? key : path_ + "." + key;
  if (!has(key)) return Config(YAML::Node(YAML::NodeType::Null), file_, p);
  return Config(node_[key], file_, p);
}

Config Config::at(std::size_t i) const {
  PDESYM_REQUIRE(node_.IsSequence() && i < node_.size(), where() << ": expected a list with an element " << i);
  return Config(node_[i], file_, path_ + "[" + std::to_string(i) + "]");
}

std::vector<std::string> Config::keys() const {
  std::vector<std::string> out;
  if (!node_.IsMap()) return out;
  for (const auto& kv : node_) out.push_back(kv.first.as<std::string>());
  return out;
}

std::string Config::scalar_text() const {
  if (node_.IsScalar()) return node_.Scalar();
  if (node_.IsSequence()) return "<list>";
  if (node_.IsMap()) return "<mapping>";
  return "<null>";
}

void Config::require_only(const std::vector<std::string>& allowed) const {
  for (const auto& k : keys()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw InputError(where() + ": unknown key '" + k + "' (allowed: " + list + ")");
    }
  }
}

double require_positive(const Config& c, const std::string& key) {
  double v = c.get<double>(key);
  PDESYM_REQUIRE(v > 0.0, c[key].where() << ": must be positive, got " << v);
  return v;
}

}  // namespace pdesym
