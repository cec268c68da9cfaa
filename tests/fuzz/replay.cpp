// ext_fuzz_replay TARGET DIR: runs every file of DIR through the fuzz entry point TARGET (the
// same functions the libFuzzer binaries call), so CTest checks the committed corpus, and every
// crash once found stays fixed, in the normal build.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "ext/core/error.hpp"
#include "fuzz.hpp"

namespace ext::fuzz {

std::map<std::string, Entry>& targets() {
  static std::map<std::string, Entry> t;
  return t;
}

bool register_target(const char* name, Entry entry) {
  targets()[name] = entry;
  return true;
}

}  // namespace ext::fuzz

int main(int argc, char** argv) {
  auto& targets = ext::fuzz::targets();
  if (argc != 3 || !targets.count(argv[1])) {
    std::cerr << "usage: ext_fuzz_replay TARGET DIR   (targets:";
    for (const auto& [name, e] : targets) std::cerr << " " << name;
    std::cerr << ")\n";
    return 2;
  }
  auto entry = targets[argv[1]];
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(argv[2]))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "ext_fuzz_replay: no corpus files in " << argv[2] << "\n";
    return 1;
  }
  int failures = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const ext::Error&) {
      // An expected refusal that a target did not catch itself.
    } catch (const std::exception& e) {
      std::cerr << f.string() << ": unexpected exception: " << e.what() << "\n";
      ++failures;
    }
  }
  std::cout << argv[1] << ": " << files.size() << " inputs, " << failures << " failures\n";
  return failures ? 1 : 0;
}
