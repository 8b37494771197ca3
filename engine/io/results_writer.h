// Writes a batch's results as one HDF5 file in the results contract (version 1,
// shared/spec/results-hdf5.md), plus plantwin's extensions: /kpi/events (and its
// /summary/events), /sources/{name,released,lost} and the root attribute `lanes`.
#pragma once
#include <string>

#include "engine/batch/batch_results.h"

namespace plantwin {

// The value of the root attribute `format` this writer produces.
inline constexpr const char* kResultsFormat = "plantwin-results/1";

// Writes `r` to `path`. The file appears under `path` only once it is complete: it is
// written to `.<name>.tmp-<pid>` in the same folder, closed, then renamed over `path`
// (replacing an existing file). On any failure the temporary is removed, `path` is left as
// it was, and std::runtime_error is thrown with a message that starts with `path`.
// Also throws (before touching the disk) when the vectors' sizes do not match the counts
// (lanes == variants * replications, [L], [L,S,K], [L,B], [L,Q]).
// An empty r.created_utc is replaced by the current UTC time.
// Not thread-safe: the HDF5 library it links is built without thread safety.
void write_results(const BatchResults& r, const std::string& path,
                   const std::string& plantwin_version);

}  // namespace plantwin
