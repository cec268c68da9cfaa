# CTest starts the tests with the highest COST first when it has no timings of its own, which
# is every CI run (a fresh build). Without this the longest tests, defined late, started late
# and the run ended with one of them alone on the machine. The figures are the seconds each
# took in a clean-clone `.ci/run` on the 2-core CI machine; a test of 6.5 s or more is listed.
# Each name must be a Catch test name exactly: tests/unit/test_names_test.cpp checks them
# (CTest silently ignores a name it does not know).
set_tests_properties([=[AssemblyScript template: init, build with npm ci + asc, validate, package, ext test]=] PROPERTIES COST 52)
set_tests_properties([=[ext test on the C++ templates and the Rust fixture]=] PROPERTIES COST 40)
set_tests_properties([=[e2e hub in a browser: search, README, deploy YAML, and without JavaScript]=] PROPERTIES COST 27)
set_tests_properties([=[CppDriver builds the examples with clang, rebuilds only what changed]=] PROPERTIES COST 22)
set_tests_properties([=[e2e hub --allow-apply: a confirmation naming the context and namespace, then kubectl apply]=] PROPERTIES COST 20)
set_tests_properties([=[store: processes killed mid index.json write leave a readable store]=] PROPERTIES COST 19)
set_tests_properties([=[search across two registries (one with token auth), with the cache, filters, an unreachable registry and a catalog that lists an empty repository]=] PROPERTIES COST 16)
set_tests_properties([=[e2e io: SIGTERM during an import and prune after kill -9 leave no scratch directory]=] PROPERTIES COST 16)
set_tests_properties([=[completion in a real bash: verbs, values, references, files]=] PROPERTIES COST 15)
set_tests_properties([=[e2e hub: catalog, filter, versions and deploy over the API, and a registry that goes away]=] PROPERTIES COST 14)
set_tests_properties([=[every verb's --json output validates against docs/schema]=] PROPERTIES COST 12)
set_tests_properties([=[completion in a real zsh: verbs, values, references, files]=] PROPERTIES COST 12)
set_tests_properties([=[e2e store: an ext killed while importing leaves a store every command reads]=] PROPERTIES COST 12)
set_tests_properties([=[RustDriver builds the dependency-free fixture with the machine's toolchain]=] PROPERTIES COST 11)
set_tests_properties([=[e2e hub --repo: a registry whose catalog API is refused is served through the repositories named]=] PROPERTIES COST 11)
set_tests_properties([=[copy an image and its referrers between two registries (one with token auth), and within one by mount]=] PROPERTIES COST 11)
set_tests_properties([=[push adds the README as a referrer, attach and discover, read back by skopeo and the referrers tag]=] PROPERTIES COST 10)
set_tests_properties([=[completion in a real fish: verbs, values, references, files]=] PROPERTIES COST 10)
set_tests_properties([=[e2e store: two ext processes tagging at once lose no entry]=] PROPERTIES COST 9)
set_tests_properties([=[ext build: init, compile, validate, package, no-op rebuild, dry run]=] PROPERTIES COST 8)
set_tests_properties([=[ext.yaml: aliased sections and very many keys]=] PROPERTIES COST 8)
set_tests_properties([=[RustDriver: cargo runs online unless --offline, build.offline or CARGO_NET_OFFLINE]=] PROPERTIES COST 8)
set_tests_properties([=[ext build without -t or image: packages under ext.yaml's name and version, and says so]=] PROPERTIES COST 7)
set_tests_properties([=[ext build: the network template and a custom command]=] PROPERTIES COST 7)
