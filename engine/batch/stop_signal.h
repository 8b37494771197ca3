// A clean stop on SIGINT or SIGTERM: the first signal asks the batch to stop after the chunk
// it is running (run_batch throws BatchStopped between chunks, before any results file is
// written); a second one ends the process at once. Either way no results file appears under
// its final name unless it is complete: results are written to a hidden temporary file and
// renamed (engine/io/results_writer.h), and the second signal removes that temporary file.
#pragma once
#include <stdexcept>
#include <string>

namespace plantwin {

struct BatchStopped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Installs the handlers (idempotent). Without them (library use, tests) signals keep their
// default action and stop_signal() stays 0.
void install_stop_handlers();

// The signal that asked for a stop (SIGINT or SIGTERM), or 0.
int stop_signal();

// The temporary file the handler removes when a second signal ends the process ("": none).
// The path is copied into a fixed buffer; longer paths than 4095 bytes are not registered.
void set_stop_cleanup_path(const std::string& path);

}  // namespace plantwin
