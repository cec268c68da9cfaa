// ext::ref — Docker/OCI image references: grammar, docker.io normalization, tags and digests
// (after distribution/reference @0965666: reference.go, regexp.go, normalize.go).
// Owns: parsing and canonical forms. Must not do I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ext/core/result.hpp"
#include "ext/digest/digest.hpp"

namespace ext::ref {

class Reference {
 public:
  Reference() = default;
  // Parses and normalizes: "ubuntu" -> docker.io/library/ubuntu:latest; "index.docker.io" ->
  // "docker.io"; default tag "latest" when neither tag nor digest is given. With both a tag
  // and a digest, both are kept and the digest is what identifier() returns.
  static Result<Reference> parse(std::string_view text);

  const std::string& registry() const { return m_registry; }      // "docker.io", "[::1]:5000"
  const std::string& repository() const { return m_repository; }  // "library/ubuntu"
  const std::string& tag() const { return m_tag; }                // may be empty with a digest
  const std::optional<digest::Digest>& digest() const { return m_digest; }

  std::string name() const { return m_registry + "/" + m_repository; }
  // Canonical full form: registry/repository[:tag][@digest].
  std::string to_string() const;
  // What the manifests endpoint takes: the digest when there is one, else the tag.
  std::string identifier() const;
  // Host (and port) to talk to: docker.io -> registry-1.docker.io.
  std::string endpoint_host() const;
  // True for localhost, 127.0.0.0/8 and ::1 (plain HTTP by default).
  bool is_loopback() const;

  Reference with_tag(std::string tag) const;      // drops the digest
  Reference with_digest(digest::Digest d) const;  // keeps the tag
  Reference without_tag_or_digest() const;

  bool operator==(const Reference&) const = default;

 private:
  std::string m_registry;
  std::string m_repository;
  std::string m_tag;
  std::optional<digest::Digest> m_digest;
};

}  // namespace ext::ref
