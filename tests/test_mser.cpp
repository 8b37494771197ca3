// MSER-5 warm-up truncation (engine/stats/mser.h) and the pilot series it reads
// (engine/batch/pilot_series.h).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <random>
#include <vector>

#include "engine/batch/pilot_series.h"
#include "engine/stats/mser.h"
#include "support.h"

using namespace plantwin;

namespace {

std::vector<double> noise(size_t n, double mean, double sd, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> d(mean, sd);
  std::vector<double> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

const char* kTwoStation = R"(plantwin: 1
name: pilot-two-station
run: {horizon: 2h, warmup: 0s, replications: 10, seed: 11}
elements:
  raw:  {type: source, to: m1}
  m1:   {type: station, process: {exponential: 50s}, to: buf}
  buf:  {type: buffer, capacity: 3, to: m2}
  m2:   {type: station, process: {exponential: 55s}, to: done}
  done: {type: sink}
)";

// Runs `plantwin ARGS` (ARGS already shell-safe) with stdout captured; returns the exit status.
int plantwin_cli(const std::string& args, std::string* out) {
  const std::string file = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/plantwin_warmup_test_" + std::to_string(::getpid()) + ".txt";
  const std::string cmd = "'" + test::plantwin_binary() + "' " + args + " >'" + file + "' 2>/dev/null </dev/null";
  const int raw = std::system(cmd.c_str());
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  std::remove(file.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

}  // namespace

TEST_CASE("MSER-5 batch means and statistic follow the definition", "[warmup]") {
  std::vector<double> s = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 6, 6, 6, 6, 6, 0, 0};
  MserResult m = mser(s, 5);
  REQUIRE(m.batch_means == std::vector<double>{1, 2, 3, 6});  // the partial batch is dropped
  // d = 0: mean 3, sum of squares 4 + 1 + 0 + 9 = 14, over 4^2.
  CHECK(m.statistic[0] == Approx(14.0 / 16));
  // d = 1: mean 11/3.
  double mu = 11.0 / 3;
  CHECK(m.statistic[1] == Approx(((2 - mu) * (2 - mu) + (3 - mu) * (3 - mu) + (6 - mu) * (6 - mu)) / 9));
  CHECK(m.statistic[2] == Approx(4.5 / 4));
  CHECK(std::isnan(m.statistic[3]));
  CHECK(m.searched == 2);
  CHECK_THROWS_AS(mser(std::vector<double>(19, 1.0), 5), std::invalid_argument);
  CHECK_THROWS_AS(mser(s, 0), std::invalid_argument);
}

TEST_CASE("MSER-5 truncates a known transient near its end", "[warmup]") {
  // 100 observations decaying from 10 to 0 plus noise, then 400 of stationary noise.
  std::vector<double> s = noise(500, 0.0, 1.0, 42);
  for (int i = 0; i < 100; ++i) s[i] += 10.0 * (1.0 - i / 100.0);
  MserResult m = mser(s, 5);
  REQUIRE(m.batch_means.size() == 100);
  INFO("truncation " << m.truncation);
  CHECK(m.truncation >= 70);
  CHECK(m.truncation <= 130);
  CHECK_FALSE(m.at_boundary);
  CHECK_FALSE(m.min_in_second_half);
}

TEST_CASE("MSER-5 keeps (almost) all of a stationary series", "[warmup]") {
  for (uint32_t seed : {1u, 2u, 3u}) {
    MserResult m = mser(noise(500, 5.0, 1.0, seed), 5);
    INFO("seed " << seed << " truncation " << m.truncation);
    CHECK(m.truncation <= 15);
    CHECK_FALSE(m.at_boundary);
  }
}

TEST_CASE("MSER-5 cautions when the transient outlasts half the series", "[warmup]") {
  std::vector<double> s = noise(200, 0.0, 0.1, 5);
  for (int i = 0; i < 170; ++i) s[i] += 10.0 * (1.0 - i / 170.0);
  MserResult m = mser(s, 5);
  CHECK(m.at_boundary);
  CHECK(m.min_in_second_half);
}

TEST_CASE("Pilot windows are differences of nested horizons", "[warmup]") {
  Scene scene = test::scene_from_text(kTwoStation);
  auto backend = make_cpu_backend();
  PilotOptions po;
  po.windows = 8;
  po.horizon_s = 8 * 600.0;
  po.replications = 6;
  PilotSeries ps = run_pilot_series(scene, po, *backend);
  REQUIRE(ps.window_s == 600.0);
  // One run with horizon 2 windows: its totals are the sums of the first two windows.
  RunSettings run = scene.run;
  run.warmup_s = 0;
  run.horizon_s = 2 * ps.window_s;
  run.replications = po.replications;
  BatchResults b = run_batch(scene, run, *backend);
  for (int64_t r = 0; r < po.replications; ++r) {
    CHECK(b.produced[r] == ps.produced[r * 8] + ps.produced[r * 8 + 1]);
    CHECK(b.wip_mean[r] * run.horizon_s == Approx(ps.wip_area[r * 8] + ps.wip_area[r * 8 + 1]));
  }
  // Each window is a count (area) of one path: never negative.
  for (int64_t i = 0; i < 6 * 8; ++i) {
    CHECK(ps.produced[i] >= 0);
    CHECK(ps.wip_area[i] >= -1e-6);
  }
}

TEST_CASE("Pilot windows of a deterministic station are exact", "[warmup]") {
  Scene scene = test::scene_from_text(R"(plantwin: 1
name: clock
run: {horizon: 1h, warmup: 0s, replications: 1, seed: 1}
elements:
  raw:  {type: source, to: m1}
  m1:   {type: station, process: 70s, to: done}
  done: {type: sink}
)");
  auto backend = make_cpu_backend();
  PilotOptions po;
  po.windows = 6;
  po.horizon_s = 3600;
  po.replications = 2;
  PilotSeries ps = run_pilot_series(scene, po, *backend);
  for (int64_t k = 0; k < 6; ++k) {
    // Completions at 70 s, 140 s, ...: floor(h_k / 70) by time h_k.
    const int64_t expect = static_cast<int64_t>(std::floor(600.0 * (k + 1) / 70)) -
                           static_cast<int64_t>(std::floor(600.0 * k / 70));
    CHECK(ps.produced[k] == expect);
    CHECK(ps.produced[6 + k] == expect);
    CHECK(ps.wip[k] == Approx(1.0));
    CHECK(ps.throughput_per_h[k] == Approx(expect * 6.0));
  }
}

TEST_CASE("A line that starts empty: WIP rises, MSER-5 recommends a positive warm-up", "[warmup]") {
  Scene scene = test::scene_from_text(kTwoStation);
  auto backend = make_cpu_backend();
  PilotOptions po;
  po.horizon_s = 2 * 3600.0;
  po.replications = 40;
  po.windows = 100;
  PilotSeries ps = run_pilot_series(scene, po, *backend);
  REQUIRE(ps.wip.size() == 100);
  double late = 0;
  for (int k = 50; k < 100; ++k) late += ps.wip[k] / 50;
  INFO("first window WIP " << ps.wip[0] << ", second half " << late);
  CHECK(ps.wip[0] > 0);
  CHECK(ps.wip[0] < late - 1.0);  // from 1 part at t = 0 up to the steady level
  MserResult m = mser(ps.wip, 5);
  const double warm = m.truncation * ps.window_s;
  INFO("recommended warm-up " << warm << " s");
  CHECK(warm > 0);
  CHECK(warm < po.horizon_s / 2);
}

TEST_CASE("plantwin warmup prints the evidence and checks its arguments", "[warmup]") {
  const std::string scene = "'" + test::source_dir() + "/scenes/two-station-line.yaml'";
  std::string out;
  REQUIRE(plantwin_cli("warmup " + scene + " --horizon 2h --replications 4 --threads 2", &out) == 0);
  CHECK(out.find("Batch means") != std::string::npos);
  CHECK(out.find("MSER curve") != std::string::npos);
  CHECK(out.find("Recommended warm-up:") != std::string::npos);
  REQUIRE(plantwin_cli("warmup " + scene + " --series throughput --horizon 1h --replications 2", &out) == 0);
  CHECK(out.find("parts/h") != std::string::npos);
  CHECK(plantwin_cli("warmup " + scene + " --horizon soon", &out) == 2);
  CHECK(plantwin_cli("warmup " + scene + " --replications 0", &out) == 2);
  CHECK(plantwin_cli("warmup " + scene + " --batch 26", &out) == 2);
  CHECK(plantwin_cli("warmup " + scene + " --series lead", &out) == 2);
  CHECK(plantwin_cli("warmup /nonexistent/scene.yaml", &out) == 2);
}
