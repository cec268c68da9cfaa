#include "support/fixture_compiler.hpp"

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/paths.hpp"

namespace ext::test {

std::string compile_c_fixture(const std::filesystem::path& src, const std::filesystem::path& out,
                              const std::vector<std::string>& flags,
                              const std::vector<std::filesystem::path>& include_dirs) {
  util::ProcessSpec spec;
  spec.argv = {"clang-14", "--target=wasm32-wasi", "-mexec-model=reactor", "-O2"};
  for (const auto& d : include_dirs) spec.argv.push_back("-I" + d.string());
  spec.argv.insert(spec.argv.end(), {"-o", out.string(), src.string()});
  spec.argv.insert(spec.argv.end(), flags.begin(), flags.end());
  util::SubprocessRunner runner{host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0)
    throw Error(Errc::toolchain,
                "clang-14 failed (" + util::shell_quote(spec.argv) + "): " + r.out + r.err);
  return util::read_file(out);
}

}  // namespace ext::test
