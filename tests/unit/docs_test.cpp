// The README and docs/ point only at things that exist: every relative link, every `path` of
// the repository they name in backticks, the walkthrough recording; and none of the known stale
// pointers (a formats document outside docs/, `skopeo inspect oci:` without --raw, which skopeo 1.9
// refuses for ext's artifacts).
#include <catch2/catch.hpp>

#include "ext/util/files.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> documents() {
  auto root = ext::test::source_dir();
  std::vector<fs::path> out = {root / "README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs"))
    if (e.path().extension() == ".md") out.push_back(e.path());
  return out;
}

bool exists_in_repo(const std::string& p) {
  auto root = ext::test::source_dir();
  // A path inside a generated project (tests/filter.test.yaml) is one of the templates'.
  return fs::exists(root / p) || fs::exists(root / "templates/cpp/http-filter" / p);
}

}  // namespace

TEST_CASE("README and docs/: relative links and backticked repository paths exist", "[docs]") {
  for (const auto& doc : documents()) {
    auto text = ext::util::read_file(doc);
    // [text](target)
    for (size_t at = text.find("]("); at != std::string::npos; at = text.find("](", at + 2)) {
      auto end = text.find(')', at);
      if (end == std::string::npos) break;
      std::string target = text.substr(at + 2, end - at - 2);
      if (target.empty() || target.find(' ') != std::string::npos || target.rfind("http", 0) == 0 ||
          target[0] == '#' || target.rfind("mailto:", 0) == 0)
        continue;
      target = target.substr(0, target.find('#'));
      INFO(doc.string() << ": link " << target);
      CHECK(fs::exists(doc.parent_path() / target));
    }
    // `docs/x.md`, `scripts/package`, `lib/ext/project/project_file.cpp` ...
    for (size_t open = text.find('`'); open != std::string::npos;) {
      auto close = text.find('`', open + 1);
      if (close == std::string::npos) break;
      std::string code = text.substr(open + 1, close - open - 1);
      open = text.find('`', close + 1);
      bool repo_path = false;
      for (const char* top : {"docs/", "scripts/", "lib/", "tests/", "cmake/", "packaging/",
                              "templates/", "examples/", "cli/"})
        if (code.rfind(top, 0) == 0) repo_path = true;
      if (!repo_path || code.find_first_of(" *<>{}$") != std::string::npos ||
          code.find("...") != std::string::npos || code.find("\xE2\x80\xA6") != std::string::npos)
        continue;
      while (!code.empty() && std::string(".,:;)").find(code.back()) != std::string::npos)
        code.pop_back();
      INFO(doc.string() << ": `" << code << "`");
      CHECK(exists_in_repo(code));
    }
  }
}

// The name of a document that never existed in the repository, built so this file does not
// contain it.
const std::string k_gone_doc = std::string("FORMATS") + ".md";

TEST_CASE(
    "no pointer to a formats document outside docs/, and skopeo inspect of the store uses --raw",
    "[docs]") {
  auto root = ext::test::source_dir();
  std::vector<fs::path> files = documents();
  for (const char* dir : {"templates", "examples", "scripts"})
    for (const auto& e : fs::recursive_directory_iterator(root / dir))
      if (e.is_regular_file() && e.file_size() < (1 << 20)) files.push_back(e.path());
  for (const auto& f : files) {
    auto text = ext::util::read_file(f);
    INFO(f.string());
    CHECK(text.find(k_gone_doc) == std::string::npos);
    CHECK(text.find("skopeo inspect oci:") == std::string::npos);
  }
}

TEST_CASE("README shows the walkthrough recording, made from the five commands", "[docs][record]") {
  auto root = ext::test::source_dir();
  auto readme = ext::util::read_file(root / "README.md");
  CHECK(readme.find("](docs/assets/walkthrough.svg)") != std::string::npos);
  REQUIRE(fs::exists(root / "docs/assets/walkthrough.svg"));
  auto svg = ext::util::read_file(root / "docs/assets/walkthrough.svg");
  CHECK(svg.rfind("<svg", 0) == 0);
  // Every command of the README's block was typed and run (scripts/record).
  for (const char* command :
       {"ext init add-header --language cpp --template http-filter", "cd add-header",
        "ext build -t ", "ext test", "ext push ", "ext deploy istio "}) {
    INFO(command);
    CHECK(readme.find(command) != std::string::npos);
    CHECK(svg.find(command) != std::string::npos);
  }
  CHECK(svg.find("passed") != std::string::npos);  // ext test's summary, from the real run
}
