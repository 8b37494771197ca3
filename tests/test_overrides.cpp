// `plantwin run --set path=value` (engine/variants/overrides.h): each value kind, the errors,
// and that a --set run is the run of the scene file edited the same way, bit for bit.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/variants/overrides.h"
#include "tests/support.h"

using namespace plantwin;
using plantwin::test::scene_from_text;

namespace {

std::string scene_yaml(const std::string& capacity = "3", const std::string& variants = "") {
  return "plantwin: 1\n"
         "name: ov\n"
         "run: {horizon: 2h, warmup: 10min, replications: 4, seed: 11}\n"
         "elements:\n"
         "  src: {type: source, interarrival: {exponential: 45s}, to: c1, at: [0, 0, 0]}\n"
         "  c1: {type: conveyor, speed: 0.5, at: [0, 0, 0], to: m1}\n"
         "  m1: {type: station, process: {triangular: [10s, 20s, 30s]}, at: [3, 4, 0], to: buf}\n"
         "  buf: {type: buffer, capacity: " + capacity + ", to: m2}\n"
         "  m2: {type: station, process: {exponential: 40s}, failures: {mtbf: 1h, mttr: 5min}, to: c2}\n"
         "  c2: {type: conveyor, speed: 1, length: 6, to: done}\n"
         "  done: {type: sink}\n" + variants;
}

const Element& el(const Scene& s, const std::string& name) {
  for (const auto& e : s.elements)
    if (e.name == name) return e;
  throw std::runtime_error("no element " + name);
}

// The errors of applying `sets` (the scene must stay unchanged).
std::vector<std::string> errors_of(const std::vector<std::string>& sets) {
  Scene s = scene_from_text(scene_yaml());
  std::vector<std::string> errors;
  const bool ok = apply_overrides(s, sets, errors);
  CHECK_FALSE(ok);
  CHECK(el(s, "buf").capacity == 3);
  CHECK(el(s, "m1").process.mode == 20);
  return errors;
}

bool contains(const std::vector<std::string>& errs, const std::string& what) {
  for (const auto& e : errs)
    if (e.find(what) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("overrides: --set sets each kind of value", "[overrides]") {
  Scene s = scene_from_text(scene_yaml());
  std::vector<std::string> errors;
  REQUIRE(apply_overrides(s,
                          {"buf.capacity=5", "m1.process.mode=25s", "m2.process.mean=1.5min", "m2.capacity=2",
                           "m2.failures.mttr=90", "c1.speed=0.25", "c2.length=12", "c2.spacing=0.4",
                           "src.interarrival.mean=1min", "m1.at=[6, 8,0]"},
                          errors));
  CHECK(errors.empty());
  CHECK(el(s, "buf").capacity == 5);                 // a whole number
  CHECK(el(s, "m1").process.mode == 25);             // a duration with a unit
  CHECK(el(s, "m2").process.mean == 90);
  CHECK(el(s, "m2").servers == 2);
  CHECK(el(s, "m2").failures.at(0).mttr.value == 90);             // a whole constant, without a unit: seconds
  CHECK(el(s, "c1").speed_mps == 0.25);              // numbers
  CHECK(el(s, "c2").length_m == 12);
  CHECK(el(s, "c2").spacing_m == 0.4);
  CHECK(el(s, "src").interarrival.mean == 60);
  CHECK(el(s, "m1").at == Vec3{6, 8, 0});            // a position
  CHECK(el(s, "c1").length_m == Approx(10));         // derived from positions again
  // Untouched values stay.
  CHECK(el(s, "m1").process.min == 10);
  CHECK(el(s, "m2").failures.at(0).mtbf.value == 3600);
}

TEST_CASE("overrides: --set reports each problem and leaves the scene unchanged", "[overrides]") {
  SECTION("unknown parameters, with a did-you-mean") {
    auto e = errors_of({"buf.capacty=5", "bf.capacity=5", "m1.process=20s", "done.at=[1,1,1]", "m1=3"});
    REQUIRE(e.size() == 5);
    CHECK(e[0] == "--set 'buf.capacty=5': unknown parameter 'buf.capacty'; did you mean 'buf.capacity'?");
    CHECK(e[1] == "--set 'bf.capacity=5': unknown parameter 'bf.capacity': no element named 'bf'; did you mean 'buf.capacity'?");
    CHECK(e[2].find("unknown parameter 'm1.process': the parameters of station 'm1' are m1.capacity, "
                    "m1.process.min, m1.process.mode, m1.process.max, m1.at") != std::string::npos);
    CHECK(e[3].find("sink 'done' has no parameter") != std::string::npos);
    CHECK(e[4].find("a parameter is written element.key") != std::string::npos);
  }
  SECTION("a length derived from positions is not a parameter") {
    auto e = errors_of({"c1.length=3"});
    REQUIRE(e.size() == 1);
    CHECK(e[0].find("unknown parameter 'c1.length'") != std::string::npos);
  }
  SECTION("run settings have their own options") {
    auto e = errors_of({"run.seed=3"});
    REQUIRE(e.size() == 1);
    CHECK(e[0].find("is a run setting") != std::string::npos);
  }
  SECTION("values of the wrong kind") {
    auto e = errors_of({"buf.capacity=2.5", "m1.process.min=soon", "c1.speed=fast", "m1.at=[1,2]", "m2.at=1", "x"});
    REQUIRE(e.size() == 6);
    CHECK(e[0] == "--set 'buf.capacity=2.5': expected a whole number, got '2.5'");
    CHECK(e[1].find("expected a duration") != std::string::npos);
    CHECK(e[2] == "--set 'c1.speed=fast': expected a finite number, got 'fast'");
    CHECK(e[3] == "--set 'm1.at=[1,2]': expected a position [x,y,z] in metres, got '[1,2]'");
    CHECK(e[4].find("unknown parameter 'm2.at'") != std::string::npos);  // m2 has no `at` to move
    CHECK(e[5] == "--set 'x': expected path=value, such as m1.process.mean=40s");
  }
  SECTION("values out of range, with apply_variant's checks") {
    auto e = errors_of({"buf.capacity=-1", "m1.process.mode=40s", "m2.capacity=0", "c1.speed=0", "m1.at=[0,0,0]"});
    REQUIRE(e.size() == 5);
    CHECK(e[0] == "--set 'buf.capacity=-1': buffer capacity must be from 0 to 100000000, got -1");
    CHECK(e[1] == "--set 'm1.process.mode=40s': needs min <= mode <= max and min < max, got [10 s, 40 s, 30 s]");
    CHECK(e[2].find("parallel servers must be from 1 to 4096, got 0") != std::string::npos);
    CHECK(e[3].find("must be positive (m/s), got 0") != std::string::npos);
    CHECK(e[4].find("conveyor 'c1' would have length zero from positions") != std::string::npos);
  }
  SECTION("a parameter set twice") {
    auto e = errors_of({"buf.capacity=4", "buf.capacity=6"});
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "--set 'buf.capacity=6': parameter 'buf.capacity' is set twice");
  }
  SECTION("a variant that no longer fits the new baseline") {
    Scene s = scene_from_text(scene_yaml("3", "variants:\n  cases:\n    - {name: late, set: {m1.process.mode: 28s}}\n"));
    std::vector<std::string> errors;
    CHECK_FALSE(apply_overrides(s, {"m1.process.max=25s"}, errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("variant 'late', parameter 'm1.process.mode'") != std::string::npos);
    CHECK(el(s, "m1").process.max == 30);
  }
}

TEST_CASE("overrides: --set buf.capacity=5 runs bit for bit as the scene file with capacity 5", "[overrides]") {
  // With variants: they apply on top of the new baseline, and keep the capacity they do not set.
  const std::string variants =
      "variants:\n"
      "  cases:\n"
      "    - {name: fast, set: {m2.process.mean: 30s}}\n"
      "  sweep: {m1.process.mode: [15s, 25s]}\n";
  Scene edited = scene_from_text(scene_yaml("5", variants));
  Scene over = scene_from_text(scene_yaml("3", variants));
  std::vector<std::string> errors;
  REQUIRE(apply_overrides(over, {"buf.capacity=5"}, errors));
  const BatchResults a = plantwin::test::run_cpu(edited);
  const BatchResults b = plantwin::test::run_cpu(over);
  REQUIRE(a.lanes == 4 * 4);
  plantwin::test::check_identical(a, b);
  // And the override does change the run.
  const BatchResults c = plantwin::test::run_cpu(scene_from_text(scene_yaml("3", variants)));
  const bool same = plantwin::test::same_bits(a.produced, c.produced) &&
                    plantwin::test::same_bits(a.buffer_mean_level, c.buffer_mean_level);
  CHECK_FALSE(same);
}

TEST_CASE("plantwin run --set: exit 0, or 2 with the message", "[overrides]") {
  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "plantwin-ov-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  const fs::path dir = tmpl;
  std::ofstream(dir / "s.yaml") << scene_yaml();
  auto run = [&](const std::string& args) {
    const std::string cmd = "cd '" + dir.string() + "' && '" + plantwin::test::plantwin_binary() +
                            "' run -q --backend cpu --threads 1 -o out.h5 " + args + " s.yaml >out.txt 2>err.txt </dev/null";
    const int raw = std::system(cmd.c_str());
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  };
  auto err = [&] {
    std::ifstream in(dir / "err.txt");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(run("--set buf.capacity=5 --set m1.process.mean=40s --set 'm1.at=[1,2,0]'") == 2);  // triangular: no mean
  CHECK(err().find("--set 'm1.process.mean=40s': unknown parameter 'm1.process.mean'") != std::string::npos);
  CHECK(run("--set buf.capacity=5 --set m2.process.mean=40s --set 'm1.at=[1,2,0]'") == 0);
  CHECK(err().empty());
  CHECK(fs::exists(dir / "out.h5"));
  CHECK(run("--set buf.capacity=-2") == 2);
  CHECK(err() == "plantwin run: --set 'buf.capacity=-2': buffer capacity must be from 0 to 100000000, got -2\n");
  fs::remove_all(dir);
}
