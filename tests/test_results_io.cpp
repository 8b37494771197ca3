// The results file: write -> read round trip, the summary, atomic replacement, the reader's
// refusals, and an independent reading with h5py against the contract's names.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <stdlib.h>

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

#include "engine/batch/batch_results.h"
#include "engine/io/kpi_table.h"
#include "engine/io/results_reader.h"
#include "engine/io/results_writer.h"

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
BatchResults make_results(int V, int R, int S, int B, int Q) {
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
for kpi, unit in [("produced", "parts"), ("throughput_per_h", "parts/h"), ("wip_mean", "parts"),
                  ("lead_time_mean_s", "s"), ("events", "events")]:
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
                     bool compressed) {
  std::ostringstream command;
  command << "/usr/bin/python3 -c '" << kH5pyCheck << "' '" << path << "' " << V << ' ' << R
          << ' ' << S << ' ' << K << ' ' << B << ' ' << Q << ' ' << (compressed ? 1 : 0);
  CHECK(std::system(command.str().c_str()) == 0);
}

}  // namespace

TEST_CASE("results round-trip through HDF5", "[io]") {
  TempFolder folder;
  const std::string path = (folder.path / "out.h5").string();
  struct Shape { int V, R, S, B, Q; };
  for (const Shape& shape : {Shape{2, 3, 2, 1, 1}, Shape{2, 3, 2, 0, 1}, Shape{1, 1, 0, 0, 0},
                             Shape{3, 2, 3, 2, 2}}) {
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
