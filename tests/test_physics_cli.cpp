// `plantwin run` with physical conveyors (model: physics), run as a real process in a fresh
// temporary folder: /physics in the results file, --record-lanes trajectories, --physics
// bullet, and the refusals (exit 2, no results file) of bad lane lists and of Bullet on the cuda backend.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/batch/batch_results.h"
#include "engine/io/results_reader.h"
#include "tests/cli_support.h"

namespace fs = std::filesystem;

namespace {

using plantwin::test::TempDir;
using Result = plantwin::test::CliResult;
const auto cli = plantwin::test::run_plantwin;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One 2 m physical belt at 1 m height: a part every 4 s, crossing in about 4 s, a 2 s station.
// 60 s of 2 replications: lanes 0 and 1.
const char* const kScene =
    "plantwin: 1\n"
    "name: physics-cli\n"
    "run: {horizon: 60s, warmup: 0s, replications: 2, seed: 3}\n"
    "parts:\n"
    "  box: {size: [0.3, 0.2, 0.15], mass: 1}\n"
    "elements:\n"
    "  src: {type: source, interarrival: 4s, to: belt}\n"
    "  belt: {type: conveyor, model: physics, speed: 0.5, friction: 0.5, width: 0.5,\n"
    "         path: [[0, 0, 1], [2, 0, 1]], to: m1}\n"
    "  m1: {type: station, process: 2s, to: done}\n"
    "  done: {type: sink}\n";

// Writes the scene into `dir` and returns its file name (relative to `dir`).
std::string write_scene(const TempDir& dir) {
  std::ofstream(dir.path / "belt.yaml") << kScene;
  return "belt.yaml";
}

bool has_h5py() { return std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0; }

// The file's /physics read by h5py: argv = path, expected engine, recorded lane.
const char* const kH5pyCheck = R"PY(
import sys, h5py, numpy as np
path, engine, lane = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []
def check(ok, what):
    if not ok:
        failures.append(what)
f = h5py.File(path, "r")
check(f.attrs.get("physics_engine") == engine, "physics_engine %s" % f.attrs.get("physics_engine"))
check(list(f["physics/lost"][()]) == [0, 0], "lost %s" % list(f["physics/lost"][()]))
check(list(f["physics/contact_overflow"][()]) == [0, 0], "contact_overflow")
check(f["physics/lost"].attrs.get("unit") == "parts", "lost unit")
check(f["physics/contact_overflow"].attrs.get("unit") == "steps", "contact_overflow unit")
check(all(s > 0 for s in f["physics/steps"][()]), "steps > 0")
p = f["physics/trajectory/" + lane][()]
t = f["physics/trajectory_time_s/" + lane][()]
check(p.ndim == 3 and p.shape[2] == 7, "trajectory shape %s" % (p.shape,))
check(len(t) > 0 and p.shape[0] == len(t), "steps %d, times %d" % (p.shape[0], len(t)))
check(np.all(np.diff(t) > 0), "times strictly increasing")
check(np.allclose(t / 0.002, np.round(t / 0.002), atol=1e-6, rtol=0), "times multiples of 0.002 s")
rows = p.reshape(-1, 7)
live = rows[~np.isnan(rows).any(axis=1)]
check(len(live) > 0, "some pose")
if len(live) > 0:
    check(abs(live[0, 2] - 1.075) < 1e-3, "first pose z %.6f, expected 1.075" % live[0, 2])
    check(abs(np.linalg.norm(live[0, 3:]) - 1) < 1e-6, "unit quaternion")
check(f["physics/trajectory/" + lane].attrs.get("columns") == "x_m y_m z_m qw qx qy qz", "columns")
if failures:
    print("h5py check failed:", *failures, sep="\n  ")
    sys.exit(1)
)PY";

void check_with_h5py(const TempDir& dir, const std::string& file, const std::string& engine, int lane) {
  if (!has_h5py()) {
    WARN("h5py missing: the file is checked with the results reader only");
    return;
  }
  const std::string command = "/usr/bin/python3 -c " + plantwin::test::shell_quote(kH5pyCheck) + " " +
                              plantwin::test::shell_quote((dir.path / file).string()) + " " + engine + " " +
                              std::to_string(lane);
  CHECK(std::system(command.c_str()) == 0);
}

// The same checks with the results reader.
void check_with_reader(const TempDir& dir, const std::string& file, const std::string& engine, int64_t lane) {
  const plantwin::BatchResults r = plantwin::read_results((dir.path / file).string());
  REQUIRE(r.has_physics());
  CHECK(r.physics_engine == engine);
  CHECK(r.physics_lost == std::vector<int64_t>{0, 0});
  CHECK(r.physics_contact_overflow == std::vector<int64_t>{0, 0});
  CHECK(r.produced[0] > 0);
  REQUIRE(r.trajectories.size() == 1);
  const plantwin::LaneTrajectory& t = r.trajectories[0];
  CHECK(t.lane == lane);
  REQUIRE(!t.time_s.empty());
  REQUIRE(t.bodies > 0);
  REQUIRE(t.pose.size() == t.time_s.size() * static_cast<size_t>(t.bodies) * 7);
  for (size_t k = 0; k < t.time_s.size(); ++k) {
    if (k > 0 && !(t.time_s[k] > t.time_s[k - 1])) FAIL_CHECK("time " << k << " does not increase");
    const double steps = t.time_s[k] / 0.002;
    if (std::fabs(steps - std::round(steps)) > 1e-6) FAIL_CHECK("time " << t.time_s[k] << " not a multiple of 2 ms");
  }
  for (size_t row = 0; row * 7 < t.pose.size(); ++row) {
    if (std::isnan(t.pose[row * 7])) continue;
    CHECK(t.pose[row * 7 + 2] == Approx(1.075).margin(1e-3));  // resting on the belt at z = 1
    break;
  }
}

}  // namespace

TEST_CASE("run --record-lanes writes /physics and the lane's trajectory", "[physics][cli]") {
  TempDir dir;
  const std::string scene = write_scene(dir);
  const Result r = cli(dir, {"run", scene, "--backend", "cpu", "--record-lanes", "1", "-o", "out.h5"});
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "Physics"));
  CHECK(contains(r.err, "physics plantwin"));
  check_with_reader(dir, "out.h5", "plantwin", 1);
  check_with_h5py(dir, "out.h5", "plantwin", 1);

  // info prints the physics block of the file.
  const Result info = cli(dir, {"info", "out.h5"});
  CHECK(info.status == 0);
  CHECK(contains(info.out, "Physics"));
  CHECK(contains(info.out, "parts lost"));
}

TEST_CASE("run --physics bullet: the Bullet reference on the cpu", "[physics][cli]") {
  TempDir dir;
  const std::string scene = write_scene(dir);
  const Result r = cli(dir, {"run", scene, "--physics", "bullet", "--record-lanes", "0", "-o", "b.h5"});
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.status == 0);
  // --backend auto: the cpu, and the line says why.
  CHECK(contains(r.err, "backend cpu"));
  CHECK(contains(r.err, "physics bullet"));
  check_with_reader(dir, "b.h5", "bullet", 0);
  check_with_h5py(dir, "b.h5", "bullet", 0);
}

TEST_CASE("run with a physical conveyor and --backend auto uses the cpu and says so", "[physics][cli]") {
  TempDir dir;
  const std::string scene = write_scene(dir);
  const Result r = cli(dir, {"run", scene, "--replications", "1", "--horizon", "10s", "-o", "a.h5"});
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.err, "auto: physical conveyors run on the cpu backend"));
  const plantwin::BatchResults res = plantwin::read_results((dir.path / "a.h5").string());
  CHECK(res.backend == "cpu");
  CHECK(res.has_physics());
  CHECK(res.trajectories.empty());

  const Result quiet = cli(dir, {"run", scene, "--replications", "1", "--horizon", "10s", "-o", "q.h5", "-q"});
  CHECK(quiet.status == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("run refuses bad --record-lanes with exit 2 and writes nothing", "[physics][cli]") {
  TempDir dir;
  const std::string scene = write_scene(dir);
  auto refused = [&](const std::vector<std::string>& extra, const std::string& message) {
    std::vector<std::string> args = {"run", scene, "--backend", "cpu", "-o", "out.h5"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = cli(dir, args);
    INFO("args: " << extra.back() << "\nstdout:\n" << r.out << "stderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "plantwin run: "));
    CHECK(contains(r.err, message));
    CHECK(dir.entries() == std::vector<std::string>{"belt.yaml"});  // no results file, no temporary
  };
  refused({"--record-lanes", "5"}, "lane 5");        // lanes 0..1
  refused({"--record-lanes", "0-2"}, "lane 2");
  refused({"--record-lanes", "x"}, "--record-lanes");
  refused({"--record-lanes", "1,"}, "--record-lanes");
  refused({"--record-lanes", "3-1"}, "backwards");
  refused({"--record-lanes", "1,1"}, "listed twice");

  SECTION("a scene without physical conveyors has nothing to record") {
    std::ofstream(dir.path / "plain.yaml") << "plantwin: 1\nname: plain\nrun: {horizon: 10s, replications: 1}\n"
                                              "elements:\n  src: {type: source, to: m1}\n  m1: {type: station, process: 2s, to: done}\n"
                                              "  done: {type: sink}\n";
    const Result r = cli(dir, {"run", "plain.yaml", "--backend", "cpu", "--record-lanes", "0", "-o", "p.h5"});
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "physical conveyor"));
    CHECK_FALSE(fs::exists(dir.path / "p.h5"));
  }
}

TEST_CASE("run: --physics bullet refuses the cuda backend; physical conveyors on cuda carry a note",
          "[physics][cli]") {
  TempDir dir;
  const std::string scene = write_scene(dir);
  std::string why;
  if (!plantwin::cuda_available(&why)) {
    // Without a device the cuda backend itself is unavailable: a clear error, nothing written.
    const Result r = cli(dir, {"run", scene, "--backend", "cuda", "-o", "out.h5"});
    INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "not yet validated"));
    CHECK(contains(r.err, "cuda backend unavailable"));
    CHECK_FALSE(fs::exists(dir.path / "out.h5"));
  }

  const Result b = cli(dir, {"run", scene, "--backend", "cuda", "--physics", "bullet", "-o", "out.h5"});
  INFO("stderr:\n" << b.err);
  CHECK(b.status == 2);
  CHECK(contains(b.err, "--physics bullet"));
  CHECK(contains(b.err, "cpu"));
  CHECK_FALSE(fs::exists(dir.path / "out.h5"));

  const Result bad = cli(dir, {"run", scene, "--physics", "ode", "-o", "out.h5"});
  CHECK(bad.status == 2);
  CHECK_FALSE(fs::exists(dir.path / "out.h5"));
}
