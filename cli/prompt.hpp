// ext::cli — reading answers from the terminal (ext init's questions, ext login's username and
// password).
#pragma once

#include <string>

namespace ext::cli {

// Reads one line from stdin (at most 64 KiB). Ctrl-C or SIGTERM while waiting ends it at once
// with Error(interrupted): the read is not restarted after the signal (main.cpp installs its
// handler with signal(), which restarts reads and so swallowed the first Ctrl-C). With
// echo == false and a terminal on stdin, what is typed is not shown (passwords); the terminal is
// restored afterwards in every case. End of input before any character: Error(interrupted).
std::string read_terminal_line(bool echo = true);

}  // namespace ext::cli
