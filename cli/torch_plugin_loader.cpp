// Finds and dlopen()s the LibTorch plugin (torch_plugin.hpp) on first use.
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "torch_plugin.hpp"

#ifndef PDESYM_TORCH_PLUGIN_FILE
#define PDESYM_TORCH_PLUGIN_FILE "pdesym_torch.so"
#endif
#ifndef PDESYM_TORCH_PLUGIN_INSTALL_REL
#define PDESYM_TORCH_PLUGIN_INSTALL_REL "../lib/pdesym"
#endif

namespace pdesym::cli {

namespace {

std::string exe_dir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  const std::string path(buf, static_cast<std::size_t>(n));
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::vector<std::string> candidates() {
  if (const char* env = std::getenv("PDESYM_TORCH_PLUGIN"); env != nullptr && *env != '\0') return {env};
  const std::string dir = exe_dir();
  return {dir + "/" PDESYM_TORCH_PLUGIN_FILE, dir + "/" PDESYM_TORCH_PLUGIN_INSTALL_REL "/" PDESYM_TORCH_PLUGIN_FILE};
}

std::string first_line(const char* s) {
  std::string m = s != nullptr ? s : "unknown reason";
  return m.substr(0, m.find('\n'));
}

const TorchPlugin& load(const std::string& what) {
#ifndef PDESYM_WITH_TORCH
  throw InputError(what + " needs LibTorch, but this build has no LibTorch (configure with -DPDESYM_WITH_TORCH=ON)");
#endif
  std::ostringstream tried;
  for (const std::string& path : candidates()) {
    if (!file_exists(path)) {
      tried << (tried.tellp() > 0 ? ", " : "") << path;
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);  // never closed: the process keeps LibTorch
    if (handle == nullptr)
      throw InputError(what + " needs the LibTorch plugin, but " + path + " failed to load: " + first_line(dlerror()));
    using Entry = const TorchPlugin* (*)();
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, PDESYM_TORCH_PLUGIN_SYMBOL));
    PDESYM_REQUIRE(entry != nullptr, what << " needs the LibTorch plugin, but " << path << " has no entry point "
                                          << PDESYM_TORCH_PLUGIN_SYMBOL << " (not a pdesym plugin?)");
    const TorchPlugin* p = entry();
    PDESYM_REQUIRE(p != nullptr && p->abi == kTorchPluginAbi && p->layout == torch_plugin_layout(),
                   what << " needs the LibTorch plugin, but " << path
                        << " was built from other pdesym sources than this executable; reinstall both together");
    return *p;
  }
  throw InputError(what + " needs the LibTorch plugin " PDESYM_TORCH_PLUGIN_FILE ", which was not found (looked for " +
                   tried.str() + "); rebuild or reinstall pdesym, or set PDESYM_TORCH_PLUGIN to its path");
}

}  // namespace

const TorchPlugin& torch_plugin(const std::string& what) {
  static const TorchPlugin* loaded = nullptr;
  if (loaded == nullptr) loaded = &load(what);
  return *loaded;
}

}  // namespace pdesym::cli
