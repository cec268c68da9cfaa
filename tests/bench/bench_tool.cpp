// ext_bench_tool: measures library pieces that have no verb of their own, for scripts/bench.
//   ext_bench_tool sha256 FILE     prints the sha256 hex of FILE (streamed, as the store does)
#include <cstring>
#include <iostream>

#include "ext/core/error.hpp"
#include "ext/digest/digest.hpp"

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::strcmp(argv[1], "sha256") == 0) {
      std::cout << ext::digest::sha256_file(argv[2]).hex() << "  " << argv[2] << "\n";
      return 0;
    }
    std::cerr << "usage: ext_bench_tool sha256 FILE\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ext_bench_tool: " << e.what() << "\n";
    return 1;
  }
}
