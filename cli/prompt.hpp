// ext::cli — reading answers from the terminal (ext init's questions, ext login's username and
// password).
#pragma once

#include <string>

namespace ext::cli {

// Prints `prompt` on stderr and reads one line from stdin (at most 64 KiB). Ctrl-C or SIGTERM
// while waiting ends it at once with Error(interrupted): the read is not restarted after the
// signal (main.cpp installs its handler with signal(), which restarts reads and so swallowed the
// first Ctrl-C). With echo == false and a terminal on stdin, echo is turned off before the
// prompt is printed (so nothing typed after it is shown; typed-ahead input is kept) and restored
// afterwards in every case. End of input before any character: Error(interrupted).
std::string read_terminal_line(const std::string& prompt = {}, bool echo = true);

}  // namespace ext::cli
