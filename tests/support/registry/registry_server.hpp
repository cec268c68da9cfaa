// Test support: real registries on loopback for the registry, auth and e2e tests.
//  - RegistryServer: Debian's docker-registry (/usr/bin/docker-registry) with a config written to
//    a temp dir, in three modes: plain HTTP; TLS (CA generated with the openssl CLI) + htpasswd
//    Basic auth (htpasswd -B); token auth against token_server.py (scoped RS256 JWTs).
//  - FaultProxy: fault_proxy.py in front of a registry.
// Every process binds 127.0.0.1 on a port picked at start, gets SIGKILL if the test binary dies
// (PR_SET_PDEATHSIG), has a bounded lifetime, and is stopped by the destructor.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ext/util/files.hpp"
#include "support/paths.hpp"

namespace ext::test {

// A child process with stdout on a pipe.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& log_file);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  // Reads stdout until a line starting with `prefix`; returns the rest of that line.
  std::string wait_line(const std::string& prefix, int timeout_ms);
  bool alive();
  void stop();
  pid_t pid() const { return m_pid; }

 private:
  pid_t m_pid = -1;
  int m_out = -1;
  std::string m_pending;
};

// Waits until 127.0.0.1:port accepts connections.
bool wait_port(int port, int timeout_ms);

std::filesystem::path registry_support_dir();  // tests/support/registry

class RegistryServer {
 public:
  enum class Mode { plain, tls_basic, token };
  explicit RegistryServer(Mode mode);
  ~RegistryServer();

  Mode mode() const { return m_mode; }
  std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }
  int port() const { return m_port; }
  std::string base_url() const;
  const std::filesystem::path& ca_file() const { return m_ca; }  // tls_basic
  std::string token_url() const;                                 // token: the realm's base
  const std::filesystem::path& dir() const { return m_tmp.path(); }
  static constexpr const char* k_user = "alice";
  static constexpr const char* k_password = "wonderland-s3cret-pw";

 private:
  Mode m_mode;
  util::TempDir m_tmp{"ext-registry-"};
  int m_port = 0;
  int m_token_port = 0;
  std::filesystem::path m_ca;
  std::unique_ptr<Background> m_token;
  std::unique_ptr<Background> m_registry;
};

// One registry per mode per test run, started on first use, stopped at exit.
RegistryServer& shared_registry(RegistryServer::Mode mode);

class FaultProxy {
 public:
  explicit FaultProxy(const std::string& upstream_host, double stall_seconds = 4.0);
  std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }
  // Arms faults for the next requests whose "METHOD path" matches `match` (a regex).
  void arm(const std::string& match, const std::vector<std::string>& faults);
  void clear() { arm(".", {}); }
  // Faults not yet used.
  std::vector<std::string> pending();
  // "METHOD path" of every request seen since the last arm().
  std::vector<std::string> requests();
  // The most requests the proxy was forwarding at once since the last arm().
  int max_in_flight();

 private:
  std::string control(const std::string& method, const std::string& body);
  util::TempDir m_tmp{"ext-proxy-"};
  int m_port = 0;
  std::unique_ptr<Background> m_proc;
};

// Runs a command to completion; throws with its stderr on failure.
std::string run_checked(const std::vector<std::string>& argv,
                        const std::map<std::string, std::string>& env = {});

}  // namespace ext::test
