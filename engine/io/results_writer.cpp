// HDF5 writer of the results contract. Every HDF5 call is checked; a failure becomes an
// exception carrying HDF5's innermost reason, the handles close as the stack unwinds, and
// write_results removes the temporary file so no partial file is ever left behind.
#include "engine/io/results_writer.h"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "engine/io/hdf5_handle.h"
#include "engine/stats/summary.h"

namespace plantwin {
namespace {

// Datasets up to this many elements are stored contiguously; larger ones are chunked and
// compressed (the contract: "over a few thousand elements").
constexpr hsize_t kContiguousMaxElements = 4096;
// Target elements per chunk: big enough for deflate to pay off, small enough that reading
// a few lanes does not inflate the whole dataset.
constexpr hsize_t kChunkElements = 65536;
constexpr unsigned kDeflateLevel = 4;

using h5::check;
using h5::Hid;
using h5::QuietHdf5Errors;
using h5::Types;

// Variable-length UTF-8 strings: h5py reads them as str (attributes) or bytes/str
// (datasets, via .asstr()) without any length limit.
Hid utf8_string_type() {
  Hid type(H5Tcopy(H5T_C_S1), H5Tclose, "creating string type");
  check(H5Tset_size(type, H5T_VARIABLE), "creating string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "creating string type");
  return type;
}

std::vector<const char*> c_strings(const std::vector<std::string>& values) {
  std::vector<const char*> out;
  out.reserve(values.size());
  for (const std::string& s : values) out.push_back(s.c_str());
  return out;
}

void make_group(hid_t file, const std::string& path) {
  Hid group(H5Gcreate2(file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
            "creating group " + path);
}

// ---- attributes ----

void write_string_attribute(hid_t object, const char* name, const std::string& value) {
  const std::string what = std::string("writing attribute ") + name;
  Hid type = utf8_string_type();
  Hid space(H5Screate(H5S_SCALAR), H5Sclose, what);
  Hid attribute(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  const char* text = value.c_str();
  check(H5Awrite(attribute, type, &text), what);
}

void write_strings_attribute(hid_t object, const char* name,
                             const std::vector<std::string>& values) {
  const std::string what = std::string("writing attribute ") + name;
  Hid type = utf8_string_type();
  const hsize_t size = values.size();
  Hid space(H5Screate_simple(1, &size, nullptr), H5Sclose, what);
  Hid attribute(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  const std::vector<const char*> texts = c_strings(values);
  if (!texts.empty()) check(H5Awrite(attribute, type, texts.data()), what);
}

template <class T>
void write_number_attribute(hid_t object, const char* name, T value) {
  const std::string what = std::string("writing attribute ") + name;
  Hid space(H5Screate(H5S_SCALAR), H5Sclose, what);
  Hid attribute(H5Acreate2(object, name, Types<T>::file(), space, H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, what);
  check(H5Awrite(attribute, Types<T>::memory(), &value), what);
}

// ---- datasets ----

// Creates a dataset of the given shape: contiguous when small, else chunked (whole
// trailing rows first) and deflated, with the byte shuffle for numbers.
Hid create_dataset(hid_t file, const std::string& path, hid_t file_type,
                   const std::vector<hsize_t>& dims, bool shuffle) {
  const std::string what = "creating dataset " + path;
  // Zero-sized dimensions are valid in a simple dataspace; h5py reads them as empty arrays.
  Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
            what);
  Hid properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
  hsize_t elements = 1;
  for (hsize_t d : dims) elements *= d;
  if (elements > kContiguousMaxElements) {
    std::vector<hsize_t> chunk(dims.size());
    hsize_t budget = kChunkElements;
    for (size_t i = dims.size(); i-- > 0;) {
      chunk[i] = std::max<hsize_t>(1, std::min(dims[i], budget));
      budget = std::max<hsize_t>(1, budget / chunk[i]);
    }
    check(H5Pset_chunk(properties, static_cast<int>(chunk.size()), chunk.data()), what);
    if (shuffle) check(H5Pset_shuffle(properties), what);
    check(H5Pset_deflate(properties, kDeflateLevel), what);
  }
  return Hid(H5Dcreate2(file, path.c_str(), file_type, space, H5P_DEFAULT, properties, H5P_DEFAULT),
             H5Dclose, what);
}

// `unit` may be null for datasets whose values have no unit (names).
template <class T>
void write_numbers(hid_t file, const std::string& path, const std::vector<T>& values,
                   const std::vector<hsize_t>& dims, const char* unit) {
  Hid dataset = create_dataset(file, path, Types<T>::file(), dims, /*shuffle=*/true);
  if (!values.empty())
    check(H5Dwrite(dataset, Types<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "writing dataset " + path);
  if (unit != nullptr) write_string_attribute(dataset, "unit", unit);
}

// Returns the dataset so that callers can attach attributes.
Hid write_strings(hid_t file, const std::string& path, const std::vector<std::string>& values) {
  Hid type = utf8_string_type();
  Hid dataset = create_dataset(file, path, type, {values.size()}, /*shuffle=*/false);
  const std::vector<const char*> texts = c_strings(values);
  if (!texts.empty())
    check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()),
          "writing dataset " + path);
  return dataset;
}

// ---- the file ----

std::string now_utc_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Why the physics of `r` cannot be written: the per-lane counters all [L] (r.has_physics())
// or all empty together with the engine and the trajectories; each trajectory of a distinct
// lane of the batch, with [steps] times and [steps][bodies][7] poses.
std::string physics_inconsistency(const BatchResults& r) {
  const int64_t L = r.lanes;
  const bool physics = r.has_physics();
  struct Column { const char* name; size_t size; };
  const Column columns[] = {
      {"physics_lost", r.physics_lost.size()},
      {"physics_contact_overflow", r.physics_contact_overflow.size()},
      {"physics_steps", r.physics_steps.size()},
  };
  for (const Column& c : columns)
    if (static_cast<int64_t>(c.size) != (physics ? L : 0))
      return std::string(c.name) + " has " + std::to_string(c.size) + " values, expected " +
             std::to_string(physics ? L : 0) + (physics ? "" : " (no physics_lost: no physics)");
  if (!physics) {
    if (!r.physics_engine.empty()) return "physics_engine is set but there is no physics_lost";
    if (!r.trajectories.empty()) return "trajectories without physics_lost";
    return {};
  }
  if (r.physics_engine.empty()) return "physics_engine is empty";
  for (size_t i = 0; i < r.trajectories.size(); ++i) {
    const LaneTrajectory& t = r.trajectories[i];
    const std::string which = "trajectory of lane " + std::to_string(t.lane);
    if (t.lane < 0 || t.lane >= L)
      return which + ": not a lane of this batch (0.." + std::to_string(L - 1) + ")";
    for (size_t j = 0; j < i; ++j)
      if (r.trajectories[j].lane == t.lane) return which + ": given twice";
    if (t.bodies < 0) return which + ": bodies is " + std::to_string(t.bodies);
    const size_t steps = t.time_s.size();
    if (t.pose.size() != steps * static_cast<size_t>(t.bodies) * 7)
      return which + ": pose has " + std::to_string(t.pose.size()) + " values, expected steps " +
             std::to_string(steps) + " x bodies " + std::to_string(t.bodies) + " x 7";
  }
  return {};
}

// Why `r` cannot be written, or empty when its sizes agree with its counts.
std::string inconsistency(const BatchResults& r) {
  const int64_t V = r.variants(), R = r.replications, L = r.lanes;
  const int64_t S = static_cast<int64_t>(r.station_names.size());
  const int64_t K = static_cast<int64_t>(r.state_names.size());
  const int64_t B = static_cast<int64_t>(r.buffer_names.size());
  const int64_t Q = static_cast<int64_t>(r.source_names.size());
  if (V < 1) return "no variants";
  if (R < 1) return "replications is " + std::to_string(R);
  if (L != V * R)
    return "lanes is " + std::to_string(L) + ", expected variants x replications = " +
           std::to_string(V * R);
  if (r.element_types.size() != r.element_names.size())
    return "element_types has " + std::to_string(r.element_types.size()) + " entries, " +
           "element_names " + std::to_string(r.element_names.size());
  static const char* const kFirstStates[] = {"working", "blocked", "starved", "failed"};
  if (K < 4) return "state_names has " + std::to_string(K) + " entries, expected at least 4";
  for (int k = 0; k < 4; ++k)
    if (r.state_names[k] != kFirstStates[k])
      return "state_names[" + std::to_string(k) + "] is '" + r.state_names[k] + "', expected '" +
             kFirstStates[k] + "'";
  struct Column { const char* name; size_t size; int64_t expected; };
  const Column columns[] = {
      {"produced", r.produced.size(), L},
      {"throughput_per_h", r.throughput_per_h.size(), L},
      {"wip_mean", r.wip_mean.size(), L},
      {"lead_time_mean_s", r.lead_time_mean_s.size(), L},
      {"events", r.events.size(), L},
      {"state_fraction", r.state_fraction.size(), L * S * K},
      {"buffer_mean_level", r.buffer_mean_level.size(), L * B},
      {"source_released", r.source_released.size(), L * Q},
      {"source_lost", r.source_lost.size(), L * Q},
  };
  for (const Column& c : columns)
    if (static_cast<int64_t>(c.size) != c.expected)
      return std::string(c.name) + " has " + std::to_string(c.size) + " values, expected " +
             std::to_string(c.expected);
  // The factory KPIs: all present (part_names not empty) or all absent (results of a file
  // written before them).
  const bool factory = r.has_factory_kpis();
  const int64_t P = static_cast<int64_t>(r.part_names.size());
  const int64_t O = static_cast<int64_t>(r.pool_names.size());
  const int64_t Rb = static_cast<int64_t>(r.robot_names.size());
  auto want = [&](int64_t n) { return factory ? n : 0; };
  const Column factory_columns[] = {
      {"pool_names", r.pool_names.size(), want(O)},
      {"robot_names", r.robot_names.size(), want(Rb)},
      {"produced_by_part", r.produced_by_part.size(), want(L * P)},
      {"throughput_by_part_per_h", r.throughput_by_part_per_h.size(), want(L * P)},
      {"lead_time_p50_s", r.lead_time_p50_s.size(), want(L)},
      {"lead_time_p90_s", r.lead_time_p90_s.size(), want(L)},
      {"lead_time_p95_s", r.lead_time_p95_s.size(), want(L)},
      {"lead_time_max_s", r.lead_time_max_s.size(), want(L)},
      {"station_oee", r.station_oee.size(), want(L * S)},
      {"station_availability", r.station_availability.size(), want(L * S)},
      {"station_performance", r.station_performance.size(), want(L * S)},
      {"station_quality", r.station_quality.size(), want(L * S)},
      {"station_scrapped", r.station_scrapped.size(), want(L * S)},
      {"station_reworked", r.station_reworked.size(), want(L * S)},
      {"station_mean_active_period_s", r.station_mean_active_period_s.size(), want(L * S)},
      {"station_active_fraction", r.station_active_fraction.size(), want(L * S)},
      {"bottleneck", r.bottleneck.size(), want(L)},
      {"bottleneck_share", r.bottleneck_share.size(), want(V * S)},
      {"buffer_max_level", r.buffer_max_level.size(), want(L * B)},
      {"operator_utilisation", r.operator_utilisation.size(), want(L * O)},
      {"robot_utilisation", r.robot_utilisation.size(), want(L * Rb)},
  };
  for (const Column& c : factory_columns)
    if (static_cast<int64_t>(c.size) != c.expected)
      return std::string(c.name) + " has " + std::to_string(c.size) + " values, expected " +
             std::to_string(c.expected) + (factory ? "" : " (no part_names: no factory KPIs)");
  for (size_t l = 0; l < r.bottleneck.size(); ++l)
    if (r.bottleneck[l] < -1 || r.bottleneck[l] >= S)
      return "bottleneck of lane " + std::to_string(l) + " is " + std::to_string(r.bottleneck[l]) +
             ", not a station index or -1";
  return physics_inconsistency(r);
}

void write_summary(hid_t file, const std::string& kpi, const std::vector<double>& per_lane,
                   const BatchResults& r, const char* unit) {
  const std::vector<MeanCI> summary =
      summarize_by_variant(per_lane, r.variants(), r.replications);
  std::vector<double> mean, ci95;
  for (const MeanCI& s : summary) {
    mean.push_back(s.mean);
    ci95.push_back(s.ci95);
  }
  const std::string group = "/summary/" + kpi;
  make_group(file, group);
  const std::vector<hsize_t> dims = {summary.size()};
  write_numbers(file, group + "/mean", mean, dims, unit);
  write_numbers(file, group + "/ci95", ci95, dims, unit);

  // Paired differences against the baseline, replication by replication: common random
  // numbers make them far narrower than the difference of two unpaired intervals.
  const int64_t R = r.replications;
  std::vector<double> diff(per_lane.size());
  for (size_t l = 0; l < per_lane.size(); ++l) diff[l] = per_lane[l] - per_lane[l % R];
  std::vector<double> diff_mean, diff_ci95;
  for (const MeanCI& s : summarize_by_variant(diff, r.variants(), R)) {
    diff_mean.push_back(s.mean);
    diff_ci95.push_back(s.ci95);
  }
  write_numbers(file, group + "/diff_mean", diff_mean, dims, unit);
  write_numbers(file, group + "/diff_ci95", diff_ci95, dims, unit);
}

// The factory KPIs (docs/results.md): part types, lead-time percentiles, OEE, scrap and
// rework, the active-period bottleneck, buffer maxima, operator and robot utilisation. The
// groups /parts, /operators and /robots are always written (with empty name lists and
// [L, 0] datasets when the scene has no operators or robots); /stations and /buffers exist.
void write_factory_kpis(hid_t file, const BatchResults& r) {
  const hsize_t L = static_cast<hsize_t>(r.lanes), V = static_cast<hsize_t>(r.variants());
  const hsize_t S = r.station_names.size(), B = r.buffer_names.size();
  const hsize_t P = r.part_names.size(), O = r.pool_names.size(), R = r.robot_names.size();
  for (const char* group : {"/parts", "/operators", "/robots"}) make_group(file, group);

  write_strings(file, "/parts/name", r.part_names);
  write_numbers(file, "/parts/produced", r.produced_by_part, {L, P}, "parts");
  write_numbers(file, "/parts/throughput_per_h", r.throughput_by_part_per_h, {L, P}, "parts/h");

  write_numbers(file, "/kpi/lead_time_p50_s", r.lead_time_p50_s, {L}, "s");
  write_numbers(file, "/kpi/lead_time_p90_s", r.lead_time_p90_s, {L}, "s");
  write_numbers(file, "/kpi/lead_time_p95_s", r.lead_time_p95_s, {L}, "s");
  write_numbers(file, "/kpi/lead_time_max_s", r.lead_time_max_s, {L}, "s");

  write_numbers(file, "/stations/oee", r.station_oee, {L, S}, "1");
  write_numbers(file, "/stations/availability", r.station_availability, {L, S}, "1");
  write_numbers(file, "/stations/performance", r.station_performance, {L, S}, "1");
  write_numbers(file, "/stations/quality", r.station_quality, {L, S}, "1");
  write_numbers(file, "/stations/scrapped", r.station_scrapped, {L, S}, "parts");
  write_numbers(file, "/stations/reworked", r.station_reworked, {L, S}, "parts");
  write_numbers(file, "/stations/active_fraction", r.station_active_fraction, {L, S}, "1");
  write_numbers(file, "/stations/mean_active_period_s", r.station_mean_active_period_s, {L, S}, "s");
  {
    const std::string path = "/stations/bottleneck";
    Hid dataset = create_dataset(file, path, Types<int32_t>::file(), {L}, /*shuffle=*/true);
    if (!r.bottleneck.empty())
      check(H5Dwrite(dataset, Types<int32_t>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     r.bottleneck.data()),
            "writing dataset " + path);
    write_string_attribute(dataset, "unit", "1");
    write_string_attribute(dataset, "method", kBottleneckMethod);
  }
  write_numbers(file, "/stations/bottleneck_share", r.bottleneck_share, {V, S}, "1");

  write_numbers(file, "/buffers/max_level", r.buffer_max_level, {L, B}, "parts");

  write_strings(file, "/operators/name", r.pool_names);
  write_numbers(file, "/operators/utilisation", r.operator_utilisation, {L, O}, "1");
  write_strings(file, "/robots/name", r.robot_names);
  write_numbers(file, "/robots/utilisation", r.robot_utilisation, {L, R}, "1");
}

// Physical conveyors (docs/results.md, /physics): per-lane counters over the whole run, and
// the trajectories `--record-lanes` asked for. /physics/trajectory and
// /physics/trajectory_time_s are written (empty) when no lane was recorded; the attribute
// `lanes` of /physics/trajectory keeps the order the lanes were asked in (HDF5 lists a
// group's members by name).
void write_physics(hid_t file, const BatchResults& r) {
  const hsize_t L = static_cast<hsize_t>(r.lanes);
  write_string_attribute(file, "physics_engine", r.physics_engine);
  for (const char* group : {"/physics", "/physics/trajectory", "/physics/trajectory_time_s"})
    make_group(file, group);
  write_numbers(file, "/physics/lost", r.physics_lost, {L}, "parts");
  write_numbers(file, "/physics/contact_overflow", r.physics_contact_overflow, {L}, "steps");
  write_numbers(file, "/physics/steps", r.physics_steps, {L}, "steps");

  std::vector<int64_t> lanes;
  for (const LaneTrajectory& t : r.trajectories) {
    lanes.push_back(t.lane);
    const std::string name = std::to_string(t.lane);
    const hsize_t steps = t.time_s.size(), bodies = static_cast<hsize_t>(t.bodies);
    const std::string path = "/physics/trajectory/" + name;
    {
      Hid dataset = create_dataset(file, path, Types<double>::file(), {steps, bodies, 7},
                                   /*shuffle=*/true);
      if (!t.pose.empty())
        check(H5Dwrite(dataset, Types<double>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       t.pose.data()),
              "writing dataset " + path);
      write_string_attribute(dataset, "columns", "x_m y_m z_m qw qx qy qz");
      write_number_attribute<int64_t>(dataset, "lane", t.lane);
    }
    const std::string time_path = "/physics/trajectory_time_s/" + name;
    {
      Hid dataset = create_dataset(file, time_path, Types<double>::file(), {steps},
                                   /*shuffle=*/true);
      if (!t.time_s.empty())
        check(H5Dwrite(dataset, Types<double>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       t.time_s.data()),
              "writing dataset " + time_path);
      write_string_attribute(dataset, "unit", "s");
      write_number_attribute<int64_t>(dataset, "lane", t.lane);
    }
  }
  Hid group(H5Gopen2(file, "/physics/trajectory", H5P_DEFAULT), H5Gclose,
            "opening group /physics/trajectory");
  const std::string what = "writing attribute lanes";
  const hsize_t count = lanes.size();
  Hid space(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
  Hid attribute(H5Acreate2(group, "lanes", Types<int64_t>::file(), space, H5P_DEFAULT,
                           H5P_DEFAULT),
                H5Aclose, what);
  if (!lanes.empty()) check(H5Awrite(attribute, Types<int64_t>::memory(), lanes.data()), what);
}

void write_contents(hid_t file, const BatchResults& r, const std::string& plantwin_version) {
  const hsize_t L = static_cast<hsize_t>(r.lanes);
  const hsize_t S = r.station_names.size(), K = r.state_names.size();
  const hsize_t B = r.buffer_names.size(), Q = r.source_names.size();

  write_string_attribute(file, "format", kResultsFormat);
  write_string_attribute(file, "plantwin_version", plantwin_version);
  write_string_attribute(file, "scene_name", r.scene_name);
  write_string_attribute(file, "scene_sha256", r.scene_sha256);
  write_string_attribute(file, "scene", r.scene_text);
  write_number_attribute<uint64_t>(file, "seed", r.seed);
  write_number_attribute<double>(file, "horizon_s", r.horizon_s);
  write_number_attribute<double>(file, "warmup_s", r.warmup_s);
  write_number_attribute<int32_t>(file, "replications", r.replications);
  write_number_attribute<int64_t>(file, "lanes", r.lanes);
  write_string_attribute(file, "backend", r.backend);
  write_string_attribute(file, "created_utc",
                         r.created_utc.empty() ? now_utc_iso8601() : r.created_utc);

  for (const char* group : {"/variants", "/variants/params", "/lanes", "/kpi", "/elements",
                            "/stations", "/buffers", "/sources", "/summary"})
    make_group(file, group);

  write_strings(file, "/variants/name", r.variant_names);
  for (const VariantParam& p : r.variant_params) {
    std::vector<hsize_t> dims = {static_cast<hsize_t>(r.variants())};
    if (p.components > 1) dims.push_back(static_cast<hsize_t>(p.components));
    write_numbers(file, "/variants/params/" + p.name, p.values, dims, p.unit.c_str());
  }

  std::vector<int32_t> lane_variant(L), lane_replication(L);
  for (hsize_t l = 0; l < L; ++l) {
    lane_variant[l] = static_cast<int32_t>(l / r.replications);
    lane_replication[l] = static_cast<int32_t>(l % r.replications);
  }
  // Indices are dimensionless; the unit says so rather than leaving readers to guess.
  write_numbers(file, "/lanes/variant", lane_variant, {L}, "1");
  write_numbers(file, "/lanes/replication", lane_replication, {L}, "1");

  write_numbers(file, "/kpi/produced", r.produced, {L}, "parts");
  write_numbers(file, "/kpi/throughput_per_h", r.throughput_per_h, {L}, "parts/h");
  write_numbers(file, "/kpi/wip_mean", r.wip_mean, {L}, "parts");
  write_numbers(file, "/kpi/lead_time_mean_s", r.lead_time_mean_s, {L}, "s");
  write_numbers(file, "/kpi/events", r.events, {L}, "events");
  if (static_cast<hsize_t>(r.deadlock_at_s.size()) == L)
    write_numbers(file, "/lanes/deadlock_at_s", r.deadlock_at_s, {L}, "s");

  write_strings(file, "/elements/name", r.element_names);
  write_strings(file, "/elements/type", r.element_types);

  write_strings(file, "/stations/name", r.station_names);
  {
    Hid dataset = create_dataset(file, "/stations/state_fraction", H5T_IEEE_F64LE, {L, S, K},
                                 /*shuffle=*/true);
    if (!r.state_fraction.empty())
      check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     r.state_fraction.data()),
            "writing dataset /stations/state_fraction");
    write_string_attribute(dataset, "unit", "1");
    write_strings_attribute(dataset, "states", r.state_names);
  }

  write_strings(file, "/buffers/name", r.buffer_names);
  write_numbers(file, "/buffers/mean_level", r.buffer_mean_level, {L, B}, "parts");

  write_strings(file, "/sources/name", r.source_names);
  write_numbers(file, "/sources/released", r.source_released, {L, Q}, "parts");
  write_numbers(file, "/sources/lost", r.source_lost, {L, Q}, "parts");

  if (r.has_factory_kpis()) write_factory_kpis(file, r);
  if (r.has_physics()) write_physics(file, r);

  const std::vector<double> produced(r.produced.begin(), r.produced.end());
  write_summary(file, "produced", produced, r, "parts");
  write_summary(file, "throughput_per_h", r.throughput_per_h, r, "parts/h");
  write_summary(file, "wip_mean", r.wip_mean, r, "parts");
  write_summary(file, "lead_time_mean_s", r.lead_time_mean_s, r, "s");
  // The contract summarises "each /kpi dataset", so the events extension gets one too.
  const std::vector<double> events(r.events.begin(), r.events.end());
  write_summary(file, "events", events, r, "events");
  if (r.has_factory_kpis()) {
    write_summary(file, "lead_time_p50_s", r.lead_time_p50_s, r, "s");
    write_summary(file, "lead_time_p90_s", r.lead_time_p90_s, r, "s");
    write_summary(file, "lead_time_p95_s", r.lead_time_p95_s, r, "s");
    write_summary(file, "lead_time_max_s", r.lead_time_max_s, r, "s");
  }
}

void write_file(const BatchResults& r, const std::string& file_path,
                const std::string& plantwin_version) {
  Hid access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "creating file access properties");
  // Strong close: closing the file closes anything still open in it, so the file is
  // complete on disk before it is renamed.
  check(H5Pset_fclose_degree(access, H5F_CLOSE_STRONG), "creating file access properties");
  Hid file(H5Fcreate(file_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access), H5Fclose,
           "creating " + file_path);
  write_contents(file, r, plantwin_version);
  file.close("closing " + file_path);
}


}  // namespace

// `.<name>.tmp-<pid>` next to `path`: same folder so that rename(2) is atomic, hidden so
// that directory listings and globs of results do not pick it up.
std::string results_temporary_path(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return folder + "." + name + ".tmp-" + std::to_string(static_cast<long>(getpid()));
}

void write_results(const BatchResults& r, const std::string& path,
                   const std::string& plantwin_version) {
  if (path.empty() || path.back() == '/')
    throw std::runtime_error(path + ": cannot write results file (not a file name)");
  const std::string why = inconsistency(r);
  if (!why.empty())
    throw std::runtime_error(path + ": cannot write results file (inconsistent results: " + why +
                             ")");
  const QuietHdf5Errors quiet;
  const std::string temporary = results_temporary_path(path);
  try {
    write_file(r, temporary, plantwin_version);
  } catch (const std::exception& e) {
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": cannot write results file (" + e.what() + ")");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": cannot write results file (renaming " + temporary +
                             ": " + std::strerror(error) + ")");
  }
}

}  // namespace plantwin
