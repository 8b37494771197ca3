// A second implementation: SimPy (tools/peers/serial_line_simpy.py, the peer of
// tools/bench/flow-vs-simpy) simulates the ten-station line (failures in operating time,
// finite buffers, blocking after service) with its own random numbers; plantwin's throughput
// must agree with it within the noise of both (Welch's test).
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "engine/stats/welch.h"
#include "tests/cli_support.h"

using namespace plantwin;

namespace {

bool has_simpy() { return std::system("/usr/bin/python3 -c 'import simpy, yaml' >/dev/null 2>&1") == 0; }

// The number after "key": in the peer's one-line JSON.
double json_number(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":");
  REQUIRE(at != std::string::npos);
  return std::stod(json.substr(at + key.size() + 3));
}

}  // namespace

TEST_CASE("the ten-station line gives SimPy's throughput", "[oracle][simpy]") {
  if (!has_simpy()) {
    WARN("skipped: /usr/bin/python3 cannot import simpy and yaml (tools/install-deps installs them)");
    return;
  }
  const std::string scene = test::source_dir() + "/scenes/ten-station-line.yaml";
  const std::string cmd = "/usr/bin/python3 " + test::shell_quote(test::source_dir() + "/tools/peers/serial_line_simpy.py") +
                          " " + test::shell_quote(scene) + " --replications 150 --seed 11 --json";
  std::string json;
  {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    REQUIRE(pipe);
    char buf[512];
    while (fgets(buf, sizeof buf, pipe.get())) json += buf;
  }
  INFO(json);
  const SampleSummary simpy{json_number(json, "throughput_per_h"), json_number(json, "sd"),
                            static_cast<int64_t>(json_number(json, "replications"))};
  REQUIRE(simpy.n == 150);

  LoadResult lr = load_scene_file(scene);
  REQUIRE(lr.scene);
  Scene s = *lr.scene;
  s.run.replications = 600;
  const BatchResults r = test::run_cpu(s);
  const SampleSummary ours = summarize_sample(r.throughput_per_h.data(), r.lanes);
  const WelchResult w = welch_test(simpy, ours);
  INFO("SimPy " << simpy.mean << " (sd " << simpy.sd << "), plantwin " << ours.mean << " (sd " << ours.sd
                << "), t = " << w.t << ", p = " << w.p);
  // About 60 parts/h on both sides; the means within the noise, and within 2 % of each other.
  CHECK(w.p > 0.001);
  CHECK(std::abs(w.diff) < 0.02 * ours.mean);
}
