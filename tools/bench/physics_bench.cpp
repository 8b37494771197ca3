// plantwin-physics-bench: the physics benchmark world of issue 5 -- 64 parts on 8 straight
// belts with side guides, queueing against a raised stopper at each belt's end -- stepped in
// L lanes for S simulated seconds by the plantwin cpu kernel and by the Bullet reference, in
// the same process, several runs each: median and spread, body-steps per second (in total and
// per thread) and the plantwin / Bullet ratio at equal thread counts.
#include <CLI/CLI.hpp>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>

#include "engine/physics/bullet_world.h"
#include "engine/physics/physics_runner.h"

namespace ph = plantwin::physics;

namespace {

// 8 belts of 8 m along +x, 0.7 m apart, top at 0.5 m, running at 0.5 m/s; guides 0.1 m high
// on both sides; a stopper across each belt 0.2 m before its end (index = belt); 8 parts of
// 0.3 x 0.2 x 0.15 m, 1.5 kg, 0.8 m apart on each belt. After about 15 s every part queues
// against its stopper with the belt slipping under it.
ph::WorldDesc benchmark_world() {
  const int belts = 8, parts_per_belt = 8;
  const double length = 8, pitch = 0.7, top = 0.5, speed = 0.5, half_width = 0.2;
  ph::WorldDesc w;
  w.floor = true;
  w.lost_below_z = -1;
  for (int k = 0; k < belts; ++k) {
    const double y = k * pitch;
    ph::StaticBoxDesc belt;
    belt.center = {length / 2, y, top - 0.025};
    belt.half_extents = {length / 2, half_width, 0.025};
    belt.friction = 0.6;
    belt.surface_velocity = {speed, 0, 0};
    w.statics.push_back(belt);
    for (double side : {-1.0, 1.0}) {
      ph::StaticBoxDesc guide;
      guide.center = {length / 2, y + side * (half_width + 0.01), top + 0.05};
      guide.half_extents = {length / 2, 0.01, 0.05};
      guide.friction = 0.2;
      w.statics.push_back(guide);
    }
    ph::StaticBoxDesc stopper;
    stopper.center = {length - 0.2, y, top + 0.04};
    stopper.half_extents = {0.01, half_width, 0.04};
    stopper.friction = 0.3;
    stopper.stopper = k;
    w.statics.push_back(stopper);
    for (int i = 0; i < parts_per_belt; ++i) {
      ph::BodyDesc part;
      part.half_extents = {0.15, 0.1, 0.075};
      part.mass = 1.5;
      part.position = {0.5 + 0.8 * i, y, top + 0.075};
      part.friction = 0.5;
      w.bodies.push_back(part);
    }
  }
  return w;
}

struct Row {
  std::string backend;
  int threads;
  int64_t lanes, bodies, steps, lost, overflow;
  double median_s, min_s, max_s;
  double body_steps() const { return double(lanes) * double(bodies) * double(steps); }
  double rate() const { return body_steps() / median_s; }
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

int64_t sum(const std::vector<int64_t>& v) {
  int64_t s = 0;
  for (int64_t x : v) s += x;
  return s;
}

}  // namespace

int bench_main(int argc, char** argv);

// A backend that cannot run here (no GPU, no driver) ends the benchmark with its reason.
int main(int argc, char** argv) {
  try {
    return bench_main(argc, argv);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin-physics-bench: " << ex.what() << "\n";
    return 1;
  }
}

int bench_main(int argc, char** argv) {
  CLI::App app{"plantwin-physics-bench: body-steps/s of the plantwin physics kernel and of Bullet on the belt benchmark"};
  int64_t lanes = 256;
  double seconds = 20;
  std::string threads = "1,2", backends = "cpu,bullet";
  int repeat = 3;
  bool markdown = false;
  app.add_option("--lanes", lanes, "Lanes (independent worlds)")->check(CLI::Range(int64_t(1), int64_t(1) << 24));
  app.add_option("--seconds", seconds, "Simulated seconds per lane")->check(CLI::Range(1e-3, 1e6));
  app.add_option("--threads", threads, "Comma-separated thread counts");
  app.add_option("--backend", backends,
                 "Comma-separated backends: cpu (the plantwin kernel), cuda (the same kernel on the GPU), bullet");
  app.add_option("--repeat", repeat, "Rounds: each backend runs once per round, in turn (medians reported)")->check(CLI::Range(1, 100));
  app.add_flag("--markdown", markdown, "Also print Markdown tables");
  CLI11_PARSE(app, argc, argv);

  using Runner = std::function<ph::RunResult(const ph::WorldDesc&, const ph::RunOptions&)>;
  std::vector<std::pair<std::string, Runner>> runners;
  for (const auto& b : split(backends)) {
    if (b == "bullet") {
      runners.emplace_back("bullet", ph::run_physics_bullet);
    } else if (b == "cpu") {
      runners.emplace_back("plantwin-cpu", ph::run_physics_cpu);
    } else if (b == "cuda") {
      if (!ph::physics_cuda_built()) {
        std::cerr << "plantwin-physics-bench: this build has no cuda backend\n";
        return 2;
      }
      runners.emplace_back("plantwin-cuda", ph::run_physics_cuda);
    } else {
      std::cerr << "plantwin-physics-bench: unknown backend '" << b << "' (cpu, cuda, bullet)\n";
      return 2;
    }
  }
  if (runners.empty()) return 2;

  const ph::WorldDesc world = benchmark_world();
  ph::RunOptions opts;
  opts.lanes = lanes;
  opts.seconds = seconds;
  std::vector<Row> rows;
  std::vector<std::vector<ph::Pose>> finals(runners.size());  // [backend]: the first run's final poses
  // plantwin / Bullet per round at each thread count: the backends run in turn within a round,
  // so a change in the machine's speed (a shared 2-core machine drifts by 10-20 % over a
  // minute) hits both sides of a ratio alike.
  std::vector<std::pair<int, std::vector<double>>> round_ratios;
  for (const auto& t : split(threads)) {
    const int nt = std::stoi(t);
    omp_set_num_threads(nt);
    for (const auto& [name, run] : runners) {
      ph::RunOptions warm = opts;  // pages in code and the allocator's arenas on every thread
      warm.lanes = std::min<int64_t>(lanes, nt);
      warm.seconds = world.dt * 10;
      run(world, warm);
    }
    std::vector<std::vector<double>> times(runners.size());
    std::vector<ph::RunResult> last(runners.size());
    for (int r = 0; r < repeat; ++r) {
      for (size_t ri = 0; ri < runners.size(); ++ri) {
        auto t0 = std::chrono::steady_clock::now();
        last[ri] = runners[ri].second(world, opts);
        times[ri].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
    }
    int ip = -1, ib = -1;
    for (size_t ri = 0; ri < runners.size(); ++ri) {
      if (runners[ri].first == "plantwin-cpu") ip = static_cast<int>(ri);
      if (runners[ri].first == "bullet") ib = static_cast<int>(ri);
    }
    if (ip >= 0 && ib >= 0) {
      std::vector<double> q;
      for (int r = 0; r < repeat; ++r) q.push_back(times[ib][r] / times[ip][r]);
      std::sort(q.begin(), q.end());
      round_ratios.emplace_back(nt, q);
    }
    for (size_t ri = 0; ri < runners.size(); ++ri) {
      const ph::RunResult& res = last[ri];
      if (finals[ri].empty()) finals[ri] = res.final_pose;
      std::vector<double> ts = times[ri];
      std::sort(ts.begin(), ts.end());
      rows.push_back({runners[ri].first, nt, res.lanes, res.bodies, res.steps, sum(res.lost), sum(res.contact_overflow),
                      ts[ts.size() / 2], ts.front(), ts.back()});
      const Row& w = rows.back();
      std::fprintf(stderr, "  %s, %d thread(s): %.3f s median\n", w.backend.c_str(), nt, w.median_s);
    }
  }

  std::printf("belt benchmark: %lld bodies, %zu static boxes, dt %g s, %d solver substeps; %lld lanes x %g s; %d runs each\n",
              (long long)world.bodies.size(), world.statics.size(), world.dt, world.substeps, (long long)lanes, seconds,
              repeat);
  std::printf("%-14s %7s %7s %9s %10s %19s %14s %16s %6s %9s\n", "backend", "threads", "lanes", "steps", "median s",
              "spread s", "body-steps/s", "per thread", "lost", "overflow");
  for (const auto& r : rows)
    std::printf("%-14s %7d %7lld %9lld %10.3f %9.3f-%-9.3f %14.4g %16.4g %6lld %9lld\n", r.backend.c_str(), r.threads,
                (long long)r.lanes, (long long)r.steps, r.median_s, r.min_s, r.max_s, r.rate(), r.rate() / r.threads,
                (long long)r.lost, (long long)r.overflow);
  // plantwin / Bullet at the same thread count: the speed-up per core, the median of the
  // rounds' ratios and their range.
  for (const auto& [nt, q] : round_ratios)
    std::printf("plantwin / bullet, %d thread(s): %.3g x (rounds: %.3g-%.3g)\n", nt, q[q.size() / 2], q.front(),
                q.back());
  // A second opinion on the physics, not only the speed: where the two backends leave the parts.
  if (runners.size() == 2 && finals[0].size() == finals[1].size() && !finals[0].empty()) {
    double total = 0, worst = 0;
    for (size_t i = 0; i < finals[0].size(); ++i) {
      const ph::Vec3d &a = finals[0][i].p, &b = finals[1][i].p;
      double d = std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
      total += d;
      worst = std::max(worst, d);
    }
    std::printf("final positions, %s vs %s: mean distance %.4g m, largest %.4g m\n", runners[0].first.c_str(),
                runners[1].first.c_str(), total / double(finals[0].size()), worst);
  }

  if (markdown) {
    std::printf("\n| backend | threads | lanes | steps | median [s] | min–max [s] | body-steps/s | per thread | lost |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& r : rows)
      std::printf("| %s | %d | %lld | %lld | %.3f | %.3f–%.3f | %.3g | %.3g | %lld |\n", r.backend.c_str(), r.threads,
                  (long long)r.lanes, (long long)r.steps, r.median_s, r.min_s, r.max_s, r.rate(), r.rate() / r.threads,
                  (long long)r.lost);
    if (!round_ratios.empty()) {
      std::printf("\n| threads | plantwin / Bullet (median of rounds) | range |\n|---:|---:|---:|\n");
      for (const auto& [nt, q] : round_ratios)
        std::printf("| %d | %.3g× | %.3g–%.3g× |\n", nt, q[q.size() / 2], q.front(), q.back());
    }
  }
  return 0;
}
