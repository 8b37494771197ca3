// plantwin-bench: measures the flow kernel on one scene — events per second and lanes per
// second — for each backend and thread count asked for, several runs each, median and spread.
// Results go to stdout as a table (and, with --markdown, as a docs/performance.md table).
#include <CLI/CLI.hpp>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "engine/backend/backend.h"
#include "engine/batch/run_batch.h"
#include "engine/scene/scene_loader.h"
#include "engine/scene/units.h"

namespace pw = plantwin;

namespace {

struct Row {
  std::string backend;
  std::string kernel;  // plain or general instantiation of the flow kernel
  int threads;
  int64_t lanes, events;
  double median_s, min_s, max_s;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"plantwin-bench: events/s and lanes/s of the flow kernel on a scene"};
  std::string scene_path = "scenes/ten-station-line.yaml", backends = "cpu", threads = "1,2", lanes_list = "1024";
  std::string kernels = "auto";
  int repeat = 5;
  bool markdown = false, no_warmup = false;
  app.add_option("--scene", scene_path, "Scene to simulate (its run settings; replications = lanes)");
  app.add_option("--lanes", lanes_list, "Comma-separated lane counts, e.g. 1024,10000");
  app.add_option("--backend", backends, "Comma-separated backends: cpu, cuda");
  app.add_option("--threads", threads, "Comma-separated cpu thread counts (cpu backend only)");
  app.add_option("--repeat", repeat, "Timed runs per configuration (median reported)")->check(CLI::Range(1, 100));
  app.add_option("--kernel", kernels,
                 "Comma-separated flow kernels: auto (the plain one for a plain model, as plantwin run), general "
                 "(the general one always; same results); rounds alternate between them")
      ->check([](const std::string& s) {
        for (const auto& k : split(s))
          if (k != "auto" && k != "general") return std::string("--kernel takes auto and general, not ") + k;
        return std::string();
      });
  app.add_flag("--no-warmup", no_warmup,
               "Skip the untimed run before the timed ones (for batches long enough that it would not matter)");
  app.add_flag("--markdown", markdown, "Also print a Markdown table");
  CLI11_PARSE(app, argc, argv);

  pw::LoadResult lr = pw::load_scene_file(scene_path);
  if (!lr.scene) {
    for (const auto& d : lr.diagnostics.sorted()) std::cerr << d.format() << "\n";
    return 2;
  }
  std::vector<Row> rows;
  for (const auto& b : split(backends)) {
    std::vector<std::string> tlist = b == "cpu" ? split(threads) : std::vector<std::string>{"0"};
    for (const auto& t : tlist) {
      int nt = std::stoi(t);
      if (nt > 0) omp_set_num_threads(nt);
      std::unique_ptr<pw::Backend> backend;
      try {
        backend = pw::make_backend(b);
      } catch (const std::exception& ex) {
        std::cerr << "plantwin-bench: " << ex.what() << "\n";
        return 2;
      }
      for (const auto& ls : split(lanes_list)) {
        pw::RunSettings run = lr.scene->run;
        run.replications = std::stoll(ls);
        const std::vector<std::string> klist = split(kernels);
        std::vector<std::vector<double>> times(klist.size());
        std::vector<int64_t> events(klist.size(), 0);
        if (!no_warmup) pw::run_batch(*lr.scene, run, *backend);  // page in memory, load the GPU module
        // Rounds alternate between the kernels, so that a slower spell of the machine hits both.
        for (int r = 0; r < repeat; ++r)
          for (size_t k = 0; k < klist.size(); ++k) {
            pw::BatchOptions opt;
            opt.general_kernel = klist[k] == "general";
            auto t0 = std::chrono::steady_clock::now();
            pw::BatchResults res = pw::run_batch(*lr.scene, run, *backend, opt);
            times[k].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            events[k] = 0;
            for (int64_t e : res.events) events[k] += e;
          }
        for (size_t k = 0; k < klist.size(); ++k) {
          std::vector<double>& tk = times[k];
          std::sort(tk.begin(), tk.end());
          rows.push_back({backend->describe(), klist[k], nt, run.replications, events[k], tk[tk.size() / 2], tk.front(),
                          tk.back()});
          const Row& w = rows.back();
          std::fprintf(stderr, "  %s, %s kernel, %lld lanes: %.4f s median\n", w.backend.c_str(), w.kernel.c_str(),
                       (long long)w.lanes, w.median_s);
        }
      }
    }
  }
  std::printf("scene %s (%s horizon, %s warm-up), %d runs each\n", lr.scene->name.c_str(),
              pw::format_duration(lr.scene->run.horizon_s).c_str(), pw::format_duration(lr.scene->run.warmup_s).c_str(),
              repeat);
  std::printf("%-34s %-8s %9s %12s %10s %18s %12s %12s\n", "backend", "kernel", "lanes", "events", "median s",
              "spread s", "events/s", "lanes/s");
  for (const auto& r : rows)
    std::printf("%-34s %-8s %9lld %12lld %10.4f %8.4f-%-9.4f %12.4g %12.4g\n", r.backend.c_str(), r.kernel.c_str(),
                (long long)r.lanes, (long long)r.events, r.median_s, r.min_s, r.max_s, r.events / r.median_s,
                r.lanes / r.median_s);
  if (markdown) {
    std::printf("\n| backend | kernel | lanes | events | median [s] | min–max [s] | events/s | lanes/s |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& r : rows)
      std::printf("| %s | %s | %lld | %lld | %.4f | %.4f–%.4f | %.3g | %.3g |\n", r.backend.c_str(), r.kernel.c_str(),
                  (long long)r.lanes, (long long)r.events, r.median_s, r.min_s, r.max_s, r.events / r.median_s,
                  r.lanes / r.median_s);
  }
  return 0;
}
