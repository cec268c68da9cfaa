// ext::deploy — Kubernetes helpers: object-name rules and the kubectl invocations deploy and
// undeploy make (apply/replace with the YAML on stdin, get -o json, delete by label), all
// through util::ProcessRunner.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/deploy/yaml.hpp"
#include "ext/util/process.hpp"

namespace ext::deploy {

// Labels deploy puts on what it creates, so undeploy deletes exactly that.
inline constexpr const char* k_managed_by_label = "app.kubernetes.io/managed-by";
inline constexpr const char* k_managed_by_value = "ext";
inline constexpr const char* k_deployment_label = "ext.dev/deployment";

// A DNS-1123 subdomain (lowercase alphanumerics, '-', '.', starting and ending alphanumeric),
// at most 63 characters so the name also fits the ext.dev/deployment label value.
Result<void> validate_kube_name(std::string_view name, std::string_view what = "name");

// The labels every object ext creates carries.
Json managed_labels(const std::string& deployment);

struct KubectlOptions {
  std::string program = "kubectl";  // --kubectl PATH
  std::string context;              // --context
};

class Kubectl {
 public:
  Kubectl(util::ProcessRunner& runner, KubectlOptions opts);

  // `kubectl apply -f -` with the YAML on stdin; Error(failed) with kubectl's stderr.
  std::string apply(const std::string& yaml);
  // `kubectl replace -f -` (get-modify-replace keeps the resourceVersion check).
  std::string replace(const std::string& yaml);
  // `kubectl get KIND NAME [-n NS] -o json`; Error(not_found) when absent.
  Json get(const std::string& kind, const std::string& name, const std::string& ns);
  // `kubectl delete KIND [-n NS] -l SELECTOR --ignore-not-found`; false when the cluster has
  // no such resource type (the CRD is not installed), true otherwise.
  bool delete_by_label(const std::string& kind, const std::string& ns, const std::string& selector,
                       std::string* out = nullptr);

  // Every argv run so far, for --dry-run style reporting and tests.
  const std::vector<std::vector<std::string>>& commands() const { return m_commands; }

 private:
  util::ProcessResult run(std::vector<std::string> args, std::optional<std::string> in);
  std::vector<std::string> base() const;

  util::ProcessRunner& m_runner;
  KubectlOptions m_opts;
  std::vector<std::vector<std::string>> m_commands;
};

}  // namespace ext::deploy
