# `scripts/package` (cpack -G DEB in the build folder): a Debian package of what
# cmake/install.cmake installs. Depends come from dpkg-shlibdeps (the shared libraries the
# binary links, with the versions this machine's Debian has); the copyright file and the
# changelog sit where Debian policy 12.5 and 12.7 put them; lintian checks the result.
# cpack (and `make install`) must not rebuild everything, the test suite included:
# scripts/package builds the targets the package holds (ext, ext_share, ext_package_doc) first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "ext")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "ext maintainers <ext-maintainers@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "toolchain for Envoy proxy-wasm extensions")
# Extended description: lines of at most 80 characters (lintian).
set(CPACK_PACKAGE_DESCRIPTION
    "ext scaffolds, builds, validates, tests, packages and deploys proxy-wasm\n\
filters written in C++, Rust or AssemblyScript. It checks modules against\n\
the proxy-wasm ABI, runs them against HTTP fixtures in a built-in host,\n\
stores them as OCI artifacts, pushes and pulls them with any OCI registry,\n\
and writes the configuration for Envoy, Istio and Gloo.")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ext_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The toolchains ext drives are optional: a C++ filter needs clang and a WASI sysroot, a Rust one
# cargo, an AssemblyScript one npm. ext names what is missing when a build needs it.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "clang-14, lld-14, wasi-libc, libc++-14-dev-wasm32, libc++abi-14-dev-wasm32, \
libclang-rt-14-dev-wasm32, cargo, libstd-rust-dev-wasm32, npm, skopeo, kubernetes-client")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_INSTALL_DIRECTORY "/usr")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_SET_DESTDIR OFF)

# /usr/share/doc/ext: copyright (machine-readable format 1.0) and changelog.gz (a native
# package's changelog, Debian policy 12.7), both compressed or plain as lintian expects.
set(ext_pkg_doc "${CMAKE_BINARY_DIR}/package-doc")
file(MAKE_DIRECTORY "${ext_pkg_doc}")
configure_file("${PROJECT_SOURCE_DIR}/packaging/debian/copyright" "${ext_pkg_doc}/copyright"
               COPYONLY)
# The date: SOURCE_DATE_EPOCH when set (scripts/package sets the last commit's), else now.
string(TIMESTAMP ext_pkg_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file("${PROJECT_SOURCE_DIR}/packaging/debian/changelog.in" "${ext_pkg_doc}/changelog"
               @ONLY)
add_custom_command(
  OUTPUT "${ext_pkg_doc}/changelog.gz"
  COMMAND gzip -9nc "${ext_pkg_doc}/changelog" > "${ext_pkg_doc}/changelog.gz"
  DEPENDS "${ext_pkg_doc}/changelog"
  COMMENT "Compressing the package changelog")
add_custom_target(ext_package_doc ALL DEPENDS "${ext_pkg_doc}/changelog.gz")
install(FILES "${ext_pkg_doc}/copyright" "${ext_pkg_doc}/changelog.gz"
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

include(CPack)
