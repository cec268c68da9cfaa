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
// A pull Secret may serve several deployments: it carries this label (so undeploy can find it)
// and the deployments using it in an annotation, and is deleted only with its last user.
inline constexpr const char* k_pull_secret_label = "ext.dev/pull-secret";
inline constexpr const char* k_used_by_annotation = "ext.dev/used-by";

// A DNS-1123 subdomain (lowercase alphanumerics, '-', '.', starting and ending alphanumeric),
// at most 63 characters so the name also fits the ext.dev/deployment label value.
Result<void> validate_kube_name(std::string_view name, std::string_view what = "name");

// A namespace: a DNS-1123 label (lowercase alphanumerics and '-', at most 63, no dots).
Result<void> validate_kube_namespace(std::string_view ns, std::string_view what = "--namespace");
// A label KEY=VALUE as the API server checks it (k8s.io/apimachinery
// pkg/util/validation/validation.go: IsQualifiedName for the key: optional DNS-1123 subdomain
// prefix of at most 253 and '/', then a name of at most 63 of [A-Za-z0-9-_.] starting and ending
// alphanumeric; IsValidLabelValue: empty or the same form, at most 63).
Result<void> validate_label(std::string_view key, std::string_view value, std::string_view what);

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

  // `kubectl get KIND [-n NS] -l SELECTOR -o json`: the List's items (empty when the cluster
  // has none, or no such resource type).
  std::vector<Json> list(const std::string& kind, const std::string& ns,
                         const std::string& selector);
  // `kubectl delete KIND NAME [-n NS] --ignore-not-found`.
  void delete_named(const std::string& kind, const std::string& name, const std::string& ns);
  // `kubectl annotate KIND NAME [-n NS] KEY=VALUE --overwrite`.
  void annotate(const std::string& kind, const std::string& name, const std::string& ns,
                const std::string& key, const std::string& value);

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
