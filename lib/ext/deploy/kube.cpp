#include "ext/deploy/kube.hpp"

#include "ext/util/strings.hpp"

namespace ext::deploy {

namespace {
bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string first_line(std::string_view s) {
  auto t = util::trim(s);
  auto nl = t.find('\n');
  return std::string(nl == std::string_view::npos ? t : t.substr(0, nl));
}
}  // namespace

Result<void> validate_kube_name(std::string_view name, std::string_view what) {
  std::string w(what);
  auto bad = [&](const std::string& why) {
    return fail(Errc::invalid_argument,
                w + " \"" + std::string(name) + "\" is not a valid Kubernetes name: " + why,
                "use lowercase letters, digits and '-' (e.g. add-header), at most 63 characters");
  };
  if (name.empty()) return bad("it is empty");
  if (name.size() > 63) return bad("longer than 63 characters");
  if (!is_lower_alnum(name.front()) || !is_lower_alnum(name.back()))
    return bad("it must start and end with a lowercase letter or digit");
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (is_lower_alnum(c) || c == '-') continue;
    if (c == '.') {
      if (name[i - 1] == '.' || name[i - 1] == '-' || name[i + 1] == '-')
        return bad("each dot-separated part must start and end alphanumeric");
      continue;
    }
    return bad(std::string("character '") + c + "' is not allowed");
  }
  return {};
}

namespace {
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63: a label value or a key's name part.
std::string label_name_problem(std::string_view s) {
  if (s.size() > 63) return "longer than 63 characters";
  if (s.empty()) return "it is empty";
  if (!is_alnum(s.front()) || !is_alnum(s.back()))
    return "it must start and end with a letter or digit";
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
      return std::string("character '") + c + "' is not allowed";
  return {};
}
}  // namespace

Result<void> validate_kube_namespace(std::string_view ns, std::string_view what) {
  auto r = validate_kube_name(ns, what);
  if (!r) return r;
  if (ns.find('.') != std::string_view::npos)
    return fail(Errc::invalid_argument,
                std::string(what) + " \"" + std::string(ns) +
                    "\" is not a valid namespace: a DNS-1123 label has no dots",
                "use lowercase letters, digits and '-', at most 63 characters");
  return {};
}

Result<void> validate_label(std::string_view key, std::string_view value, std::string_view what) {
  std::string shown = std::string(key.substr(0, 80)) + "=" + std::string(value.substr(0, 80));
  auto bad = [&](const std::string& part, const std::string& why) {
    return fail(Errc::invalid_argument,
                std::string(what) + " " + shown + ": the label " + part + " is invalid: " + why,
                "label keys are [prefix/]name and values at most 63 letters, digits, '-', '_' "
                "or '.', starting and ending with a letter or digit");
  };
  std::string_view name = key;
  auto slash = key.find('/');
  if (slash != std::string_view::npos) {
    auto prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 253) return bad("key prefix", "empty or over 253");
    auto p = validate_kube_name(prefix.size() > 63 ? prefix.substr(0, 63) : prefix, "prefix");
    if (!p) return bad("key prefix", "not a DNS subdomain");
  }
  if (auto why = label_name_problem(name); !why.empty()) return bad("key", why);
  if (!value.empty())
    if (auto why = label_name_problem(value); !why.empty()) return bad("value", why);
  return {};
}

Json managed_labels(const std::string& deployment) {
  Json l = Json::object();
  l[k_managed_by_label] = k_managed_by_value;
  l[k_deployment_label] = deployment;
  return l;
}

Kubectl::Kubectl(util::ProcessRunner& runner, KubectlOptions opts)
    : m_runner(runner), m_opts(std::move(opts)) {
  if (m_opts.program.empty()) m_opts.program = "kubectl";
}

std::vector<std::string> Kubectl::base() const {
  std::vector<std::string> argv{m_opts.program};
  if (!m_opts.context.empty()) {
    argv.push_back("--context");
    argv.push_back(m_opts.context);
  }
  return argv;
}

util::ProcessResult Kubectl::run(std::vector<std::string> args, std::optional<std::string> in) {
  auto argv = base();
  argv.insert(argv.end(), args.begin(), args.end());
  m_commands.push_back(argv);
  util::ProcessSpec spec;
  spec.argv = argv;
  spec.stdin_data = std::move(in);
  try {
    return m_runner.run(spec);
  } catch (const Error& e) {
    if (e.code() == Errc::not_found)
      throw Error(Errc::not_found, "kubectl not found: " + m_opts.program,
                  "install kubectl, pass --kubectl PATH, or write the YAML with -f and apply it "
                  "yourself");
    throw;
  }
}

std::string Kubectl::apply(const std::string& yaml) {
  auto r = run({"apply", "-f", "-"}, yaml);
  if (r.exit_code != 0)
    throw Error(Errc::failed, "kubectl apply failed (exit " + std::to_string(r.exit_code) +
                                  "): " + first_line(r.err.empty() ? r.out : r.err));
  return r.out;
}

std::string Kubectl::replace(const std::string& yaml) {
  auto r = run({"replace", "-f", "-"}, yaml);
  if (r.exit_code != 0)
    throw Error(Errc::failed, "kubectl replace failed (exit " + std::to_string(r.exit_code) +
                                  "): " + first_line(r.err.empty() ? r.out : r.err));
  return r.out;
}

Json Kubectl::get(const std::string& kind, const std::string& name, const std::string& ns) {
  std::vector<std::string> args{"get", kind, name};
  if (!ns.empty()) {
    args.push_back("-n");
    args.push_back(ns);
  }
  args.push_back("-o");
  args.push_back("json");
  auto r = run(args, std::nullopt);
  if (r.exit_code != 0) {
    auto msg = first_line(r.err.empty() ? r.out : r.err);
    Errc code =
        msg.find("NotFound") != std::string::npos || msg.find("not found") != std::string::npos
            ? Errc::not_found
            : Errc::failed;
    throw Error(code, "kubectl get " + kind + " " + name + " failed: " + msg);
  }
  try {
    return Json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    throw Error(Errc::parse, "kubectl get " + kind + " " + name + ": output is not JSON");
  }
}

bool Kubectl::delete_by_label(const std::string& kind, const std::string& ns,
                              const std::string& selector, std::string* out) {
  std::vector<std::string> args{"delete", kind};
  if (!ns.empty()) {
    args.push_back("-n");
    args.push_back(ns);
  }
  args.push_back("-l");
  args.push_back(selector);
  args.push_back("--ignore-not-found");
  auto r = run(args, std::nullopt);
  if (r.exit_code != 0) {
    auto msg = first_line(r.err.empty() ? r.out : r.err);
    if (msg.find("doesn't have a resource type") != std::string::npos) return false;
    throw Error(Errc::failed, "kubectl delete " + kind + " failed (exit " +
                                  std::to_string(r.exit_code) + "): " + msg);
  }
  if (out) *out += r.out;
  return true;
}

std::vector<Json> Kubectl::list(const std::string& kind, const std::string& ns,
                                const std::string& selector) {
  std::vector<std::string> args{"get", kind};
  if (!ns.empty()) args.insert(args.end(), {"-n", ns});
  args.insert(args.end(), {"-l", selector, "-o", "json"});
  auto r = run(args, std::nullopt);
  if (r.exit_code != 0) {
    auto msg = first_line(r.err.empty() ? r.out : r.err);
    if (msg.find("doesn't have a resource type") != std::string::npos) return {};
    throw Error(Errc::failed, "kubectl get " + kind + " failed: " + msg);
  }
  auto j = Json::parse(r.out, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error(Errc::parse, "kubectl get " + kind + ": output is not a JSON List");
  std::vector<Json> items;
  if (j.contains("items") && j["items"].is_array())
    for (auto& i : j["items"]) items.push_back(i);
  else if (j.contains("kind") && j.contains("metadata"))
    items.push_back(j);  // a single object
  return items;
}

void Kubectl::delete_named(const std::string& kind, const std::string& name,
                           const std::string& ns) {
  std::vector<std::string> args{"delete", kind, name};
  if (!ns.empty()) args.insert(args.end(), {"-n", ns});
  args.push_back("--ignore-not-found");
  auto r = run(args, std::nullopt);
  if (r.exit_code != 0)
    throw Error(Errc::failed, "kubectl delete " + kind + " " + name +
                                  " failed: " + first_line(r.err.empty() ? r.out : r.err));
}

void Kubectl::annotate(const std::string& kind, const std::string& name, const std::string& ns,
                       const std::string& key, const std::string& value) {
  std::vector<std::string> args{"annotate", kind, name};
  if (!ns.empty()) args.insert(args.end(), {"-n", ns});
  args.insert(args.end(), {key + "=" + value, "--overwrite"});
  auto r = run(args, std::nullopt);
  if (r.exit_code != 0)
    throw Error(Errc::failed, "kubectl annotate " + kind + " " + name +
                                  " failed: " + first_line(r.err.empty() ? r.out : r.err));
}

}  // namespace ext::deploy
