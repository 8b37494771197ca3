// Reads a results file (shared/spec/results-hdf5.md, version 1) back into memory.
#pragma once
#include <string>

#include "engine/batch/batch_results.h"

namespace plantwin {

// Reads everything write_results writes: the root attributes, names, per-lane KPIs, state
// fractions, buffer levels and the source extension (left empty when a file lacks
// /sources or /kpi/events, as a contract-only file from another writer may), and the factory
// KPIs (part types, lead-time percentiles, OEE, bottleneck, buffer maxima, operators, robots):
// all of them when the file has /parts/name, none (their vectors empty, has_factory_kpis()
// false) when it has not, as files written before they existed.
// /variants/params/<name> ([V] or [V, 3], attribute `unit`) is read into variant_params, in
// HDF5's name order (the file does not keep the writer's order); empty when the group is
// absent. The physics of physical conveyors (root attribute `physics_engine`,
// /physics/{lost,contact_overflow,steps} and the recorded trajectories, in the order of the
// attribute `lanes` of /physics/trajectory, else by lane) are read when the file has
// /physics/lost; otherwise they stay empty (has_physics() false). The /summary group is not
// read (it is recomputed from the lanes when needed).
// Throws std::runtime_error("PATH: not a plantwin results file (...)") when the file is
// missing, not HDF5, or its `format` attribute is not "plantwin-results/1", and
// std::runtime_error("PATH: corrupt results file (...)") when a required dataset or
// attribute is missing or has the wrong shape.
BatchResults read_results(const std::string& path);

// As above, also storing the root attribute `plantwin_version` (which BatchResults does
// not hold) in *plantwin_version when that pointer is not null.
BatchResults read_results(const std::string& path, std::string* plantwin_version);

}  // namespace plantwin
