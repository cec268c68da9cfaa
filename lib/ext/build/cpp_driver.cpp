#include "ext/build/cpp_driver.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "ext/build/build_stamp.hpp"
#include "ext/build/proxy_wasm_names.hpp"
#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"

namespace ext::build {

namespace fs = std::filesystem;

namespace {

bool is_source(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".cc" || ext == ".cpp" || ext == ".cxx" || ext == ".c";
}

// ext.yaml sources, or every C/C++ file under src/ when none are listed.
std::vector<std::string> sources_of(const BuildRequest& req) {
  const auto& b = req.project.build;
  std::vector<std::string> out = b.sources;
  if (out.empty()) {
    std::error_code ec;
    fs::path src = req.project_dir / "src";
    if (fs::is_directory(src, ec)) {
      for (auto it = fs::recursive_directory_iterator(src, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && is_source(it->path()))
          out.push_back(fs::relative(it->path(), req.project_dir, ec).generic_string());
    }
    std::sort(out.begin(), out.end());
  }
  if (out.empty())
    throw Error(Errc::not_found, "no C++ sources: ext.yaml lists none and src/ holds none",
                "list them in ext.yaml: build: {sources: [src/filter.cc]}");
  for (const auto& s : out) {
    std::error_code ec;
    fs::path p = fs::path(s).is_absolute() ? fs::path(s) : req.project_dir / s;
    if (!fs::is_regular_file(p, ec))
      throw Error(Errc::not_found, "source " + s + " (listed in ext.yaml) does not exist",
                  "fix build.sources in " + (req.project_dir / "ext.yaml").string());
  }
  return out;
}

// "src/filter.cc" -> "src_filter.cc.o"
std::string object_name(const std::string& source) {
  std::string o;
  for (char c : source) o += (c == '/' || c == '\\' || c == ':') ? '_' : c;
  while (!o.empty() && (o.front() == '.' || o.front() == '_')) o.erase(0, 1);
  return o + ".o";
}

void write_if_changed(const fs::path& path, const std::string& content) {
  try {
    if (util::read_file(path, 1 << 20) == content) return;
  } catch (const Error&) {
  }
  util::write_file_atomic(path, content);
}

}  // namespace

CppDriver::CppDriver(CppToolchainSearch search) : m_search(std::move(search)) {}

DriverInfo CppDriver::info() const {
  return {project::Language::cpp,
          "clang++ for wasm32-wasi with a WASI sysroot and libc++ (wasi-sdk, or Debian's clang-14)",
          "apt-get install clang-14 lld-14 wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 "
          "libclang-rt-14-dev-wasm32   (or set WASI_SDK_PATH to a wasi-sdk)"};
}

ToolchainStatus CppDriver::detect(util::ProcessRunner&) const {
  auto tc = find_cpp_toolchain(m_search);
  if (!tc) return {false, tc.error().message(), tc.error().hint()};
  return {true, tc->description, ""};
}

fs::path CppDriver::output_path(const BuildRequest& req) const {
  return output_or(req, build_dir(req) / (req.project.name + ".wasm"));
}

BuildOutput CppDriver::build(const BuildRequest& req) {
  const auto& b = req.project.build;
  auto toolchain = find_cpp_toolchain(m_search).value();
  auto sources = sources_of(req);

  const std::string profile = profile_name(req.release);
  const fs::path out_rel = fs::path("build") / profile;  // relative to the project
  const fs::path out_dir = req.project_dir / out_rel;
  fs::path module_rel =
      b.output.empty() ? out_rel / (req.project.name + ".wasm") : fs::path(b.output);
  fs::path module = output_path(req);

  std::vector<std::string> include_dirs = b.include_dirs;
  std::error_code ec;
  if (include_dirs.empty() && fs::is_directory(req.project_dir / "sdk", ec))
    include_dirs.push_back("sdk");

  std::vector<std::string> common = {toolchain.cxx.string(), "--target=wasm32-wasi"};
  if (toolchain.sysroot) common.push_back("--sysroot=" + toolchain.sysroot->string());

  // The link script: exports and allowed imports (a response file keeps -v readable).
  const fs::path imports_rel = out_rel / "proxy-wasm.imports";
  const fs::path script_rel = out_rel / "proxy-wasm.link";
  std::string imports;
  for (auto name : proxy_wasm_host_functions()) imports += std::string(name) + "\n";
  std::string script = "--export=malloc\n";
  for (auto name : proxy_wasm_exports())
    script += "--export-if-defined=" + std::string(name) + "\n";
  for (const auto& e : b.exports) script += "--export=" + e + "\n";
  script += "--allow-undefined-file=" + imports_rel.string() + "\n";

  BuildOutput out;
  out.module = module;
  out.toolchain = toolchain.description;

  auto stamp_file = stamp_path(req);
  auto stamp = req.dry_run ? BuildStamp{} : BuildStamp::load(stamp_file);
  if (!req.dry_run) {
    fs::create_directories(out_dir / "obj");
    if (!module.parent_path().empty()) fs::create_directories(module.parent_path());
    write_if_changed(req.project_dir / imports_rel, imports);
    write_if_changed(req.project_dir / script_rel, script);
  }

  auto run = [&](const std::vector<std::string>& argv, const std::string& what) {
    auto quoted = util::shell_quote(argv);
    out.commands.push_back(quoted);
    if (req.reporter) req.reporter->debug(1, "$ " + quoted);
    if (req.dry_run) return;
    util::ProcessSpec spec;
    spec.argv = argv;
    spec.cwd = req.project_dir;
    auto r = req.runner->run(spec);
    if (r.exit_code != 0)
      throw Error(Errc::toolchain,
                  what + " failed (" + toolchain.cxx.filename().string() + " exited with " +
                      std::to_string(r.exit_code) + "):\n" + shown_output(r),
                  "fix the error above and run `ext build` again");
    auto shown = shown_output(r);
    if (!shown.empty() && req.reporter) req.reporter->info(shown);  // compiler warnings
  };

  // Compile each source that is not fresh; several at once (one per core), like make -j.
  struct Job {
    std::string src, obj, dep, key;
    std::vector<std::string> argv;
  };
  std::vector<std::string> objects;
  std::vector<Job> jobs;
  for (const auto& src : sources) {
    auto obj = (out_rel / "obj" / object_name(src)).string();
    auto dep = obj.substr(0, obj.size() - 2) + ".d";
    std::vector<std::string> argv = common;
    argv.push_back("-std=" + (b.std.empty() ? std::string("c++17") : b.std));
    if (fs::path(src).extension() == ".c") argv.back() = "-std=c11";
    if (req.release) {
      argv.insert(argv.end(), {"-O2", "-DNDEBUG"});
    } else {
      argv.insert(argv.end(), {"-O0", "-g"});
    }
    argv.push_back("-fno-exceptions");
    for (const auto& d : include_dirs) argv.push_back("-I" + d);
    for (const auto& d : b.defines) argv.push_back("-D" + d);
    // The official proxy-wasm-cpp-sdk's proxy_wasm_intrinsics.cc uses errno without including
    // <errno.h> (Emscripten's headers bring it in; wasi-libc's do not).
    if (fs::path(src).filename() == "proxy_wasm_intrinsics.cc")
      argv.insert(argv.end(), {"-include", "errno.h"});
    argv.insert(argv.end(), b.flags.begin(), b.flags.end());
    argv.insert(argv.end(), req.extra_args.begin(), req.extra_args.end());
    argv.insert(argv.end(), {"-MD", "-MF", dep, "-c", src, "-o", obj});
    objects.push_back(obj);

    auto key = hash_hex(util::join(argv, "\x1f") + "\x1e" + toolchain.identity);
    if (!req.dry_run && stamp.fresh(obj, key, req.project_dir) &&
        fs::exists(req.project_dir / obj, ec))
      continue;
    stamp.forget(obj);
    jobs.push_back({src, obj, dep, key, std::move(argv)});
  }
  for (const auto& job : jobs) {
    auto quoted = util::shell_quote(job.argv);
    out.commands.push_back(quoted);
    if (req.reporter) req.reporter->debug(1, "$ " + quoted);
  }
  bool any_compiled = !jobs.empty();
  if (!req.dry_run && !jobs.empty()) {
    std::vector<util::ProcessResult> results(jobs.size());
    std::vector<std::exception_ptr> errors(jobs.size());
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
      for (size_t i; !failed && (i = next++) < jobs.size();) {
        try {
          util::ProcessSpec spec;
          spec.argv = jobs[i].argv;
          spec.cwd = req.project_dir;
          results[i] = req.runner->run(spec);
          if (results[i].exit_code != 0) failed = true;
        } catch (...) {
          errors[i] = std::current_exception();
          failed = true;
        }
      }
    };
    size_t workers =
        std::min<size_t>(jobs.size(), std::max(1u, std::thread::hardware_concurrency()));
    {
      std::vector<std::jthread> pool;
      for (size_t w = 1; w < workers; ++w) pool.emplace_back(work);
      work();
    }  // joined
    // Record every object that compiled (kept even if another failed), then report the first
    // failure in source order.
    std::exception_ptr first_error;
    for (size_t i = 0; i < jobs.size(); ++i) {
      const auto& job = jobs[i];
      if (errors[i] || results[i].exit_code != 0) {
        if (!first_error && errors[i]) first_error = errors[i];
        if (!first_error && results[i].exit_code > 0)
          first_error = std::make_exception_ptr(
              Error(Errc::toolchain,
                    "compiling " + job.src + " failed (" + toolchain.cxx.filename().string() +
                        " exited with " + std::to_string(results[i].exit_code) + "):\n" +
                        shown_output(results[i]),
                    "fix the error above and run `ext build` again"));
        continue;
      }
      auto shown = shown_output(results[i]);
      if (!shown.empty() && req.reporter) req.reporter->info(shown);  // compiler warnings
      std::vector<std::string> inputs;
      try {
        inputs = parse_depfile(util::read_file(req.project_dir / job.dep, 16u << 20));
      } catch (const Error&) {
        inputs = {job.src};  // no depfile: at least the source itself
      }
      inputs.push_back(job.obj);
      stamp.record(job.obj, job.key, inputs, req.project_dir);
    }
    stamp.save(stamp_file);
    if (first_error) std::rethrow_exception(first_error);
  }

  // Link.
  std::vector<std::string> argv = common;
  argv.push_back(req.release ? "-O2" : "-O0");
  argv.insert(argv.end(), {"-mexec-model=reactor", "-fno-exceptions"});
  argv.insert(argv.end(), objects.begin(), objects.end());
  argv.push_back("-Wl,@" + script_rel.string());
  if (req.release) argv.push_back("-Wl,--strip-all");
  argv.insert(argv.end(), b.link_flags.begin(), b.link_flags.end());
  argv.insert(argv.end(), {"-o", module_rel.string()});
  auto link_key =
      hash_hex(util::join(argv, "\x1f") + "\x1e" + toolchain.identity + "\x1e" + script + imports);
  const std::string link_unit = "link";
  if (!req.dry_run && !any_compiled && stamp.fresh(link_unit, link_key, req.project_dir)) {
    out.up_to_date = true;
    return out;
  }
  stamp.forget(link_unit);
  run(argv, "linking " + module_rel.string());
  if (req.dry_run) return out;
  std::vector<std::string> link_inputs = objects;
  link_inputs.push_back(module_rel.string());
  stamp.record(link_unit, link_key, link_inputs, req.project_dir);
  stamp.save(stamp_file);
  return out;
}

}  // namespace ext::build
