// ext::ops — `ext init [DIR]`: scaffold a filter project from a template (embedded, or from
// EXT_TEMPLATES_DIR). Every option has a default here; asking the user interactively is the
// CLI's job (cli/cmd_init.cpp), so this use case never reads a terminal.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"

namespace ext::ops {

struct InitOptions {
  std::filesystem::path dir;     // created when missing; empty: ./<name>
  std::string language;          // cpp | rust | assemblyscript; empty: the template's, else cpp
  std::string template_name;     // "http-filter" or "cpp/http-filter"; empty: http-filter
  std::string name;              // empty: DIR's folder name
  std::string root_id;           // empty: name with '-'/'.' as '_'
  std::string platform;          // envoy | istio | gloo; empty: envoy
  std::string platform_version;  // empty: the platform's current default
  bool force = false;            // write into a non-empty DIR (template files overwritten)
};

struct InitResult {
  std::filesystem::path dir;
  std::string template_id;
  std::string language;
  std::string name;
  std::string root_id;
  std::string platform;
  std::string platform_version;
  std::vector<std::string> files;  // written, relative to dir
  std::string templates_origin;    // "embedded" or the EXT_TEMPLATES_DIR folder
};

struct TemplateEntry {
  std::string id;
  std::string language;
  std::string name;
  std::string kind;  // http | network ("" when the template does not say)
  std::string sdk;
  std::string description;
  // The language driver's toolchain (lib/ext/build): what it needs, and whether it is here.
  std::string toolchain;         // what the template needs to build
  bool toolchain_found = false;  // found on this machine (only with detect = true)
  std::string toolchain_status;  // what was found, or what is missing
  std::string toolchain_hint;    // how to install it, when missing
};

InitResult init(const InitOptions& opts, Env& env);
// detect: also look for each language's toolchain on this machine (version probes only, once
// per language).
std::vector<TemplateEntry> list_templates(Env& env, bool detect = false);

// Defaults shared with the CLI's prompts.
inline constexpr const char* k_default_language = "cpp";
inline constexpr const char* k_default_template = "http-filter";
inline constexpr const char* k_default_platform = "envoy";
std::string default_platform_version(const std::string& platform);

}  // namespace ext::ops
