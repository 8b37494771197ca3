// plantwin: the command line. Verbs: run, validate, info, compare, version.
// Exit status: 0 success, 2 invalid input (scene or arguments), 1 a failure while running.
#include <CLI/CLI.hpp>
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/backend/backend.h"
#include "engine/batch/run_batch.h"
#include "engine/io/compare.h"
#include "engine/io/kpi_table.h"
#include "engine/io/results_reader.h"
#include "engine/io/results_writer.h"
#include "engine/physics/bullet_info.h"
#include "engine/scene/scene_loader.h"
#include "engine/scene/units.h"
#include "engine/variants/overrides.h"
#include "engine/version.h"

namespace pw = plantwin;

namespace {

constexpr int kExitInvalid = 2;
constexpr int kExitFailure = 1;

// Prints diagnostics; returns the number of errors.
int report(const pw::LoadResult& r) {
  for (const auto& d : r.diagnostics.sorted()) std::cerr << d.format() << "\n";
  return r.diagnostics.error_count();
}

// A progress line on stderr, only on a terminal and only once a run has lasted a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)), start_(clock::now()) {}
  void update(int64_t done, int64_t total) {
    if (!enabled_) return;
    double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
    if (elapsed < 1.0 && done < total) return;
    if (elapsed < 1.0 && !shown_) return;
    double eta = done > 0 ? elapsed * static_cast<double>(total - done) / static_cast<double>(done) : 0;
    std::fprintf(stderr, "\r  lanes %lld/%lld (%3.0f%%)  %.0f lanes/s  elapsed %s  ETA %s   ",
                 static_cast<long long>(done), static_cast<long long>(total), 100.0 * done / total,
                 elapsed > 0 ? done / elapsed : 0.0, fmt(elapsed).c_str(), fmt(eta).c_str());
    shown_ = true;
    if (done == total) std::fprintf(stderr, "\n");
  }

 private:
  using clock = std::chrono::steady_clock;
  bool enabled_, shown_ = false;
  clock::time_point start_;
  static std::string fmt(double s) {
    char b[32];
    if (s < 60) std::snprintf(b, sizeof b, "%.1f s", s);
    else if (s < 3600) std::snprintf(b, sizeof b, "%dm%02ds", int(s) / 60, int(s) % 60);
    else std::snprintf(b, sizeof b, "%dh%02dm", int(s) / 3600, int(s) / 60 % 60);
    return b;
  }
};

// Checks before simulating that the results file can be created in its folder.
bool output_writable(const std::string& path, std::string* why) {
  namespace fs = std::filesystem;
  fs::path p(path);
  fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    *why = "folder '" + dir.string() + "' does not exist";
    return false;
  }
  if (fs::is_directory(p, ec)) {
    *why = "'" + path + "' is a directory";
    return false;
  }
  if (access(dir.c_str(), W_OK) != 0) {
    *why = "folder '" + dir.string() + "' is not writable";
    return false;
  }
  return true;
}

struct RunArgs {
  std::string scene, output = "results.h5", backend = "auto", horizon, warmup;
  int threads = 0;
  int64_t replications = -1;  // -1: not given
  std::string seed;
  std::vector<std::string> sets;  // --set path=value, in order
  bool quiet = false;
};

int cmd_run(const RunArgs& a) {
  pw::LoadResult lr = pw::load_scene_file(a.scene);
  if (report(lr) > 0) return kExitInvalid;
  if (!a.sets.empty()) {
    std::vector<std::string> errors;
    if (!pw::apply_overrides(*lr.scene, a.sets, errors)) {
      for (const auto& e : errors) std::cerr << "plantwin run: " << e << "\n";
      return kExitInvalid;
    }
  }
  const pw::Scene& scene = *lr.scene;
  pw::RunSettings run = scene.run;
  if (!a.horizon.empty()) {
    auto h = pw::parse_duration(a.horizon);
    if (!h || *h <= 0) {
      std::cerr << "plantwin run: --horizon: expected a positive duration such as 8h or 3600, got '" << a.horizon << "'\n";
      return kExitInvalid;
    }
    run.horizon_s = *h;
  }
  if (!a.warmup.empty()) {
    auto w = pw::parse_duration(a.warmup);
    if (!w || *w < 0) {
      std::cerr << "plantwin run: --warmup: expected a duration >= 0 such as 30min, got '" << a.warmup << "'\n";
      return kExitInvalid;
    }
    run.warmup_s = *w;
  }
  if (a.replications != -1) {
    if (a.replications < 1) {
      std::cerr << "plantwin run: --replications must be at least 1\n";
      return kExitInvalid;
    }
    run.replications = a.replications;
  }
  if (!a.seed.empty()) {
    if (a.seed.find_first_not_of("0123456789") != std::string::npos || a.seed.size() > 20) {
      std::cerr << "plantwin run: --seed: expected a whole number from 0 to 18446744073709551615\n";
      return kExitInvalid;
    }
    errno = 0;
    run.seed = std::strtoull(a.seed.c_str(), nullptr, 10);
    if (errno == ERANGE) {
      std::cerr << "plantwin run: --seed is larger than 18446744073709551615\n";
      return kExitInvalid;
    }
  }
  if (a.threads < 0) {
    std::cerr << "plantwin run: --threads must be at least 1\n";
    return kExitInvalid;
  }
  if (a.threads > 0) omp_set_num_threads(a.threads);
  std::string why;
  if (!output_writable(a.output, &why)) {
    std::cerr << "plantwin run: cannot write results to '" << a.output << "': " << why << "\n";
    return kExitInvalid;
  }

  std::unique_ptr<pw::Backend> backend;
  try {
    backend = pw::make_backend(a.backend);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin run: " << ex.what() << "\n";
    return kExitInvalid;
  }
  if (!a.quiet) {
    std::string note;
    if (a.backend == "auto" && backend->name() == "cpu") {
      pw::cuda_available(&why);
      note = " (auto: " + why + ")";
    }
    std::cerr << "plantwin: " << scene.name << ": " << run.replications << " replication(s) of "
              << pw::format_duration(run.horizon_s) << " after " << pw::format_duration(run.warmup_s)
              << " warm-up, seed " << run.seed << "; backend " << backend->describe() << note << "\n";
  }

  Progress progress(!a.quiet);
  pw::BatchOptions opt;
  opt.progress = [&](int64_t d, int64_t t) { progress.update(d, t); };
  auto t0 = std::chrono::steady_clock::now();
  pw::BatchResults results;
  try {
    results = pw::run_batch(scene, run, *backend, opt);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin run: " << ex.what() << "\n";
    return kExitFailure;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  try {
    pw::write_results(results, a.output, PLANTWIN_VERSION);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin run: " << ex.what() << "\n";
    return kExitFailure;
  }
  if (!a.quiet) {
    int64_t events = 0;
    for (int64_t e : results.events) events += e;
    std::fprintf(stderr, "plantwin: %lld lanes, %lld events in %.3f s (%.3g events/s); results in %s\n",
                 static_cast<long long>(results.lanes), static_cast<long long>(events), secs,
                 secs > 0 ? events / secs : 0.0, a.output.c_str());
    pw::print_kpi_table(std::cout, results);
  }
  return 0;
}

int cmd_validate(const std::vector<std::string>& scenes) {
  int bad = 0;
  for (const auto& path : scenes) {
    pw::LoadResult lr = pw::load_scene_file(path);
    int errors = report(lr);
    if (errors > 0) {
      std::cerr << path << ": " << errors << (errors == 1 ? " error" : " errors") << "\n";
      ++bad;
    } else {
      std::cout << path << ": ok (" << lr.scene->elements.size() << " elements, horizon "
                << pw::format_duration(lr.scene->run.horizon_s) << ")\n";
    }
  }
  return bad > 0 ? kExitInvalid : 0;
}

int cmd_info(const std::string& path) {
  try {
    pw::BatchResults r = pw::read_results(path);
    pw::print_kpi_table(std::cout, r);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin info: " << ex.what() << "\n";
    return kExitInvalid;
  }
  return 0;
}

struct CompareArgs {
  std::string results, kpi = "throughput_per_h", baseline, format = "table";
};

int cmd_compare(const CompareArgs& a) {
  pw::BatchResults r;
  try {
    r = pw::read_results(a.results);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin compare: " << ex.what() << "\n";
    return kExitInvalid;
  }
  pw::CompareOptions opt;
  opt.kpi = a.kpi;
  opt.baseline = a.baseline;
  pw::Comparison c;
  try {
    c = pw::compare_variants(r, opt);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin compare: " << ex.what() << "\n";
    return kExitInvalid;
  }
  const pw::CompareFormat format = a.format == "csv"    ? pw::CompareFormat::kCsv
                                   : a.format == "json" ? pw::CompareFormat::kJson
                                                        : pw::CompareFormat::kTable;
  pw::write_comparison(std::cout, c, format);
  return 0;
}

int cmd_version() {
  std::string why;
  std::cout << "plantwin " << PLANTWIN_VERSION << "\n"
            << "results format: plantwin-results/1, scene format: 1\n"
            << "libraries: Bullet " << pw::bullet_version() << " (free fall 1 s: " << pw::bullet_free_fall_m(1.0)
            << " m; g t^2/2 = 4.905 m)\n"
#if defined(PLANTWIN_HAVE_CUDA)
            << "backends: cpu (OpenMP, " << omp_get_max_threads() << " threads), cuda (built; "
            << (pw::cuda_available(&why) ? "device present" : why) << ")\n";
#else
            << "backends: cpu (OpenMP, " << omp_get_max_threads() << " threads); cuda not built\n";
#endif
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"plantwin " PLANTWIN_VERSION
               " - factory digital-twin simulation: runs scene files as batches of exact discrete-event\n"
               "lanes (variants x replications) on the CPU or a CUDA GPU and writes results to HDF5."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every verb");
  app.footer("Exit status: 0 success, 1 failure while running, 2 invalid scene or arguments.\n"
             "Scene format: docs/scene-format.md   Results: docs/results.md");

  RunArgs ra;
  auto* run = app.add_subcommand("run", "Simulate a scene and write results (HDF5); prints a KPI table");
  run->add_option("SCENE", ra.scene, "Scene file (YAML)")->required();
  run->add_option("-o,--output", ra.output, "Results file to write (default results.h5; written atomically)");
  run->add_option("--backend", ra.backend, "auto (cuda when a device exists, else cpu), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  run->add_option("--threads", ra.threads, "CPU threads for the cpu backend (default: all cores)");
  run->add_option("--replications", ra.replications, "Replications per variant (overrides run.replications)");
  run->add_option("--horizon", ra.horizon, "Simulated time after warm-up, e.g. 8h (overrides run.horizon)");
  run->add_option("--warmup", ra.warmup, "Warm-up time, e.g. 30min (overrides run.warmup)");
  run->add_option("--seed", ra.seed, "Master seed, 0..2^64-1 (overrides run.seed)");
  run->add_option("--set", ra.sets,
                  "Change a baseline value before running (repeatable): paths and values as in the variants "
                  "block, e.g. --set buf.capacity=5 --set m1.process.mean=40s --set 'm1.at=[1,2,0]'; the scene's "
                  "variants still apply on top")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  run->add_flag("-q,--quiet", ra.quiet, "No progress, summary or table; only errors");
  run->footer("Example: plantwin run scenes/two-station-line.yaml -o results.h5 --replications 20");

  std::vector<std::string> vscenes;
  auto* val = app.add_subcommand("validate", "Check scene files and report every problem as FILE:LINE:COLUMN");
  val->add_option("SCENE", vscenes, "Scene files")->required();

  std::string ipath;
  auto* info = app.add_subcommand("info", "Print the per-variant KPIs (mean +/- 95% CI) of a results file");
  info->add_option("RESULTS", ipath, "Results file written by plantwin run")->required();

  CompareArgs ca;
  auto* cmp = app.add_subcommand(
      "compare", "Rank the variants of a results file by one KPI, with paired differences to a baseline");
  cmp->add_option("RESULTS", ca.results, "Results file written by plantwin run")->required();
  cmp->add_option("--kpi", ca.kpi,
                  "KPI to rank by: produced, throughput_per_h (default), wip_mean or lead_time_mean_s");
  cmp->add_option("--baseline", ca.baseline, "Variant the differences are taken to (default: variant 0, baseline)");
  cmp->add_option("--format", ca.format, "table (default), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmp->footer(
      "Variants are ranked best first (higher produced/throughput, lower WIP/lead time is better), each\n"
      "with mean +/- 95% CI over replications and the paired difference to the baseline (per replication,\n"
      "common random numbers). 'best' marks the first; '~best' those whose paired differences to it have\n"
      "a 95% CI containing 0. Nothing is marked with one replication.\n"
      "Example: plantwin compare results.h5 --kpi lead_time_mean_s --format csv");

  auto* ver = app.add_subcommand("version", "Print the version and the backends this build has");

  if (argc > 1 && argv[1][0] != '-') {
    std::string verb = argv[1];
    if (verb != "run" && verb != "validate" && verb != "info" && verb != "compare" && verb != "version") {
      std::cerr << "plantwin: unknown verb '" << verb
                << "'; expected run, validate, info, compare or version (see --help)\n";
      return kExitInvalid;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInvalid;
  }
  if (run->parsed()) return cmd_run(ra);
  if (val->parsed()) return cmd_validate(vscenes);
  if (info->parsed()) return cmd_info(ipath);
  if (cmp->parsed()) return cmd_compare(ca);
  if (ver->parsed()) return cmd_version();
  return kExitInvalid;
}
