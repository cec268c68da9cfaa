# `cmake --install build [--prefix P]`: the binary, its shell completions and a man page, in the
# places Debian's tools look (bash-completion, zsh vendor-completions, fish vendor_completions.d).
# Completions and the man page are generated from the built binary's own command tree, so they
# cannot drift from the CLI.
include(GNUInstallDirs)

install(TARGETS ext RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(ext_gen "${CMAKE_BINARY_DIR}/share")
add_custom_command(
  OUTPUT "${ext_gen}/ext.bash" "${ext_gen}/_ext" "${ext_gen}/ext.fish"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${ext_gen}"
  COMMAND $<TARGET_FILE:ext> completion bash > "${ext_gen}/ext.bash"
  COMMAND $<TARGET_FILE:ext> completion zsh > "${ext_gen}/_ext"
  COMMAND $<TARGET_FILE:ext> completion fish > "${ext_gen}/ext.fish"
  DEPENDS ext
  COMMENT "Generating shell completions")
set(ext_share_outputs "${ext_gen}/ext.bash" "${ext_gen}/_ext" "${ext_gen}/ext.fish")

# help2man (Debian package help2man) turns `ext --help` / `ext --version` into ext.1, with a
# COMMANDS section holding every verb's `--help` (scripts/lib/man-include writes it).
find_program(HELP2MAN help2man)
if(HELP2MAN)
  add_custom_command(
    OUTPUT "${ext_gen}/ext.1.gz"
    COMMAND "${PROJECT_SOURCE_DIR}/scripts/lib/man-include" $<TARGET_FILE:ext> >
            "${ext_gen}/ext.h2m"
    COMMAND ${HELP2MAN} --no-info --name "toolchain for Envoy proxy-wasm extensions"
            --section 1 --include "${ext_gen}/ext.h2m" --output "${ext_gen}/ext.1"
            $<TARGET_FILE:ext>
    COMMAND gzip -9nf "${ext_gen}/ext.1"
    DEPENDS ext "${PROJECT_SOURCE_DIR}/scripts/lib/man-include"
    COMMENT "Generating the man page")
  list(APPEND ext_share_outputs "${ext_gen}/ext.1.gz")
  install(FILES "${ext_gen}/ext.1.gz" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (scripts/setup installs it)")
endif()
add_custom_target(ext_share ALL DEPENDS ${ext_share_outputs})

install(FILES "${ext_gen}/ext.bash" DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME ext)
install(FILES "${ext_gen}/_ext" DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES "${ext_gen}/ext.fish" DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
