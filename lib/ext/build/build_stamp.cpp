#include "ext/build/build_stamp.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"

namespace ext::build {

namespace fs = std::filesystem;

uint64_t fnv1a64(std::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hash_hex(std::string_view data) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(data)));
  return buf;
}

namespace {

fs::path resolve(const std::string& p, const fs::path& base) {
  fs::path path(p);
  return path.is_absolute() ? path : base / path;
}

bool stat_file(const fs::path& p, uint64_t& size, int64_t& mtime) {
  std::error_code ec;
  size = fs::file_size(p, ec);
  if (ec) return false;
  mtime = fs::last_write_time(p, ec).time_since_epoch().count();
  return !ec;
}

uint64_t content_hash(const fs::path& p) {
  try {
    return fnv1a64(util::read_file(p, 1ull << 30));
  } catch (const Error&) {
    return 0;
  }
}

}  // namespace

BuildStamp BuildStamp::load(const fs::path& file) {
  BuildStamp s;
  std::string text;
  try {
    text = util::read_file(file, 64u << 20);
  } catch (const Error&) {
    return s;
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1 || !j.contains("units") ||
      !j["units"].is_object())
    return s;
  for (const auto& [name, u] : j["units"].items()) {
    if (!u.is_object() || !u.contains("inputs") || !u["inputs"].is_object()) continue;
    Unit unit;
    unit.key = u.value("key", "");
    for (const auto& [path, st] : u["inputs"].items()) {
      if (!st.is_array() || st.size() != 3) continue;
      FileState f;
      f.size = st[0].get<uint64_t>();
      f.mtime = st[1].get<int64_t>();
      f.hash = std::stoull(st[2].get<std::string>(), nullptr, 16);
      unit.inputs[path] = f;
    }
    s.m_units[name] = std::move(unit);
  }
  return s;
}

void BuildStamp::save(const fs::path& file) const {
  nlohmann::json units = nlohmann::json::object();
  for (const auto& [name, u] : m_units) {
    nlohmann::json inputs = nlohmann::json::object();
    for (const auto& [path, f] : u.inputs) {
      char hash[17];
      std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(f.hash));
      inputs[path] = {f.size, f.mtime, hash};
    }
    units[name] = {{"key", u.key}, {"inputs", inputs}};
  }
  nlohmann::json j = {{"version", 1}, {"units", units}};
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  util::write_file_atomic(file, j.dump());
}

bool BuildStamp::fresh(const std::string& unit, const std::string& key,
                       const fs::path& base) const {
  auto it = m_units.find(unit);
  if (it == m_units.end() || it->second.key != key || it->second.inputs.empty()) return false;
  for (const auto& [path, f] : it->second.inputs) {
    uint64_t size;
    int64_t mtime;
    auto p = resolve(path, base);
    if (!stat_file(p, size, mtime) || size != f.size) return false;
    if (mtime == f.mtime) continue;
    // Toolchain headers carry no content hash (see record): a new mtime means a rebuild.
    if (fs::path(path).is_absolute() || content_hash(p) != f.hash) return false;
  }
  return true;
}

void BuildStamp::record(const std::string& unit, const std::string& key,
                        const std::vector<std::string>& inputs, const fs::path& base) {
  Unit u;
  u.key = key;
  for (const auto& path : inputs) {
    FileState f;
    auto p = resolve(path, base);
    if (!stat_file(p, f.size, f.mtime)) continue;
    // Only the project's own files (relative paths) are hashed: a touched but unchanged source
    // stays fresh. The toolchain's headers (absolute paths, a few hundred per object) change only
    // with a package upgrade, which moves their mtime; reading them all after every compile
    // cost more than the rest of ext's work together.
    if (!fs::path(path).is_absolute()) f.hash = content_hash(p);
    u.inputs[path] = f;
  }
  m_units[unit] = std::move(u);
}

std::vector<std::string> BuildStamp::inputs(const std::string& unit) const {
  std::vector<std::string> out;
  auto it = m_units.find(unit);
  if (it != m_units.end())
    for (const auto& [path, _] : it->second.inputs) out.push_back(path);
  return out;
}

std::vector<std::string> parse_depfile(std::string_view text) {
  std::vector<std::string> out;
  // Skip the target: everything up to the first unescaped ':' followed by whitespace.
  size_t pos = 0;
  for (; pos < text.size(); ++pos) {
    if (text[pos] == '\\') {
      ++pos;
      continue;
    }
    if (text[pos] == ':' && (pos + 1 == text.size() || text[pos + 1] == ' ' ||
                             text[pos + 1] == '\n' || text[pos + 1] == '\t'))
      break;
  }
  ++pos;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '\\' && pos + 1 < text.size()) {
      char n = text[pos + 1];
      if (n == '\n') {  // line continuation
        flush();
        ++pos;
        continue;
      }
      if (n == ' ' || n == '#' || n == '\\') {  // escaped character in a path
        cur += n;
        ++pos;
        continue;
      }
      cur += c;
      continue;
    }
    if (c == '$' && pos + 1 < text.size() && text[pos + 1] == '$') {
      cur += '$';
      ++pos;
      continue;
    }
    if (c == '\n') {  // end of the first rule
      flush();
      break;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}

}  // namespace ext::build
