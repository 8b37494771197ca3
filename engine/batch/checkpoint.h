// A long batch's progress on disk (`plantwin run --checkpoint FILE`): the per-lane results of
// the lanes done so far, so that a run stopped by a signal, a crash or a power cut resumes
// where it stopped. Lanes do not depend on each other or on the chunking, so a resumed batch
// gives the same results, bit for bit, as one run straight through.
//
// The file (docs/results.md, "Checkpoints") is machine-local binary: a text header with the
// batch's key, then each per-lane vector's rows for the lanes done, then a SHA-256 of all of
// it. It is written to a temporary file and renamed, so it is always whole.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"

namespace plantwin {

// A checkpoint that cannot be resumed: unreadable, not a checkpoint, damaged, or written by
// another batch. An input error: nothing has run when it is thrown.
struct CheckpointRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What identifies a batch: a checkpoint resumes only the batch it was written by. Hex SHA-256
// of the plantwin version, the scene's SHA-256, the `--set` overrides, seed, horizon, warm-up,
// replications, the variants, the backend and the physics engine, all taken from `r` (labelled
// by run_batch) and the arguments.
std::string checkpoint_key(const BatchResults& r, const std::vector<std::string>& overrides,
                           const std::string& plantwin_version);

// Writes lanes [0, lanes_done) of `r` under `key` to `path`, atomically (a temporary file in the
// same folder, flushed, renamed over `path`). Throws std::runtime_error starting with `path`
// when it cannot (the temporary is removed).
void write_checkpoint(const std::string& path, const std::string& key, const BatchResults& r, int64_t lanes_done);

// Reads the checkpoint at `path` into lanes [0, n) of `r`, whose per-lane vectors run_batch has
// already sized for the batch, and returns n. Throws CheckpointRefused starting with `path`
// when the file is unreadable, is not a checkpoint, is damaged (truncated, checksum), or belongs to another
// batch (its key differs from `key`, or its lanes or row widths do not fit `r`).
int64_t read_checkpoint(const std::string& path, const std::string& key, BatchResults& r);

}  // namespace plantwin
