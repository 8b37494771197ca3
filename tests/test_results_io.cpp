// The results file: write -> read round trip, the summary, atomic replacement, the reader's
// refusals, and an independent reading with h5py against the contract's names.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <random>

#include "engine/batch/batch_results.h"
#include "engine/io/kpi_table.h"
#include "engine/io/results_reader.h"
#include "engine/io/results_writer.h"
#include "engine/stats/oee.h"
#include "engine/stats/percentile.h"
#include "kernels/stats/lead_histogram.h"

using namespace plantwin;
namespace fs = std::filesystem;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fresh folder under the system's temporary folder, removed with its contents.
struct TempFolder {
  fs::path path;
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "plantwin-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path))
      names.push_back(entry.path().filename().string());
    return names;
  }
};

// V variants x R replications of a line with S stations, B buffers and Q sources; every
// value distinct so that a transposed or shifted array would be noticed.
// The factory KPIs for P part types, O operators pools and Rb robots (P = 0: none, as in a
// file from before them).
void add_factory_kpis(BatchResults& r, int P, int O, int Rb) {
  if (P == 0) return;
  const int64_t L = r.lanes, V = r.variants();
  const int64_t S = static_cast<int64_t>(r.station_names.size());
  const int64_t B = static_cast<int64_t>(r.buffer_names.size());
  for (int p = 0; p < P; ++p) r.part_names.push_back(p == 0 ? "Gehäuse" : "part" + std::to_string(p));
  for (int o = 0; o < O; ++o) r.pool_names.push_back("crew" + std::to_string(o));
  for (int k = 0; k < Rb; ++k) r.robot_names.push_back("robot" + std::to_string(k));
  for (int64_t l = 0; l < L; ++l) {
    for (int p = 0; p < P; ++p) {
      r.produced_by_part.push_back(100 * p + 3 * l + 1);
      r.throughput_by_part_per_h.push_back((100 * p + 3 * l + 1) / 8.0);
    }
    const bool none = l == 1;  // lane 1: no part finished
    r.lead_time_p50_s.push_back(none ? kNaN : 250.0 + l);
    r.lead_time_p90_s.push_back(none ? kNaN : 600.5 + l);
    r.lead_time_p95_s.push_back(none ? kNaN : 800.25 + l);
    r.lead_time_max_s.push_back(none ? kNaN : 1500.125 + l);
    for (int64_t s = 0; s < S; ++s) {
      const bool idle = l == 2 && s == 0;  // nothing processed: quality, performance undefined
      r.station_oee.push_back(idle ? 0.0 : 0.5 + 0.01 * s + 0.001 * l);
      r.station_availability.push_back(0.9 - 0.01 * s - 0.001 * l);
      r.station_performance.push_back(idle ? kNaN : 0.8 + 0.02 * s + 0.001 * l);
      r.station_quality.push_back(idle ? kNaN : 0.97 - 0.001 * s);
      r.station_scrapped.push_back(2 * l + s);
      r.station_reworked.push_back(l + 5 * s);
      r.station_mean_active_period_s.push_back(idle ? kNaN : 120.5 + 10 * s + l);
      r.station_active_fraction.push_back(0.7 + 0.01 * s + 0.001 * l);
    }
    r.bottleneck.push_back(S == 0 ? -1 : static_cast<int32_t>((l + 1) % (S + 1)) - 1);  // -1 sometimes
    for (int64_t b = 0; b < B; ++b) r.buffer_max_level.push_back(3 + l + b);
    for (int o = 0; o < O; ++o) r.operator_utilisation.push_back(0.25 + 0.01 * o + 0.001 * l);
    for (int k = 0; k < Rb; ++k) r.robot_utilisation.push_back(0.5 + 0.02 * k + 0.001 * l);
  }
  r.bottleneck_share = bottleneck_shares(r.bottleneck, V, r.replications, S);
}

BatchResults make_results(int V, int R, int S, int B, int Q, int P = 2, int O = 1, int Rb = 1) {
  BatchResults r;
  r.scene_name = "Linie Süd";
  r.scene_text = "format: 1\nname: Linie Süd  # ± µ\n" + std::string(70000, 'x') + "\n";
  r.scene_sha256 = std::string(64, 'a');
  r.seed = 18446744073709551557ull;  // needs all 64 bits
  r.horizon_s = 28800;
  r.warmup_s = 3600.5;
  r.replications = R;
  r.backend = "cpu";
  r.created_utc = "2026-11-28T16:20:00Z";
  const char* const variant_names[] = {"baseline", "buf1.capacity=5", "case three"};
  for (int v = 0; v < V; ++v) r.variant_names.push_back(variant_names[v % 3]);
  for (int s = 0; s < S; ++s) r.station_names.push_back("st" + std::to_string(s));
  for (int b = 0; b < B; ++b) r.buffer_names.push_back("buf" + std::to_string(b));
  for (int q = 0; q < Q; ++q) r.source_names.push_back("src" + std::to_string(q));
  for (const auto& n : r.source_names) r.element_names.push_back(n), r.element_types.push_back("source");
  for (const auto& n : r.station_names) r.element_names.push_back(n), r.element_types.push_back("station");
  for (const auto& n : r.buffer_names) r.element_names.push_back(n), r.element_types.push_back("buffer");
  r.state_names = {"working", "blocked", "starved", "failed", "setup"};
  const int K = static_cast<int>(r.state_names.size());
  r.lanes = static_cast<int64_t>(V) * R;
  for (int64_t l = 0; l < r.lanes; ++l) {
    r.produced.push_back(1000 + 7 * l);
    r.throughput_per_h.push_back((1000 + 7 * l) / 8.0);
    r.wip_mean.push_back(12.25 + 0.5 * l);
    r.lead_time_mean_s.push_back(l == 1 ? kNaN : 300.0 + l);  // lane 1: no part finished
    r.events.push_back(100000 + l);
    for (int s = 0; s < S; ++s)
      for (int k = 0; k < K; ++k)
        r.state_fraction.push_back(k == 0 ? 0.6 - 0.001 * (l + s) : (0.4 + 0.001 * (l + s)) / (K - 1));
    for (int b = 0; b < B; ++b) r.buffer_mean_level.push_back(2.5 + l + 0.25 * b);
    for (int q = 0; q < Q; ++q) {
      r.source_released.push_back(1100 + l + q);
      r.source_lost.push_back(l + 3 * q);
    }
  }
  add_factory_kpis(r, P, O, Rb);
  return r;
}

// Equal element by element, NaN equal to NaN.
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

void check_same(const BatchResults& a, const BatchResults& b) {
  CHECK(a.scene_name == b.scene_name);
  CHECK(a.scene_text == b.scene_text);
  CHECK(a.scene_sha256 == b.scene_sha256);
  CHECK(a.seed == b.seed);
  CHECK(a.horizon_s == b.horizon_s);
  CHECK(a.warmup_s == b.warmup_s);
  CHECK(a.replications == b.replications);
  CHECK(a.backend == b.backend);
  CHECK(a.created_utc == b.created_utc);
  CHECK(a.variant_names == b.variant_names);
  CHECK(a.element_names == b.element_names);
  CHECK(a.element_types == b.element_types);
  CHECK(a.station_names == b.station_names);
  CHECK(a.buffer_names == b.buffer_names);
  CHECK(a.source_names == b.source_names);
  CHECK(a.state_names == b.state_names);
  CHECK(a.lanes == b.lanes);
  CHECK(a.produced == b.produced);
  CHECK(same(a.throughput_per_h, b.throughput_per_h));
  CHECK(same(a.wip_mean, b.wip_mean));
  CHECK(same(a.lead_time_mean_s, b.lead_time_mean_s));
  CHECK(a.events == b.events);
  CHECK(same(a.state_fraction, b.state_fraction));
  CHECK(same(a.buffer_mean_level, b.buffer_mean_level));
  CHECK(a.source_released == b.source_released);
  CHECK(a.source_lost == b.source_lost);
  CHECK(a.part_names == b.part_names);
  CHECK(a.pool_names == b.pool_names);
  CHECK(a.robot_names == b.robot_names);
  CHECK(a.produced_by_part == b.produced_by_part);
  CHECK(same(a.throughput_by_part_per_h, b.throughput_by_part_per_h));
  CHECK(same(a.lead_time_p50_s, b.lead_time_p50_s));
  CHECK(same(a.lead_time_p90_s, b.lead_time_p90_s));
  CHECK(same(a.lead_time_p95_s, b.lead_time_p95_s));
  CHECK(same(a.lead_time_max_s, b.lead_time_max_s));
  CHECK(same(a.station_oee, b.station_oee));
  CHECK(same(a.station_availability, b.station_availability));
  CHECK(same(a.station_performance, b.station_performance));
  CHECK(same(a.station_quality, b.station_quality));
  CHECK(a.station_scrapped == b.station_scrapped);
  CHECK(a.station_reworked == b.station_reworked);
  CHECK(same(a.station_mean_active_period_s, b.station_mean_active_period_s));
  CHECK(same(a.station_active_fraction, b.station_active_fraction));
  CHECK(a.bottleneck == b.bottleneck);
  CHECK(same(a.bottleneck_share, b.bottleneck_share));
  CHECK(a.buffer_max_level == b.buffer_max_level);
  CHECK(same(a.operator_utilisation, b.operator_utilisation));
  CHECK(same(a.robot_utilisation, b.robot_utilisation));
  CHECK(a.has_physics() == b.has_physics());
  CHECK(a.physics_engine == b.physics_engine);
  CHECK(a.physics_lost == b.physics_lost);
  CHECK(a.physics_contact_overflow == b.physics_contact_overflow);
  CHECK(a.physics_steps == b.physics_steps);
  REQUIRE(a.trajectories.size() == b.trajectories.size());
  for (size_t i = 0; i < a.trajectories.size(); ++i) {
    INFO("trajectory " << i);
    CHECK(a.trajectories[i].lane == b.trajectories[i].lane);
    CHECK(a.trajectories[i].bodies == b.trajectories[i].bodies);
    CHECK(same(a.trajectories[i].time_s, b.trajectories[i].time_s));
    CHECK(same(a.trajectories[i].pose, b.trajectories[i].pose));
  }
}

// A trajectory of `steps` steps of `bodies` body slots, every value distinct; slot
// (step + body) % 3 == 2 is free (a NaN row), as when no part occupies it.
LaneTrajectory make_trajectory(int64_t lane, int64_t steps, int64_t bodies) {
  LaneTrajectory t;
  t.lane = lane;
  t.bodies = bodies;
  for (int64_t k = 0; k < steps; ++k) {
    t.time_s.push_back(0.002 * static_cast<double>(k + 1) + 10.0 * static_cast<double>(lane));
    for (int64_t b = 0; b < bodies; ++b) {
      const bool free_slot = (k + b) % 3 == 2;
      const double row[7] = {0.01 * k + b, 0.001 * b - 0.0005 * k, 1.075 + 1e-6 * k, 1.0, 0.0, 0.0, 0.0};
      for (double x : row) t.pose.push_back(free_slot ? kNaN : x);
    }
  }
  return t;
}

// Physics counters for every lane and the trajectories of `lanes` (lane, steps, bodies).
void add_physics(BatchResults& r, const std::string& engine,
                 const std::vector<std::array<int64_t, 3>>& recorded) {
  r.physics_engine = engine;
  for (int64_t l = 0; l < r.lanes; ++l) {
    r.physics_lost.push_back(l % 4 == 1 ? l : 0);
    r.physics_contact_overflow.push_back(0);
    r.physics_steps.push_back(1000000 + 13 * l);
  }
  for (const auto& [lane, steps, bodies] : recorded) r.trajectories.push_back(make_trajectory(lane, steps, bodies));
}

// Removes the datasets and groups a file written before the factory KPIs lacks.
void strip_factory_kpis(const std::string& path) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  for (const char* name :
       {"/parts", "/operators", "/robots", "/kpi/lead_time_p50_s", "/kpi/lead_time_p90_s",
        "/kpi/lead_time_p95_s", "/kpi/lead_time_max_s", "/summary/lead_time_p50_s",
        "/summary/lead_time_p90_s", "/summary/lead_time_p95_s", "/summary/lead_time_max_s",
        "/stations/oee", "/stations/availability", "/stations/performance", "/stations/quality",
        "/stations/scrapped", "/stations/reworked", "/stations/active_fraction",
        "/stations/mean_active_period_s", "/stations/bottleneck", "/stations/bottleneck_share",
        "/buffers/max_level"})
    REQUIRE(H5Ldelete(file, name, H5P_DEFAULT) >= 0);
  H5Fclose(file);
}

bool has_link(const std::string& path, const char* name) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const bool found = H5Lexists(file, name, H5P_DEFAULT) > 0;
  H5Fclose(file);
  return found;
}

// Reads a string attribute of a dataset (variable-length), independently of results_reader.
std::string read_string_attribute(const std::string& file_path, const std::string& dataset_path,
                                  const char* name) {
  const hid_t file = H5Fopen(file_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t dataset = H5Dopen2(file, dataset_path.c_str(), H5P_DEFAULT);
  REQUIRE(dataset >= 0);
  const hid_t attribute = H5Aopen(dataset, name, H5P_DEFAULT);
  REQUIRE(attribute >= 0);
  const hid_t type = H5Aget_type(attribute);
  char* text = nullptr;
  REQUIRE(H5Aread(attribute, type, &text) >= 0);
  std::string value = text ? text : "";
  H5free_memory(text);
  H5Tclose(type);
  H5Aclose(attribute);
  H5Dclose(dataset);
  H5Fclose(file);
  return value;
}

// Reads a 1-D float64 dataset with the HDF5 C API, independently of results_reader.
std::vector<double> read_doubles(const std::string& file_path, const std::string& dataset_path) {
  const hid_t file = H5Fopen(file_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t dataset = H5Dopen2(file, dataset_path.c_str(), H5P_DEFAULT);
  REQUIRE(dataset >= 0);
  const hid_t space = H5Dget_space(dataset);
  std::vector<double> values(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
  if (!values.empty())
    REQUIRE(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  H5Sclose(space);
  H5Dclose(dataset);
  H5Fclose(file);
  return values;
}

bool has_h5py() { return std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0; }

// The contract read by h5py: argv = path, V, R, S, K, B, Q, expect_compressed.
const char* const kH5pyCheck = R"PY(
import sys, h5py, numpy as np
path = sys.argv[1]
V, R, S, K, B, Q = (int(x) for x in sys.argv[2:8])
compressed = sys.argv[8] == "1"
P, O, RB = (int(x) for x in sys.argv[9:12])
L = V * R
failures = []
def check(ok, what):
    if not ok:
        failures.append(what)
f = h5py.File(path, "r")
a = f.attrs
for key, kind in [("format", str), ("plantwin_version", str), ("scene_name", str),
                  ("scene_sha256", str), ("scene", str), ("backend", str), ("created_utc", str),
                  ("seed", np.uint64), ("horizon_s", np.float64), ("warmup_s", np.float64),
                  ("replications", np.int32), ("lanes", np.int64)]:
    check(key in a and isinstance(a[key], kind), "root attribute %s of type %s" % (key, kind))
check(a.get("format") == "plantwin-results/1", "format value")
check(int(a.get("replications", -1)) == R and int(a.get("lanes", -1)) == L, "counts")
check(a.get("scene", "").startswith("format: 1\nname: Linie S\u00fcd"), "scene text")
strings = {"variants/name": V, "elements/name": S + B + Q, "elements/type": S + B + Q,
           "stations/name": S, "buffers/name": B, "sources/name": Q}
for name, n in strings.items():
    check(name in f, name)
    if name in f:
        d = f[name]
        info = h5py.check_string_dtype(d.dtype)
        check(info is not None and info.encoding == "utf-8" and info.length is None,
              name + " variable-length utf-8")
        check(d.shape == (n,) and len(list(d.asstr()[()])) == n, name + " shape")
check(list(f["variants/name"].asstr()[()])[0] == "baseline", "baseline first")
check(isinstance(f.get("variants/params"), h5py.Group), "variants/params group")
numbers = {"lanes/variant": ("int32", (L,), "1"), "lanes/replication": ("int32", (L,), "1"),
           "kpi/produced": ("int64", (L,), "parts"),
           "kpi/throughput_per_h": ("float64", (L,), "parts/h"),
           "kpi/wip_mean": ("float64", (L,), "parts"),
           "kpi/lead_time_mean_s": ("float64", (L,), "s"),
           "kpi/events": ("int64", (L,), "events"),
           "stations/state_fraction": ("float64", (L, S, K), "1"),
           "buffers/mean_level": ("float64", (L, B), "parts"),
           "sources/released": ("int64", (L, Q), "parts"),
           "sources/lost": ("int64", (L, Q), "parts")}
kpis = [("produced", "parts"), ("throughput_per_h", "parts/h"), ("wip_mean", "parts"),
        ("lead_time_mean_s", "s"), ("events", "events")]
if P > 0:
    for name, n in {"parts/name": P, "operators/name": O, "robots/name": RB}.items():
        check(name in f and f[name].shape == (n,) and
              h5py.check_string_dtype(f[name].dtype).encoding == "utf-8", name)
    numbers.update({
        "parts/produced": ("int64", (L, P), "parts"),
        "parts/throughput_per_h": ("float64", (L, P), "parts/h"),
        "stations/oee": ("float64", (L, S), "1"),
        "stations/availability": ("float64", (L, S), "1"),
        "stations/performance": ("float64", (L, S), "1"),
        "stations/quality": ("float64", (L, S), "1"),
        "stations/active_fraction": ("float64", (L, S), "1"),
        "stations/mean_active_period_s": ("float64", (L, S), "s"),
        "stations/scrapped": ("int64", (L, S), "parts"),
        "stations/reworked": ("int64", (L, S), "parts"),
        "stations/bottleneck": ("int32", (L,), "1"),
        "stations/bottleneck_share": ("float64", (V, S), "1"),
        "buffers/max_level": ("int64", (L, B), "parts"),
        "operators/utilisation": ("float64", (L, O), "1"),
        "robots/utilisation": ("float64", (L, RB), "1")})
    for q in ("p50", "p90", "p95", "max"):
        numbers["kpi/lead_time_%s_s" % q] = ("float64", (L,), "s")
        kpis.append(("lead_time_%s_s" % q, "s"))
    check(f["stations/bottleneck"].attrs.get("method") ==
          "active period (Roser 2001): longest mean active period", "bottleneck method")
    if S > 0:
        share = f["stations/bottleneck_share"][()]
        bn = f["stations/bottleneck"][()].reshape(V, R)
        check(np.allclose(share, [[np.mean(bn[v] == s) for s in range(S)] for v in range(V)]),
              "bottleneck_share from bottleneck")
    p50 = f["kpi/lead_time_p50_s"][()].reshape(V, R)
    with np.errstate(all="ignore"):
        check(np.allclose(f["summary/lead_time_p50_s/mean"][()], np.nanmean(p50, axis=1)),
              "NaN-aware summary of lead_time_p50_s")
else:
    for name in ("parts", "operators", "robots", "kpi/lead_time_p50_s", "stations/oee"):
        check(name not in f, name + " absent without factory KPIs")
for kpi, unit in kpis:
    for stat in ("mean", "ci95"):
        numbers["summary/%s/%s" % (kpi, stat)] = ("float64", (V,), unit)
for name, (dtype, shape, unit) in numbers.items():
    check(name in f, name)
    if name in f:
        d = f[name]
        check(d.dtype == np.dtype(dtype), name + " dtype " + dtype)
        check(d.shape == shape, name + " shape %s, got %s" % (shape, d.shape))
        check(d.attrs.get("unit") == unit, name + " unit " + unit)
        check(d[()].shape == shape, name + " readable")
lv, lr = f["lanes/variant"][()], f["lanes/replication"][()]
check(list(lv * R + lr) == list(range(L)), "lanes variant-major")
states = [s if isinstance(s, str) else s.decode() for s in f["stations/state_fraction"].attrs.get("states", [])]
check(states[:4] == ["working", "blocked", "starved", "failed"] and len(states) == K, "states attribute")
if S > 0:
    check(np.allclose(f["stations/state_fraction"][()].sum(axis=2), 1.0), "state rows sum to 1")
sf = f["stations/state_fraction"]
if compressed:
    check(sf.chunks is not None and sf.compression == "gzip" and sf.compression_opts == 4 and sf.shuffle,
          "large dataset chunked, gzip 4, shuffle")
else:
    check(sf.chunks is None and sf.compression is None, "small dataset contiguous")
check(f["kpi/produced"].chunks is None, "small kpi contiguous")
for name in ("produced", "wip_mean"):
    lanes = f["kpi/" + name][()].astype(float).reshape(V, R)
    check(np.allclose(f["summary/%s/mean" % name][()], lanes.mean(axis=1)), "summary mean " + name)
if failures:
    print("h5py check failed:", *failures, sep="\n  ")
    sys.exit(1)
)PY";

void check_with_h5py(const std::string& path, int V, int R, int S, int K, int B, int Q,
                     bool compressed, int P = 2, int O = 1, int Rb = 1) {
  std::ostringstream command;
  command << "/usr/bin/python3 -c '" << kH5pyCheck << "' '" << path << "' " << V << ' ' << R
          << ' ' << S << ' ' << K << ' ' << B << ' ' << Q << ' ' << (compressed ? 1 : 0) << ' '
          << P << ' ' << O << ' ' << Rb;
  CHECK(std::system(command.str().c_str()) == 0);
}

}  // namespace

TEST_CASE("results round-trip through HDF5", "[io]") {
  TempFolder folder;
  const std::string path = (folder.path / "out.h5").string();
  struct Shape { int V, R, S, B, Q; };
  for (const Shape& shape : {Shape{2, 3, 2, 1, 1}, Shape{2, 3, 2, 0, 1}, Shape{1, 1, 0, 0, 0},
                             Shape{3, 2, 3, 2, 2}, Shape{2, 700, 3, 2, 1}}) {
    INFO("V " << shape.V << " R " << shape.R << " S " << shape.S << " B " << shape.B << " Q "
              << shape.Q);
    const BatchResults written = make_results(shape.V, shape.R, shape.S, shape.B, shape.Q);
    write_results(written, path, "0.1.0-test");
    std::string version;
    const BatchResults read = read_results(path, &version);
    CHECK(version == "0.1.0-test");
    check_same(written, read);
  }
  CHECK(folder.entries() == std::vector<std::string>{"out.h5"});  // no temporary left behind
}

TEST_CASE("summary datasets hold the per-variant mean and 95 % half-width", "[io]") {
  TempFolder folder;
  const std::string path = (folder.path / "s.h5").string();
  const BatchResults r = make_results(2, 3, 2, 1, 1);
  write_results(r, path, "test");
  const std::vector<double> produced_mean = read_doubles(path, "/summary/produced/mean");
  REQUIRE(produced_mean.size() == 2);
  for (int v = 0; v < 2; ++v) {
    double sum = 0;
    for (int k = 0; k < 3; ++k) sum += static_cast<double>(r.produced[v * 3 + k]);
    CHECK(produced_mean[v] == Approx(sum / 3).epsilon(1e-15));
  }
  const std::vector<double> wip_mean = read_doubles(path, "/summary/wip_mean/mean");
  CHECK(wip_mean[1] == Approx((r.wip_mean[3] + r.wip_mean[4] + r.wip_mean[5]) / 3));
  // produced = 1000 + 7 l: s = 7 per variant, half-width t_{0.975,2} * 7 / sqrt(3).
  const std::vector<double> produced_ci = read_doubles(path, "/summary/produced/ci95");
  CHECK(std::fabs(produced_ci[0] - 4.30265272975 * 7 / std::sqrt(3.0)) < 1e-8);
  // Lead time lane 1 is NaN: variant 0 averages lanes 0 and 2 only.
  const std::vector<double> lead_mean = read_doubles(path, "/summary/lead_time_mean_s/mean");
  CHECK(lead_mean[0] == Approx((r.lead_time_mean_s[0] + r.lead_time_mean_s[2]) / 2));
  const std::vector<double> lead_ci = read_doubles(path, "/summary/lead_time_mean_s/ci95");
  CHECK(std::fabs(lead_ci[0] - 12.7062047362 * std::sqrt(2.0) / std::sqrt(2.0)) < 1e-8);
  // One replication: half-width 0.
  const std::string single = (folder.path / "single.h5").string();
  write_results(make_results(2, 1, 1, 1, 1), single, "test");
  CHECK(read_doubles(single, "/summary/throughput_per_h/ci95") == std::vector<double>{0.0, 0.0});
}

TEST_CASE("write_results is atomic", "[io]") {
  TempFolder folder;
  const BatchResults r = make_results(2, 3, 2, 1, 1);

  SECTION("a folder that does not exist: throws naming the path, creates nothing") {
    const fs::path missing = folder.path / "no-such-folder";
    const std::string path = (missing / "out.h5").string();
    try {
      write_results(r, path, "test");
      FAIL("write_results did not throw");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).rfind(path + ":", 0) == 0);
    }
    CHECK_FALSE(fs::exists(missing));
    CHECK(folder.entries().empty());
  }
  SECTION("the rename fails (a folder holds the name): the temporary is removed") {
    const fs::path target = folder.path / "out.h5";
    fs::create_directory(target);
    CHECK_THROWS_AS(write_results(r, target.string(), "test"), std::runtime_error);
    CHECK(folder.entries() == std::vector<std::string>{"out.h5"});
    CHECK(fs::is_directory(target));
  }
  SECTION("inconsistent results: throws before touching the disk") {
    BatchResults bad = r;
    bad.wip_mean.pop_back();
    const std::string path = (folder.path / "out.h5").string();
    CHECK_THROWS_AS(write_results(bad, path, "test"), std::runtime_error);
    CHECK(folder.entries().empty());
  }
  SECTION("an existing file is replaced whole") {
    const std::string path = (folder.path / "out.h5").string();
    write_results(make_results(3, 2, 3, 2, 2), path, "old");
    write_results(r, path, "new");
    std::string version;
    check_same(r, read_results(path, &version));
    CHECK(version == "new");
    CHECK(folder.entries() == std::vector<std::string>{"out.h5"});
  }
}

TEST_CASE("read_results refuses files that are not plantwin results", "[io]") {
  TempFolder folder;
  auto refused = [](const std::string& path) {
    try {
      read_results(path);
    } catch (const std::runtime_error& e) {
      return std::string(e.what()).rfind(path + ": not a plantwin results file (", 0) == 0;
    }
    return false;
  };
  CHECK(refused((folder.path / "missing.h5").string()));

  const std::string text = (folder.path / "text.h5").string();
  std::ofstream(text) << "not hdf5\n";
  CHECK(refused(text));

  // An HDF5 file without a format attribute, and one with another format.
  const std::string bare = (folder.path / "bare.h5").string();
  H5Fclose(H5Fcreate(bare.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  CHECK(refused(bare));
  const std::string other = (folder.path / "other.h5").string();
  {
    const hid_t file = H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attribute = H5Acreate2(file, "format", type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char* value = "something-else/2";
    H5Awrite(attribute, type, &value);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
  }
  CHECK(refused(other));
}

TEST_CASE("the results file reads with h5py as the contract says", "[io][h5py]") {
  if (!has_h5py()) {
    WARN("skipped: /usr/bin/python3 cannot import h5py");
    return;
  }
  TempFolder folder;
  SECTION("small: 2 variants x 3 replications, 2 stations, 1 buffer") {
    const std::string path = (folder.path / "small.h5").string();
    write_results(make_results(2, 3, 2, 1, 1), path, "test");
    check_with_h5py(path, 2, 3, 2, 5, 1, 1, false);
  }
  SECTION("no buffers and no sources: zero-length datasets") {
    const std::string path = (folder.path / "empty.h5").string();
    write_results(make_results(2, 3, 2, 0, 0), path, "test");
    check_with_h5py(path, 2, 3, 2, 5, 0, 0, false);
  }
  SECTION("no operators and no robots: empty name lists, [L, 0] utilisation") {
    const std::string path = (folder.path / "nores.h5").string();
    write_results(make_results(2, 3, 2, 1, 1, 1, 0, 0), path, "test");
    check_with_h5py(path, 2, 3, 2, 5, 1, 1, false, 1, 0, 0);
  }
  SECTION("without factory KPIs: none of their datasets") {
    const std::string path = (folder.path / "old.h5").string();
    write_results(make_results(2, 3, 2, 1, 1, 0, 0, 0), path, "test");
    check_with_h5py(path, 2, 3, 2, 5, 1, 1, false, 0, 0, 0);
  }
  SECTION("large: chunked and compressed") {
    const std::string path = (folder.path / "large.h5").string();
    write_results(make_results(2, 600, 2, 1, 1), path, "test");  // [1200, 2, 5] state fractions
    check_with_h5py(path, 2, 600, 2, 5, 1, 1, true);
  }
}

TEST_CASE("print_kpi_table shows every variant, station and buffer", "[io]") {
  const BatchResults r = make_results(2, 3, 2, 1, 1);
  std::ostringstream out;
  print_kpi_table(out, r);
  const std::string text = out.str();
  for (const std::string& expected :
       {std::string("Linie Süd"), std::string("baseline"), std::string("buf1.capacity=5"),
        std::string("st0"), std::string("st1"), std::string("buf0"), std::string("working"),
        std::string("failed"), std::string("±"), std::string("28800 s (8 h)")})
    CHECK(text.find(expected) != std::string::npos);
  // produced of the baseline: mean 1007, half-width 4.30265 * 7 / sqrt(3) = 17.39.
  CHECK(text.find("1007 ± 17") != std::string::npos);
}

TEST_CASE("factory KPIs round-trip, with and without operators and robots", "[io][results]") {
  TempFolder folder;
  const std::string path = (folder.path / "f.h5").string();
  struct Shape { int V, R, S, B, Q, P, O, Rb; };
  for (const Shape& x : {Shape{2, 3, 2, 1, 1, 2, 1, 1}, Shape{1, 4, 3, 2, 1, 3, 2, 3},
                         Shape{2, 2, 2, 0, 1, 1, 0, 0}, Shape{1, 1, 0, 0, 0, 1, 0, 0}}) {
    INFO("V " << x.V << " R " << x.R << " S " << x.S << " P " << x.P << " O " << x.O << " Rb " << x.Rb);
    const BatchResults written = make_results(x.V, x.R, x.S, x.B, x.Q, x.P, x.O, x.Rb);
    REQUIRE(written.has_factory_kpis());
    write_results(written, path, "test");
    const BatchResults read = read_results(path);
    CHECK(read.has_factory_kpis());
    check_same(written, read);
    CHECK(read.pool_names.size() == static_cast<size_t>(x.O));
    CHECK(read.robot_names.size() == static_cast<size_t>(x.Rb));
    // Empty groups are written, not omitted.
    CHECK(has_link(path, "/operators/name"));
    CHECK(has_link(path, "/robots/utilisation"));
  }
  CHECK(read_string_attribute(path, "/stations/bottleneck", "method") ==
        "active period (Roser 2001): longest mean active period");
  CHECK(read_string_attribute(path, "/stations/oee", "unit") == "1");
  CHECK(read_string_attribute(path, "/kpi/lead_time_p95_s", "unit") == "s");
}

TEST_CASE("lead-time percentile summaries ignore NaN lanes", "[io][results]") {
  TempFolder folder;
  const std::string path = (folder.path / "p.h5").string();
  const BatchResults r = make_results(2, 3, 2, 1, 1);  // lane 1 has no lead times
  write_results(r, path, "test");
  for (const char* kpi : {"lead_time_p50_s", "lead_time_p90_s", "lead_time_p95_s", "lead_time_max_s"}) {
    INFO(kpi);
    const std::vector<double> mean = read_doubles(path, std::string("/summary/") + kpi + "/mean");
    REQUIRE(mean.size() == 2);
    const std::vector<double>& lanes = std::string(kpi) == "lead_time_p50_s"   ? r.lead_time_p50_s
                                       : std::string(kpi) == "lead_time_p90_s" ? r.lead_time_p90_s
                                       : std::string(kpi) == "lead_time_p95_s" ? r.lead_time_p95_s
                                                                               : r.lead_time_max_s;
    CHECK(mean[0] == Approx((lanes[0] + lanes[2]) / 2));
    CHECK(mean[1] == Approx((lanes[3] + lanes[4] + lanes[5]) / 3));
    CHECK(read_doubles(path, std::string("/summary/") + kpi + "/diff_mean")[0] == 0.0);
  }
}

TEST_CASE("a results file from before the factory KPIs still reads", "[io][results]") {
  TempFolder folder;
  SECTION("datasets removed from a new file") {
    const std::string path = (folder.path / "old.h5").string();
    const BatchResults full = make_results(2, 3, 2, 1, 1);
    write_results(full, path, "0.1.0");
    strip_factory_kpis(path);
    const BatchResults read = read_results(path);
    CHECK_FALSE(read.has_factory_kpis());
    BatchResults expected = make_results(2, 3, 2, 1, 1, 0, 0, 0);
    check_same(expected, read);
    for (const auto* v : {&read.lead_time_p50_s, &read.station_oee, &read.bottleneck_share,
                          &read.operator_utilisation, &read.robot_utilisation})
      CHECK(v->empty());
    CHECK(read.bottleneck.empty());
    CHECK(read.buffer_max_level.empty());
    // It prints, and writes back without the factory datasets.
    std::ostringstream out;
    print_kpi_table(out, read);
    CHECK(out.str().find("OEE") == std::string::npos);
    const std::string again = (folder.path / "again.h5").string();
    write_results(read, again, "test");
    CHECK_FALSE(has_link(again, "/parts"));
    check_same(read, read_results(again));
  }
  SECTION("a file with four states") {
    const std::string path = (folder.path / "four.h5").string();
    BatchResults r = make_results(1, 2, 2, 1, 1, 0, 0, 0);
    r.state_names = {"working", "blocked", "starved", "failed"};
    r.state_fraction.clear();
    for (int64_t l = 0; l < r.lanes; ++l)
      for (int s = 0; s < 2; ++s)
        for (double x : {0.5, 0.2, 0.2, 0.1}) r.state_fraction.push_back(x);
    write_results(r, path, "0.1.0");
    check_same(r, read_results(path));
  }
}

TEST_CASE("a file with only part of the factory KPIs is corrupt", "[io][results]") {
  TempFolder folder;
  const std::string path = (folder.path / "half.h5").string();
  write_results(make_results(2, 3, 2, 1, 1), path, "test");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  REQUIRE(H5Ldelete(file, "/stations/oee", H5P_DEFAULT) >= 0);
  H5Fclose(file);
  try {
    read_results(path);
    FAIL("read_results did not throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("corrupt results file") != std::string::npos);
    CHECK(std::string(e.what()).find("/stations/oee") != std::string::npos);
  }
}

TEST_CASE("write_results refuses inconsistent factory KPIs", "[io][results]") {
  TempFolder folder;
  const std::string path = (folder.path / "bad.h5").string();
  const BatchResults good = make_results(2, 3, 2, 1, 1);
  auto refused = [&](const BatchResults& r, const std::string& what) {
    try {
      write_results(r, path, "test");
    } catch (const std::runtime_error& e) {
      return std::string(e.what()).find(what) != std::string::npos;
    }
    return false;
  };
  BatchResults bad = good;
  bad.station_quality.pop_back();
  CHECK(refused(bad, "station_quality"));
  bad = good;
  bad.bottleneck_share.push_back(0);
  CHECK(refused(bad, "bottleneck_share"));
  bad = good;
  bad.bottleneck[0] = 2;  // only stations 0 and 1
  CHECK(refused(bad, "bottleneck of lane 0"));
  bad = good;
  bad.part_names.clear();  // no part types but per-part data
  CHECK(refused(bad, "no factory KPIs"));
  CHECK(folder.entries().empty());
}

TEST_CASE("print_kpi_table shows lead-time percentiles, OEE and bottleneck share", "[io][results]") {
  BatchResults r = make_results(2, 3, 2, 1, 1);
  std::ostringstream out;
  print_kpi_table(out, r);
  const std::string text = out.str();
  for (const char* expected : {"p50 [s]", "p95 [s]", "max [s]", "OEE [%]", "bottleneck [% of replications]"})
    CHECK(text.find(expected) != std::string::npos);
  // Baseline p50: lanes 0 and 2 (lane 1 is NaN): 250, 252 -> mean 251.
  CHECK(text.find("251.0 ± ") != std::string::npos);
  // Extension states all zero here but 'setup' (state 4 of make_results): it is shown;
  // a state never entered is not.
  CHECK(text.find("setup [%]") != std::string::npos);
  r.state_names.push_back("off_shift");
  std::vector<double> fractions;
  for (size_t i = 0; i < r.state_fraction.size(); i += 5) {
    fractions.insert(fractions.end(), r.state_fraction.begin() + i, r.state_fraction.begin() + i + 5);
    fractions.push_back(0.0);
  }
  r.state_fraction = fractions;
  std::ostringstream again;
  print_kpi_table(again, r);
  CHECK(again.str().find("off_shift") == std::string::npos);
}

// ---- engine/stats: percentiles from the lead-time histogram, OEE, bottleneck ----

TEST_CASE("lead_time_quantile of exponential samples is within 3 % of the exact quantile",
          "[results][stats]") {
  for (double mean : {0.9, 40.0, 300.0, 7200.0}) {
    INFO("mean " << mean);
    std::mt19937_64 rng(20261128);
    std::exponential_distribution<double> exponential(1.0 / mean);
    std::vector<int32_t> hist(stats::kLeadBins, 0);
    std::vector<double> samples;
    double max = 0;
    for (int i = 0; i < 100000; ++i) {
      const double x = exponential(rng);
      ++hist[stats::lead_bin(x)];
      samples.push_back(x);
      max = std::max(max, x);
    }
    std::sort(samples.begin(), samples.end());
    for (double q : {0.5, 0.9, 0.95, 0.99}) {
      INFO("q " << q);
      const double exact = -std::log(1 - q) * mean;
      const double estimate = lead_time_quantile(hist.data(), q, max);
      CHECK(std::fabs(estimate / exact - 1) < 0.03);
      // Against the sample's own quantile the histogram costs far less than a bin's 6.25 %.
      const double sample = samples[static_cast<size_t>(q * samples.size()) - 1];
      CHECK(std::fabs(estimate / sample - 1) < 0.005);
    }
    CHECK(lead_time_quantile(hist.data(), 1.0, max) == max);
    CHECK(lead_time_quantile(hist.data(), 0.999999, max) <= max);
  }
}

TEST_CASE("lead_time_quantile interpolates inside a bin and clamps to the maximum", "[results][stats]") {
  std::vector<int32_t> hist(stats::kLeadBins, 0);
  CHECK(std::isnan(lead_time_quantile(hist.data(), 0.5, 0)));  // nothing produced
  // 100 s lies in the bin [96, 100) (2^6 * (1 + 9/16) = 100 is the next edge), so take 96..100.
  const int b = stats::lead_bin(97.0);
  REQUIRE(stats::lead_bin_lower(b) == 96.0);
  REQUIRE(stats::lead_bin_upper(b) == 100.0);
  hist[b] = 4;
  hist[b + 1] = 4;  // [100, 104)
  // Median: cumulative 4 of 8 at the end of bin b.
  CHECK(lead_time_quantile(hist.data(), 0.5, 103.0) == Approx(100.0));
  // q = 0.25: half-way through bin b.
  CHECK(lead_time_quantile(hist.data(), 0.25, 103.0) == Approx(98.0));
  // q = 0.75: half-way through bin b + 1, whose upper edge is the maximum 103 (it holds it).
  CHECK(lead_time_quantile(hist.data(), 0.75, 103.0) == Approx(101.5));
  CHECK(lead_time_quantile(hist.data(), 1.0, 103.0) == 103.0);
  // One part: every quantile clamps to it.
  std::vector<int32_t> one(stats::kLeadBins, 0);
  one[stats::lead_bin(42.0)] = 1;
  CHECK(lead_time_quantile(one.data(), 0.5, 42.0) <= 42.0);
  CHECK(lead_time_quantile(one.data(), 0.95, 42.0) <= 42.0);
  CHECK(lead_time_quantile(one.data(), 0.95, 42.0) >= stats::lead_bin_lower(stats::lead_bin(42.0)));
  // Beyond the last bin's nominal edge: interpolated up to the maximum.
  std::vector<int32_t> top(stats::kLeadBins, 0);
  top[stats::kLeadBins - 1] = 2;
  const double huge = 5e6;
  CHECK(stats::lead_bin(huge) == stats::kLeadBins - 1);
  const double lower = stats::lead_bin_lower(stats::kLeadBins - 1);
  CHECK(lead_time_quantile(top.data(), 0.5, huge) == Approx((lower + huge) / 2));
  CHECK(std::isnan(lead_time_quantile(hist.data(), 1.5, 103.0)));
}

TEST_CASE("OEE from hand-computed numbers", "[results][stats]") {
  // Two servers over 1000 s each = 2000 server-seconds: working 1000, blocked 200, starved 100,
  // failed 150, setup 50, waiting for an operator 100, off shift 400.
  const double states[7] = {1000, 200, 100, 150, 50, 100, 400};
  // planned = 2000 - 400 = 1600; downtime = 150 + 50 + 100 = 300; run = 1300.
  // 90 parts of type A (ideal 10 s) and 20 of type B (ideal 5 s): ideal = 900 + 100 = 1000 s.
  // 110 done, 4 scrapped, 7 reworked: good 99.
  const Oee o = station_oee(states, 7, 1000.0, 110, 4, 7);
  CHECK(o.availability == Approx(1300.0 / 1600.0));
  CHECK(o.performance == Approx(1000.0 / 1300.0));
  CHECK(o.quality == Approx(99.0 / 110.0));
  CHECK(o.oee == Approx(1300.0 / 1600 * 1000.0 / 1300 * 99.0 / 110));
  CHECK(o.oee == Approx(0.5625));  // 1000 * 0.9 / 1600
  // The contract's four states only.
  const double four[4] = {600, 100, 200, 100};
  const Oee f = station_oee(four, 4, 540.0, 60, 0, 0);
  CHECK(f.availability == Approx(0.9));
  CHECK(f.performance == Approx(0.6));
  CHECK(f.quality == 1.0);
  CHECK(f.oee == Approx(0.54));
  // Nothing processed: quality and performance's numerator undefined / zero, OEE 0.
  const double idle[7] = {0, 0, 1000, 0, 0, 0, 0};
  const Oee i = station_oee(idle, 7, 0.0, 0, 0, 0);
  CHECK(i.availability == 1.0);
  CHECK(i.performance == 0.0);
  CHECK(std::isnan(i.quality));
  CHECK(i.oee == 0.0);
  // Off shift the whole horizon: nothing planned, everything undefined.
  const double off[7] = {0, 0, 0, 0, 0, 0, 1000};
  const Oee n = station_oee(off, 7, 0.0, 0, 0, 0);
  CHECK(std::isnan(n.availability));
  CHECK(std::isnan(n.performance));
  CHECK(std::isnan(n.quality));
  CHECK(std::isnan(n.oee));
  // Failed all the planned time: run 0, performance undefined, availability 0.
  const Oee d = compute_oee(500, 500, 0, 0, 0, 0);
  CHECK(d.availability == 0.0);
  CHECK(std::isnan(d.performance));
  CHECK(d.oee == 0.0);
}

TEST_CASE("active-period bottleneck and its share per variant", "[results][stats]") {
  const double active[4] = {100, 300, 300, 50};
  const int64_t periods[4] = {1, 2, 2, 0};  // means 100, 150, 150, none
  CHECK(active_period_bottleneck(active, periods, 4) == 1);  // tie 1 / 2: the lower index
  const int64_t none[4] = {0, 0, 0, 0};
  CHECK(active_period_bottleneck(active, none, 4) == -1);
  CHECK(active_period_bottleneck(active, periods, 0) == -1);
  // 2 variants x 4 replications, 3 stations.
  const std::vector<int32_t> bottleneck = {0, 0, 2, -1, 1, 1, 1, 1};
  const std::vector<double> share = bottleneck_shares(bottleneck, 2, 4, 3);
  CHECK(share == std::vector<double>{0.5, 0.0, 0.25, 0.0, 1.0, 0.0});
}

// ---- physical conveyors: /physics ----

TEST_CASE("physics results and trajectories round-trip through HDF5", "[io][physics]") {
  TempFolder folder;
  const std::string path = (folder.path / "phys.h5").string();
  BatchResults written = make_results(2, 3, 2, 1, 1);
  // Recorded in the order asked (not by lane): a small one, an empty one (no step taken), a
  // large one (chunked and compressed), one with no body slot.
  add_physics(written, "bullet", {{4, 5, 3}, {1, 0, 2}, {0, 400, 4}, {5, 3, 0}});
  write_results(written, path, "test");
  const BatchResults read = read_results(path);
  REQUIRE(read.has_physics());
  check_same(written, read);
  REQUIRE(read.trajectories.size() == 4);
  CHECK(read.trajectories[0].lane == 4);
  CHECK(read.trajectories[1].time_s.empty());
  CHECK(read.trajectories[1].bodies == 2);
  CHECK(std::isnan(read.trajectories[0].pose[2 * 7]));  // step 0, body 2 is free
  CHECK(read_string_attribute(path, "/physics/lost", "unit") == "parts");
  CHECK(read_string_attribute(path, "/physics/contact_overflow", "unit") == "steps");
  CHECK(read_string_attribute(path, "/physics/steps", "unit") == "steps");
  CHECK(read_string_attribute(path, "/physics/trajectory/4", "columns") == "x_m y_m z_m qw qx qy qz");
  CHECK(read_string_attribute(path, "/physics/trajectory_time_s/4", "unit") == "s");
  CHECK(read_doubles(path, "/physics/trajectory_time_s/0") == written.trajectories[2].time_s);

  SECTION("without recorded lanes: empty trajectory groups") {
    BatchResults none = written;
    none.trajectories.clear();
    none.physics_engine = "plantwin";
    write_results(none, path, "test");
    const BatchResults again = read_results(path);
    check_same(none, again);
    CHECK(has_link(path, "/physics/trajectory"));
  }
  SECTION("it prints and writes back the same") {
    std::ostringstream out;
    print_kpi_table(out, read);
    CHECK(out.str().find("Physics") != std::string::npos);
    const std::string again = (folder.path / "again.h5").string();
    write_results(read, again, "test");
    check_same(read, read_results(again));
  }
}

TEST_CASE("a results file without /physics reads without physics", "[io][physics]") {
  TempFolder folder;
  const std::string path = (folder.path / "plain.h5").string();
  write_results(make_results(2, 3, 2, 1, 1), path, "test");
  CHECK_FALSE(has_link(path, "/physics"));
  const BatchResults read = read_results(path);
  CHECK_FALSE(read.has_physics());
  CHECK(read.physics_engine.empty());
  CHECK(read.physics_steps.empty());
  CHECK(read.trajectories.empty());
  std::ostringstream out;
  print_kpi_table(out, read);
  CHECK(out.str().find("Physics") == std::string::npos);
}

TEST_CASE("a file with /physics but a trajectory's times missing is corrupt", "[io][physics]") {
  TempFolder folder;
  const std::string path = (folder.path / "half.h5").string();
  BatchResults r = make_results(1, 2, 1, 1, 1);
  add_physics(r, "plantwin", {{1, 4, 2}});
  write_results(r, path, "test");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  REQUIRE(H5Ldelete(file, "/physics/trajectory_time_s/1", H5P_DEFAULT) >= 0);
  H5Fclose(file);
  try {
    read_results(path);
    FAIL("read_results did not throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("corrupt results file") != std::string::npos);
    CHECK(std::string(e.what()).find("/physics/trajectory_time_s/1") != std::string::npos);
  }
}

TEST_CASE("write_results refuses inconsistent physics", "[io][physics]") {
  TempFolder folder;
  const std::string path = (folder.path / "bad.h5").string();
  BatchResults good = make_results(2, 3, 2, 1, 1);
  add_physics(good, "plantwin", {{2, 3, 2}});
  auto refused = [&](const BatchResults& r, const std::string& what) {
    try {
      write_results(r, path, "test");
    } catch (const std::runtime_error& e) {
      INFO(e.what());
      return std::string(e.what()).find(what) != std::string::npos;
    }
    return false;
  };
  BatchResults bad = good;
  bad.physics_steps.pop_back();
  CHECK(refused(bad, "physics_steps"));
  bad = good;
  bad.trajectories[0].pose.pop_back();
  CHECK(refused(bad, "trajectory of lane 2"));
  bad = good;
  bad.trajectories[0].lane = 6;  // lanes 0..5
  CHECK(refused(bad, "not a lane of this batch"));
  bad = good;
  bad.trajectories.push_back(bad.trajectories[0]);
  CHECK(refused(bad, "given twice"));
  bad = good;
  bad.physics_engine.clear();
  CHECK(refused(bad, "physics_engine"));
  bad = make_results(2, 3, 2, 1, 1);
  bad.trajectories.push_back(make_trajectory(0, 2, 1));  // no physics counters
  CHECK(refused(bad, "trajectories"));
  CHECK(folder.entries().empty());
}

TEST_CASE("the physics datasets read with h5py", "[io][physics][h5py]") {
  if (!has_h5py()) {
    WARN("skipped: /usr/bin/python3 cannot import h5py");
    return;
  }
  TempFolder folder;
  const std::string path = (folder.path / "phys.h5").string();
  BatchResults r = make_results(2, 3, 2, 1, 1);
  add_physics(r, "bullet", {{4, 5, 3}, {1, 0, 2}, {0, 400, 4}});
  r.physics_contact_overflow[3] = 7;
  write_results(r, path, "test");
  const char* const script = R"PY(
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
failures = []
def check(ok, what):
    if not ok:
        failures.append(what)
check(f.attrs.get("physics_engine") == "bullet", "root attribute physics_engine")
for name, unit in (("lost", "parts"), ("contact_overflow", "steps"), ("steps", "steps")):
    d = f["physics/" + name]
    check(d.dtype == np.int64 and d.shape == (6,) and d.attrs.get("unit") == unit, "physics/" + name)
check(list(f["physics/contact_overflow"][()]) == [0, 0, 0, 7, 0, 0], "overflow values")
check(list(f["physics/lost"][()]) == [0, 1, 0, 0, 0, 5], "lost values")
check(sorted(f["physics/trajectory"].keys()) == ["0", "1", "4"], "trajectory members")
check(list(f["physics/trajectory"].attrs["lanes"]) == [4, 1, 0], "lanes in the order asked")
for lane, steps, bodies in ((4, 5, 3), (1, 0, 2), (0, 400, 4)):
    p = f["physics/trajectory/%d" % lane]
    t = f["physics/trajectory_time_s/%d" % lane]
    check(p.dtype == np.float64 and p.shape == (steps, bodies, 7), "trajectory %d shape %s" % (lane, p.shape))
    check(t.dtype == np.float64 and t.shape == (steps,) and t.attrs.get("unit") == "s", "time %d" % lane)
    check(p.attrs.get("columns") == "x_m y_m z_m qw qx qy qz" and int(p.attrs.get("lane")) == lane,
          "attributes of trajectory %d" % lane)
    check(p[()].shape == (steps, bodies, 7) and t[()].shape == (steps,), "readable %d" % lane)
small = f["physics/trajectory/4"][()]
check(np.isnan(small[0, 2]).all() and not np.isnan(small[0, 0]).any(), "free slot is a NaN row")
check(np.allclose(small[0, 0], [0, 0, 1.075, 1, 0, 0, 0]), "pose of step 0, body 0")
big = f["physics/trajectory/0"]
check(big.chunks is not None and big.compression == "gzip" and big.shuffle, "large trajectory chunked, gzip")
check(f["physics/trajectory/4"].chunks is None, "small trajectory contiguous")
check(np.all(np.diff(f["physics/trajectory_time_s/0"][()]) > 0), "times increase")
if failures:
    print("h5py check failed:", *failures, sep="\n  ")
    sys.exit(1)
)PY";
  std::ostringstream command;
  command << "/usr/bin/python3 -c '" << script << "' '" << path << "'";
  CHECK(std::system(command.str().c_str()) == 0);
}

TEST_CASE("print_kpi_table shows the physics block and warns on contact overflow", "[io][physics]") {
  BatchResults r = make_results(2, 3, 2, 1, 1);
  add_physics(r, "plantwin", {});
  // lost: lanes 1 and 5 -> 1 + 5 = 6 parts in 2 of 6 lanes; steps 1000000 + 13 l: mean 1000032.5.
  std::ostringstream out;
  print_kpi_table(out, r);
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("Physics") != std::string::npos);
  CHECK(text.find("plantwin") != std::string::npos);
  CHECK(text.find("6 (in 2 of 6 lanes)") != std::string::npos);
  CHECK(text.find("0 steps (in 0 of 6 lanes)") != std::string::npos);
  CHECK(text.find("per lane (mean)") != std::string::npos);
  CHECK(text.find("warning") == std::string::npos);
  r.physics_contact_overflow[2] = 3;
  std::ostringstream again;
  print_kpi_table(again, r);
  CHECK(again.str().find("3 steps (in 1 of 6 lanes)") != std::string::npos);
  CHECK(again.str().find("warning: contact points were dropped in 1 of 6 lanes") != std::string::npos);
  CHECK(again.str().find("not trustworthy") != std::string::npos);
}
