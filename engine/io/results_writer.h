// Writes a batch's results as one HDF5 file in the results contract (version 1,
// shared/spec/results-hdf5.md), plus plantwin's extensions: /kpi/events (and its
// /summary/events), /sources/{name,released,lost}, the root attribute `lanes`, and, when
// r.has_factory_kpis(), the factory KPIs: /parts/*, /kpi/lead_time_{p50,p90,p95,max}_s (with
// their /summary groups), /stations/{oee,availability,performance,quality,scrapped,reworked,
// active_fraction,mean_active_period_s,bottleneck,bottleneck_share}, /buffers/max_level,
// /operators/* and /robots/* (docs/results.md), and, when r.has_physics(), the root attribute
// `physics_engine` and /physics/{lost,contact_overflow,steps}, /physics/trajectory/<lane> and
// /physics/trajectory_time_s/<lane> (one pair per recorded lane; the group attribute `lanes`
// of /physics/trajectory lists them in r.trajectories' order).
#pragma once
#include <string>

#include "engine/batch/batch_results.h"

namespace plantwin {

// The value of the root attribute `format` this writer produces.
inline constexpr const char* kResultsFormat = "plantwin-results/1";
// The attribute `method` of /stations/bottleneck.
inline constexpr const char* kBottleneckMethod =
    "active period (Roser 2001): longest mean active period";

// The hidden temporary file write_results writes before renaming it to `path`:
// `.<name>.tmp-<pid>` in the same folder (rename(2) is atomic only within a file system).
std::string results_temporary_path(const std::string& path);

// Writes `r` to `path`. The file appears under `path` only once it is complete: it is
// written to `.<name>.tmp-<pid>` in the same folder, closed, then renamed over `path`
// (replacing an existing file). On any failure the temporary is removed, `path` is left as
// it was, and std::runtime_error is thrown with a message that starts with `path`.
// Also throws (before touching the disk) when the vectors' sizes do not match the counts
// (lanes == variants * replications, [L], [L,S,K], [L,B], [L,Q]; the factory KPIs all
// with their shapes, or all empty together with part, pool and robot names), or when a
// bottleneck is neither -1 nor a station index, or when the physics counters are not all [L]
// (or all empty, with no engine and no trajectories), or a trajectory's lane is not a lane of
// the batch or appears twice, or its pose is not [steps][bodies][7] for its [steps] times.
// An empty r.created_utc is replaced by the current UTC time.
// Not thread-safe: the HDF5 library it links is built without thread safety.
void write_results(const BatchResults& r, const std::string& path,
                   const std::string& plantwin_version);

}  // namespace plantwin
