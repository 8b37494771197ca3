// plantwin: the command line. Verbs: run, validate, info, compare, diff, check, warmup, version.
// Exit status: 0 success, 2 invalid input (scene or arguments), 1 a failure while running,
// 3 (check only) a KPI moved against its baseline.
#include <CLI/CLI.hpp>
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/backend/backend.h"
#include "engine/batch/checkpoint.h"
#include "engine/batch/feasibility.h"
#include "engine/batch/pilot_series.h"
#include "engine/batch/run_batch.h"
#include "engine/batch/stop_signal.h"
#include "engine/batch/target_ci.h"
#include "engine/io/compare.h"
#include "engine/io/kpi_table.h"
#include "engine/io/baseline_file.h"
#include "engine/io/results_diff.h"
#include "engine/io/scene_check.h"
#include "engine/io/results_reader.h"
#include "engine/io/results_writer.h"
#include "engine/physics/bullet_info.h"
#include "engine/physics/conveyor_geometry.h"
#include "engine/scene/scene_loader.h"
#include "engine/scene/units.h"
#include "engine/stats/mser.h"
#include "engine/variants/overrides.h"
#include "engine/variants/variant_set.h"
#include "engine/version.h"

namespace pw = plantwin;

namespace {

constexpr int kExitInvalid = 2;
constexpr int kExitFailure = 1;
constexpr int kExitRegression = 3;

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

// The backend `name` asks for (auto, cpu or cuda), the plantwin physics engine. As run does,
// auto keeps scenes with physical conveyors on the cpu until the cuda path is validated.
std::unique_ptr<pw::Backend> backend_for(const pw::Scene& scene, const std::string& name) {
  return pw::make_backend(name == "auto" && scene.has_physical_conveyor() ? "cpu" : name);
}

struct RunArgs {
  std::string scene, output = "results.h5", backend = "auto", horizon, warmup;
  int threads = 0;
  int64_t replications = -1;  // -1: not given
  std::string seed;
  std::vector<std::string> sets;  // --set path=value, in order
  double target_ci = 0;           // percent; 0: run the replications asked for
  int64_t max_replications = 1000;
  std::string kpi = "throughput_per_h";
  bool quiet = false;
  std::string physics = "plantwin";  // the engine of physical conveyors: plantwin or bullet
  std::string record_lanes;          // --record-lanes LIST, as given; empty: none
  bool force = false;                // overwrite an existing results file
  std::string checkpoint;            // --checkpoint FILE; empty: none
  double checkpoint_every_s = 60;    // wall-clock seconds between checkpoints
};

// Parses `--record-lanes`: lane indices separated by commas, each a whole number or a range
// A-B (A <= B, both included), e.g. "0,3,7" or "2-5,9". Returns false with *why on bad syntax.
// Whether the lanes exist (and are listed once) is run_batch's check, which knows the batch.
bool parse_lane_list(const std::string& text, std::vector<int64_t>* lanes, std::string* why) {
  constexpr int64_t kMostLanes = 100000;  // more trajectories than anyone can store anyway
  auto number = [](const std::string& t, int64_t* out) {
    if (t.empty() || t.size() > 15 || t.find_first_not_of("0123456789") != std::string::npos) return false;
    *out = std::stoll(t);
    return true;
  };
  lanes->clear();
  if (text.empty()) {
    *why = "expected lane indices such as 0,3,7 or 2-5, got an empty list";
    return false;
  }
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t dash = item.find('-');
    int64_t first = 0, last = 0;
    const bool ok = dash == std::string::npos
                        ? number(item, &first) && number(item, &last)
                        : number(item.substr(0, dash), &first) && number(item.substr(dash + 1), &last);
    if (!ok) {
      *why = "expected lane indices such as 0,3,7 or 2-5 (whole numbers from 0, separated by commas), got '" +
             (item.empty() ? text : item) + "'";
      return false;
    }
    if (last < first) {
      *why = "range '" + item + "' runs backwards; write it from the smaller lane, " + std::to_string(last) + "-" +
             std::to_string(first);
      return false;
    }
    if (last - first + 1 > kMostLanes - static_cast<int64_t>(lanes->size())) {
      *why = "more than " + std::to_string(kMostLanes) + " lanes listed";
      return false;
    }
    for (int64_t l = first; l <= last; ++l) lanes->push_back(l);
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

// True when `message` is one of run_batch's refusals of --record-lanes (an argument error).
bool is_record_lanes_error(const std::string& message) { return message.rfind("--record-lanes:", 0) == 0; }

int cmd_run(const RunArgs& a) {
  pw::install_stop_handlers();
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
  if (const std::string too_long = pw::run_length_problem(run); !too_long.empty()) {
    std::cerr << "plantwin run: " << too_long << "\n";
    return kExitInvalid;
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
  std::vector<int64_t> record_lanes;
  std::string why;
  if (!a.record_lanes.empty()) {
    if (!parse_lane_list(a.record_lanes, &record_lanes, &why)) {
      std::cerr << "plantwin run: --record-lanes: " << why << "\n";
      return kExitInvalid;
    }
    if (a.target_ci > 0) {
      std::cerr << "plantwin run: --record-lanes cannot be combined with --target-ci (the batch grows while it "
                   "runs); give --replications instead\n";
      return kExitInvalid;
    }
  }
  if (!output_writable(a.output, &why)) {
    std::cerr << "plantwin run: cannot write results to '" << a.output << "': " << why << "\n";
    return kExitInvalid;
  }
  if (!a.checkpoint.empty()) {
    if (a.target_ci > 0) {
      std::cerr << "plantwin run: --checkpoint cannot be combined with --target-ci (the batch grows while it runs); "
                   "give --replications instead\n";
      return kExitInvalid;
    }
    if (a.checkpoint == a.output) {
      std::cerr << "plantwin run: --checkpoint must name another file than the results (-o)\n";
      return kExitInvalid;
    }
    if (!output_writable(a.checkpoint, &why)) {
      std::cerr << "plantwin run: cannot write the checkpoint '" << a.checkpoint << "': " << why << "\n";
      return kExitInvalid;
    }
  }
  {
    std::error_code ec;
    if (!a.force && std::filesystem::exists(a.output, ec)) {
      std::cerr << "plantwin run: '" << a.output
                << "' exists; pass --force to replace it (the old file stays until the new one is complete), or "
                   "choose another file with -o\n";
      return kExitInvalid;
    }
  }

  // Physical conveyors, and the Bullet reference engine, run on the cpu backend only.
  const bool physical = scene.has_physical_conveyor();
  const bool bullet = a.physics == "bullet";
  std::string backend_name = a.backend, auto_note;
  if (a.backend == "cuda" && bullet) {
    std::cerr << "plantwin run: --physics bullet (the Bullet reference engine) runs on the cpu backend only; use "
                 "--backend cpu, or --physics plantwin\n";
    return kExitInvalid;
  }
  // The cuda path of physical conveyors compiles in every build but has not yet been checked
  // against the cpu on a GPU (tools/gpu-check does that): auto keeps such scenes on the cpu.
  if (a.backend == "cuda" && physical && !a.quiet)
    std::cerr << "plantwin run: note: physical conveyors on the cuda backend are not yet validated against the cpu "
                 "backend on a GPU; --backend cpu is the checked path\n";
  if (a.backend == "auto" && (physical || bullet)) {
    backend_name = "cpu";
    auto_note = physical ? " (auto: physical conveyors run on the cpu backend until the cuda path is validated)"
                         : " (auto: --physics bullet runs on the cpu backend)";
  }
  std::unique_ptr<pw::Backend> backend;
  try {
    backend = backend_name == "cpu"
                  ? pw::make_cpu_backend(bullet ? pw::PhysicsEngine::Bullet : pw::PhysicsEngine::Kernel)
                  : pw::make_backend(backend_name);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin run: " << ex.what() << "\n";
    return kExitInvalid;
  }
  {
    // Refuse a batch this machine cannot hold (memory) or store (disk), before simulating.
    pw::RunSettings one = run;
    one.replications = 1;
    const int64_t V = std::max<int64_t>(1, static_cast<int64_t>(pw::expand_variants(scene).size()));
    const int64_t L = run.replications > INT64_MAX / V ? INT64_MAX : V * run.replications;
    pw::Feasibility f = pw::check_batch(pw::compile_model(scene, one), *backend, a.output, L, V);
    if (!f.ok) {
      std::cerr << "plantwin run: " << f.why << "\n";
      return kExitInvalid;
    }
  }
  if (!a.quiet) {
    std::string note = auto_note;
    if (a.backend == "auto" && backend->name() == "cpu" && note.empty()) {
      pw::cuda_available(&why);
      note = " (auto: " + why + ")";
    }
    if (physical) note += "; physics " + backend->physics_engine();
    std::cerr << "plantwin: " << scene.name << ": " << run.replications << " replication(s) of "
              << pw::format_duration(run.horizon_s) << " after " << pw::format_duration(run.warmup_s)
              << " warm-up, seed " << run.seed << "; backend " << backend->describe() << note << "\n";
  }

  Progress progress(!a.quiet);
  pw::BatchOptions opt;
  opt.record_lanes = record_lanes;
  opt.progress = [&](int64_t d, int64_t t) { progress.update(d, t); };
  // --checkpoint: resume from the file when it is there, save the lanes done every
  // --checkpoint-every seconds and when a signal stops the batch, remove it once the results
  // are written.
  std::string checkpoint_key;
  auto last_save = std::chrono::steady_clock::now();
  if (!a.checkpoint.empty()) {
    opt.resume = [&](pw::BatchResults& so_far) -> int64_t {
      checkpoint_key = pw::checkpoint_key(so_far, a.sets, PLANTWIN_VERSION);
      std::error_code ec;
      if (!std::filesystem::exists(a.checkpoint, ec)) return 0;
      const int64_t done = pw::read_checkpoint(a.checkpoint, checkpoint_key, so_far);
      if (!a.quiet)
        std::cerr << "plantwin: resuming from '" << a.checkpoint << "': " << done << " of " << so_far.lanes
                  << " lanes already done\n";
      return done;
    };
    opt.checkpoint = [&](const pw::BatchResults& so_far, int64_t done, bool stopping) {
      const auto now = std::chrono::steady_clock::now();
      if (done >= so_far.lanes) return;
      if (!stopping && std::chrono::duration<double>(now - last_save).count() < a.checkpoint_every_s) return;
      pw::set_stop_cleanup_path(pw::results_temporary_path(a.checkpoint));
      try {
        pw::write_checkpoint(a.checkpoint, checkpoint_key, so_far, done);
      } catch (const std::exception& ex) {
        // The batch goes on (its results are still written at the end); only resuming is at risk.
        pw::set_stop_cleanup_path("");
        std::cerr << "plantwin run: warning: " << ex.what() << "; the run goes on without a new checkpoint\n";
        return;
      }
      pw::set_stop_cleanup_path("");
      last_save = now;
      if (stopping)
        std::cerr << "plantwin run: " << done << " of " << so_far.lanes << " lanes saved in '" << a.checkpoint
                  << "'; run the same command again to resume\n";
    };
  }
  auto t0 = std::chrono::steady_clock::now();
  pw::BatchResults results;
  try {
    if (a.target_ci > 0) {
      pw::TargetCi target;
      target.percent = a.target_ci;
      target.kpi = a.kpi;
      target.max_replications = a.max_replications;
      pw::TargetCiOutcome outcome;
      results = pw::run_to_target(scene, run, *backend, target, opt, &outcome);
      char line[512];
      std::snprintf(line, sizeof line, "%s %s: every variant's 95 %% half-width of %s %s %g %% of its mean after %lld replications (%d batches; widest: '%s' at %.3g %%)",
                    "plantwin:", outcome.reached ? "target reached" : "target NOT reached", a.kpi.c_str(),
                    outcome.reached ? "within" : "is not within", a.target_ci,
                    static_cast<long long>(outcome.replications), outcome.rounds, outcome.worst_variant.c_str(),
                    outcome.worst_percent);
      if (!a.quiet || !outcome.reached) std::cerr << line << (outcome.reached ? "" : "; the --max-replications cap stopped it") << "\n";
    } else {
      results = pw::run_batch(scene, run, *backend, opt);
    }
  } catch (const pw::BatchStopped& ex) {
    std::cerr << "plantwin run: " << ex.what() << "; no results written ('" << a.output
              << "' is untouched)\n";
    return 128 + pw::stop_signal();
  } catch (const pw::CheckpointRefused& ex) {
    std::cerr << "plantwin run: " << ex.what() << "\n";
    return kExitInvalid;
  } catch (const std::exception& ex) {
    // run_batch refuses lanes it cannot record before it simulates anything: an argument error.
    std::cerr << "plantwin run: " << ex.what() << "\n";
    return is_record_lanes_error(ex.what()) ? kExitInvalid : kExitFailure;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  pw::set_stop_cleanup_path(pw::results_temporary_path(a.output));
  try {
    pw::write_results(results, a.output, PLANTWIN_VERSION);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin run: " << ex.what() << "\n";
    if (!a.checkpoint.empty()) {
      // Every lane is done: keep them all, so that the same command only writes the results.
      try {
        pw::write_checkpoint(a.checkpoint, checkpoint_key, results, results.lanes);
        std::cerr << "plantwin run: all " << results.lanes << " lanes saved in '" << a.checkpoint
                  << "'; run the same command again, once there is room, to write the results\n";
      } catch (const std::exception& again) {
        std::cerr << "plantwin run: " << again.what() << "\n";
      }
    }
    return kExitFailure;
  }
  pw::set_stop_cleanup_path("");
  if (!a.checkpoint.empty()) std::remove(a.checkpoint.c_str());  // the results hold every lane now
  if (pw::stop_signal() != 0) {
    // The signal came while the last lanes ran or the file was written: the results are whole.
    std::cerr << "plantwin run: stopped by a signal after the last lanes; the results in '" << a.output
              << "' are complete\n";
    return 128 + pw::stop_signal();
  }
  if (!a.quiet) {
    int64_t events = 0;
    for (int64_t e : results.events) events += e;
    std::fprintf(stderr, "plantwin: %lld lanes, %lld events in %.3f s (%.3g events/s); results in %s\n",
                 static_cast<long long>(results.lanes), static_cast<long long>(events), secs,
                 secs > 0 ? events / secs : 0.0, a.output.c_str());
    pw::print_kpi_table(std::cout, results);
  }
  // Dropped contacts make a lane's physics untrustworthy: the table says so; with -q, stderr does.
  if (a.quiet && results.has_physics()) {
    int64_t overflowed = 0;
    for (int64_t steps : results.physics_contact_overflow) overflowed += steps > 0;
    if (overflowed > 0)
      std::fprintf(stderr,
                   "plantwin: warning: contact points were dropped in %lld of %lld lanes (/physics/contact_overflow): "
                   "the physics of those lanes, and their results, are not trustworthy\n",
                   static_cast<long long>(overflowed), static_cast<long long>(results.lanes));
  }
  // A deadlock is a property of the model, not an error of the run: say so even with -q.
  int64_t stuck = 0, first = -1;
  for (int64_t l = 0; l < static_cast<int64_t>(results.deadlock_at_s.size()); ++l)
    if (std::isfinite(results.deadlock_at_s[l]) && stuck++ == 0) first = l;
  if (stuck > 0)
    std::fprintf(stderr,
                 "plantwin: warning: %lld of %lld lanes deadlocked (parts in the line, none can move, nothing "
                 "scheduled), the first (lane %lld) at %.6g s; look for a loop of full elements, such as rework "
                 "into a full buffer that feeds the same station (/lanes/deadlock_at_s has every lane)\n",
                 static_cast<long long>(stuck), static_cast<long long>(results.lanes), static_cast<long long>(first),
                 results.deadlock_at_s[first]);
  return 0;
}

int cmd_validate(const std::vector<std::string>& scenes, bool strict) {
  int bad = 0;
  for (const auto& path : scenes) {
    pw::LoadResult lr = pw::load_scene_file(path);
    int errors = report(lr);
    const int warnings = static_cast<int>(lr.diagnostics.items.size()) - errors;
    if (errors > 0) {
      std::cerr << path << ": " << errors << (errors == 1 ? " error" : " errors") << "\n";
      ++bad;
    } else if (strict && warnings > 0) {
      std::cerr << path << ": " << warnings << (warnings == 1 ? " warning" : " warnings")
                << " (--strict treats warnings as errors)\n";
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

struct DiffArgs {
  std::string a, b, format = "table";
  double alpha = 0.05;
  std::vector<std::string> kpis;
};

int cmd_diff(const DiffArgs& args) {
  pw::BatchResults a, b;
  pw::DiffOptions opt;
  opt.alpha = args.alpha;
  opt.kpis = args.kpis;
  pw::ResultsDiff d;
  try {  // an unreadable file, an unknown KPI or a bad alpha: all invalid input
    a = pw::read_results(args.a);
    b = pw::read_results(args.b);
    d = pw::diff_results(a, b, opt);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin diff: " << ex.what() << "\n";
    return kExitInvalid;
  }
  auto label = [](const std::string& path, const pw::BatchResults& r) {
    return path + " (scene '" + r.scene_name + "', " + std::to_string(r.replications) + " replication(s), seed " +
           std::to_string(r.seed) + ")";
  };
  pw::write_diff(std::cout, d, label(args.a, a), label(args.b, b),
                 args.format == "csv" ? pw::DiffFormat::kCsv : pw::DiffFormat::kTable);
  return 0;
}

struct CheckArgs {
  std::vector<std::string> scenes;
  std::string baseline, junit, backend = "auto";
  double alpha = 0.05, tolerance = 0;  // tolerance in percent
  bool update = false, all = false, quiet = false;
  int threads = 0;
};

int cmd_check(const CheckArgs& a) {
  namespace fs = std::filesystem;
  // Ctrl-C or SIGTERM (a CI job cancelled) stops after the lanes running, like `run`.
  pw::install_stop_handlers();
  auto bad = [](const std::string& why) {
    std::cerr << "plantwin check: " << why << "\n";
    return kExitInvalid;
  };
  if (!(a.alpha > 0 && a.alpha < 1)) return bad("--alpha must be between 0 and 1 (exclusive), e.g. 0.05");
  if (!(a.tolerance >= 0 && a.tolerance < 1e6)) return bad("--tolerance must be a percentage >= 0, e.g. 2");
  if (a.threads < 0) return bad("--threads must be at least 1");
  if (a.threads > 0) omp_set_num_threads(a.threads);
  std::error_code ec;
  if (!a.update && !fs::is_directory(a.baseline, ec))
    return bad("baseline folder '" + a.baseline + "' does not exist; create the baselines with --update");
  if (a.update && fs::exists(a.baseline, ec) && !fs::is_directory(a.baseline, ec))
    return bad("'" + a.baseline + "' is not a folder");
  std::string why;
  if (!a.junit.empty() && !output_writable(a.junit, &why))
    return bad("cannot write the JUnit report to '" + a.junit + "': " + why);

  // Everything that can be wrong with the input is found before anything runs.
  std::vector<pw::LoadResult> scenes;
  std::vector<pw::Baseline> baselines;
  int invalid = 0;
  for (const std::string& path : a.scenes) {
    scenes.push_back(pw::load_scene_file(path));
    if (report(scenes.back()) > 0) {
      ++invalid;
      continue;
    }
    if (a.update) continue;
    try {
      baselines.push_back(pw::read_baseline(pw::baseline_path(a.baseline, path)));
    } catch (const pw::BaselineError& ex) {
      std::cerr << "plantwin check: " << ex.what()
                << (fs::exists(pw::baseline_path(a.baseline, path), ec) ? "" : "; create it with --update") << "\n";
      ++invalid;
    }
  }
  if (invalid > 0) return kExitInvalid;
  if (a.update) {
    fs::create_directories(a.baseline, ec);
    if (ec) return bad("cannot create the baseline folder '" + a.baseline + "': " + ec.message());
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<pw::SceneCheck> checks;
  pw::CheckOptions opt;
  opt.alpha = a.alpha;
  opt.tolerance = a.tolerance / 100.0;
  for (size_t i = 0; i < scenes.size(); ++i) {
    const pw::Scene& scene = *scenes[i].scene;
    if (pw::stop_signal() != 0) {  // it came during the last lanes of the scene before
      std::cerr << "plantwin check: stopped by a signal before " << a.scenes[i] << "; no verdict, no report\n";
      return 128 + pw::stop_signal();
    }
    pw::BatchResults results;
    try {
      std::unique_ptr<pw::Backend> backend = backend_for(scene, a.backend);
      if (!a.quiet)
        std::cerr << "plantwin check: [" << i + 1 << "/" << scenes.size() << "] " << a.scenes[i] << ": "
                  << scene.run.replications << " replication(s) of " << pw::format_duration(scene.run.horizon_s)
                  << "; backend " << backend->describe() << "\n";
      results = pw::run_batch(scene, scene.run, *backend, pw::BatchOptions{});
    } catch (const pw::BatchStopped& ex) {
      std::cerr << "plantwin check: " << a.scenes[i] << ": " << ex.what() << "; no verdict, no report"
                << (a.update ? ", and the baselines of this and later scenes are as they were" : "") << "\n";
      return 128 + pw::stop_signal();
    } catch (const std::exception& ex) {
      std::cerr << "plantwin check: " << a.scenes[i] << ": " << ex.what() << "\n";
      return kExitFailure;
    }
    if (a.update) {
      const std::string path = pw::baseline_path(a.baseline, a.scenes[i]);
      try {
        const pw::Baseline b = pw::baseline_of(results);
        pw::write_baseline(b, path);
        std::cout << "wrote " << path << " (" << b.rows.size() << " KPIs of " << results.variant_names.size()
                  << " variant(s), " << results.replications << " replication(s))\n";
      } catch (const std::exception& ex) {
        std::cerr << "plantwin check: " << ex.what() << "\n";
        return kExitFailure;
      }
      continue;
    }
    checks.push_back(pw::check_against(a.scenes[i], results, baselines[i], opt));
  }
  if (a.update) return 0;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  pw::write_check_table(std::cout, checks, opt, a.all);
  if (!a.junit.empty()) {
    std::ofstream out(a.junit, std::ios::binary | std::ios::trunc);
    pw::write_junit(out, checks, opt, secs);
    out.close();
    if (!out) {
      std::cerr << "plantwin check: cannot write the JUnit report to '" << a.junit << "'\n";
      return kExitFailure;
    }
  }
  int64_t failures = 0;
  for (const pw::SceneCheck& c : checks) failures += c.failures;
  return failures > 0 ? kExitRegression : 0;
}

struct WarmupArgs {
  std::string scene, horizon, series = "wip", backend = "auto";
  int64_t replications = 40;  // averaging 40 start-ups keeps MSER from chasing noise
  int64_t batch = 5;
  int threads = 0;
};

// Pilot windows: the series has this many observations (20 batch means at the default batch 5).
constexpr int64_t kWarmupWindows = 100;

int cmd_warmup(const WarmupArgs& a) {
  pw::LoadResult lr = pw::load_scene_file(a.scene);
  if (report(lr) > 0) return kExitInvalid;
  const pw::Scene& scene = *lr.scene;
  pw::PilotOptions po;
  po.horizon_s = scene.run.warmup_s + scene.run.horizon_s;
  if (!a.horizon.empty()) {
    auto h = pw::parse_duration(a.horizon);
    if (!h || *h <= 0) {
      std::cerr << "plantwin warmup: --horizon: expected a positive duration such as 8h or 3600, got '" << a.horizon
                << "'\n";
      return kExitInvalid;
    }
    po.horizon_s = *h;
  }
  if (po.horizon_s > pw::kMaxRunSeconds) {
    std::cerr << "plantwin warmup: the pilot of " << pw::format_duration(po.horizon_s)
              << " is longer than plantwin simulates (1e9 s, 31.7 years)\n";
    return kExitInvalid;
  }
  if (a.replications < 1) {
    std::cerr << "plantwin warmup: --replications must be at least 1\n";
    return kExitInvalid;
  }
  if (a.batch < 1 || kWarmupWindows / a.batch < 4) {
    std::cerr << "plantwin warmup: --batch must be from 1 to " << kWarmupWindows / 4 << " (the pilot has "
              << kWarmupWindows << " windows and MSER needs at least 4 batches)\n";
    return kExitInvalid;
  }
  if (a.threads < 0) {
    std::cerr << "plantwin warmup: --threads must be at least 1\n";
    return kExitInvalid;
  }
  if (a.threads > 0) omp_set_num_threads(a.threads);
  std::unique_ptr<pw::Backend> backend;
  try {
    backend = backend_for(scene, a.backend);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin warmup: " << ex.what() << "\n";
    return kExitInvalid;
  }
  po.replications = a.replications;
  po.windows = kWarmupWindows;
  const bool wip = a.series == "wip";
  std::cerr << "plantwin warmup: " << scene.name << ": pilot of " << pw::format_duration(po.horizon_s)
            << " from empty, " << po.replications << " replication(s), seed " << scene.run.seed << ", "
            << po.windows << " windows; backend " << backend->describe() << "\n";
  Progress progress(true);
  po.progress = [&](int64_t d, int64_t t) { progress.update(d, t); };
  pw::PilotSeries ps;
  pw::MserResult m;
  try {
    ps = pw::run_pilot_series(scene, po, *backend);
    m = pw::mser(wip ? ps.wip : ps.throughput_per_h, a.batch);
  } catch (const std::exception& ex) {
    std::cerr << "plantwin warmup: " << ex.what() << "\n";
    return kExitFailure;
  }
  const double bw = ps.window_s * static_cast<double>(a.batch);  // simulated time per batch
  const char* what = wip ? "WIP (time-average parts in the system)" : "throughput (parts/h)";
  std::printf("Series: %s per window of %s, mean of %lld replication(s) started empty\n", what,
              pw::format_duration(ps.window_s).c_str(), static_cast<long long>(ps.replications));
  std::printf("\nBatch means (MSER-%lld: %lld windows = %s per batch)\n", static_cast<long long>(a.batch),
              static_cast<long long>(a.batch), pw::format_duration(bw).c_str());
  std::printf("  %5s  %10s  %10s  %12s\n", "batch", "from", "to", wip ? "WIP" : "parts/h");
  for (size_t i = 0; i < m.batch_means.size(); ++i)
    std::printf("  %5zu  %10s  %10s  %12.4g\n", i + 1, pw::format_duration(bw * i).c_str(),
                pw::format_duration(bw * (i + 1)).c_str(), m.batch_means[i]);
  std::printf("\nMSER curve (d: batches deleted; searched d = 0..%lld, the first half)\n",
              static_cast<long long>(m.searched - 1));
  std::printf("  %5s  %10s  %12s\n", "d", "deleted", "MSER(d)");
  auto row = [&](int64_t d) {
    std::printf("  %5lld  %10s  %12.4g%s\n", static_cast<long long>(d), pw::format_duration(bw * d).c_str(),
                m.statistic[d],
                d == m.best_batches ? "  <- minimum" : (d == m.global_best_batches ? "  <- smaller (second half)" : ""));
  };
  for (int64_t d = 0; d < m.searched; ++d) row(d);
  if (m.min_in_second_half) {
    std::printf("  %5s\n", "...");
    row(m.global_best_batches);
  }
  const double warm = bw * static_cast<double>(m.best_batches);
  std::printf("\nRecommended warm-up: %s (d* = %lld batch(es) = %lld observations of %lld; scene's run.warmup: %s)\n",
              warm > 0 ? pw::format_duration(warm).c_str() : "0 (no initial transient detected)",
              static_cast<long long>(m.best_batches), static_cast<long long>(m.truncation),
              static_cast<long long>(ps.windows), pw::format_duration(scene.run.warmup_s).c_str());
  if (m.at_boundary)
    std::printf("caution: the minimum is at the end of the searched first half: the transient may last longer "
                "than half the pilot; rerun with a longer --horizon\n");
  if (m.min_in_second_half)
    std::printf("caution: MSER is smaller still at d = %lld (%s), in the second half of the series: the pilot may "
                "not have reached steady state; rerun with a longer --horizon\n",
                static_cast<long long>(m.global_best_batches),
                pw::format_duration(bw * static_cast<double>(m.global_best_batches)).c_str());
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
  app.footer("Exit status: 0 success, 1 failure while running, 2 invalid scene or arguments, 3 (check) a KPI moved.\n"
             "Scene format: docs/scene-format.md   Results: docs/results.md");

  RunArgs ra;
  auto* run = app.add_subcommand("run", "Simulate a scene and write results (HDF5); prints a KPI table");
  run->add_option("SCENE", ra.scene, "Scene file (YAML)")->required();
  run->add_option("-o,--output", ra.output,
                  "Results file to write (default results.h5; written atomically; an existing file needs --force)");
  run->add_option("--backend", ra.backend, "auto (cuda when a device exists, else cpu), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  run->add_option("--threads", ra.threads, "CPU threads for the cpu backend (default: all cores)");
  run->add_option("--replications", ra.replications, "Replications per variant (overrides run.replications)");
  run->add_option("--horizon", ra.horizon, "Simulated time after warm-up, e.g. 8h (overrides run.horizon)");
  run->add_option("--warmup", ra.warmup, "Warm-up time, e.g. 30min (overrides run.warmup)");
  run->add_option("--seed", ra.seed, "Master seed, 0..2^64-1 (overrides run.seed)");
  run->add_option("--target-ci", ra.target_ci,
                  "Add replications (in batches, all variants together) until every variant's 95 % confidence "
                  "half-width of --kpi is within PCT % of its mean, or --max-replications is reached")
      ->check(CLI::PositiveNumber);
  run->add_option("--max-replications", ra.max_replications, "Cap for --target-ci (default 1000)")
      ->check(CLI::Range(int64_t(2), int64_t(100000000)));
  run->add_option("--kpi", ra.kpi, "KPI that --target-ci watches (default throughput_per_h)")
      ->check(CLI::IsMember({"produced", "throughput_per_h", "wip_mean", "lead_time_mean_s"}));
  run->add_option("--set", ra.sets,
                  "Change a baseline value before running (repeatable): paths and values as in the variants "
                  "block, e.g. --set buf.capacity=5 --set m1.process.mean=40s --set 'm1.at=[1,2,0]'; the scene's "
                  "variants still apply on top")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  run->add_option("--physics", ra.physics,
                  "Engine of physical conveyors (model: physics): plantwin (default; the built-in rigid-body "
                  "kernel) or bullet (the Bullet physics library as a reference, on the cpu backend only: slower, "
                  "for validation and a second opinion)")
      ->check(CLI::IsMember({"plantwin", "bullet"}));
  run->add_option("--record-lanes", ra.record_lanes,
                  "Record the pose of every body of these lanes after each physics step (/physics/trajectory/<lane> "
                  "in the results): lane indices separated by commas, ranges allowed, e.g. 0,3,7 or 2-5")
      ->type_name("LIST");
  run->add_flag("--force", ra.force,
                "Replace an existing results file (without it plantwin run refuses, before simulating); the old "
                "file is replaced only when the new one is complete");
  run->add_option("--checkpoint", ra.checkpoint,
                  "Save the lanes done to FILE as the batch runs (every --checkpoint-every seconds, and when "
                  "SIGINT/SIGTERM stops it); the same command run again resumes from FILE with identical final "
                  "results; FILE is removed once the results are written")
      ->type_name("FILE");
  run->add_option("--checkpoint-every", ra.checkpoint_every_s,
                  "Wall-clock seconds between checkpoints (default 60; 0: after every chunk of lanes)")
      ->check(CLI::NonNegativeNumber);
  run->add_flag("-q,--quiet", ra.quiet, "No progress, summary or table; only errors");
  run->footer("Example: plantwin run scenes/two-station-line.yaml -o results.h5 --replications 20");

  std::vector<std::string> vscenes;
  auto* val = app.add_subcommand("validate", "Check scene files and report every problem as FILE:LINE:COLUMN");
  val->add_option("SCENE", vscenes, "Scene files")->required();
  bool strict = false;
  val->add_flag("--strict", strict,
                "Fail (exit 2) on warnings too, e.g. an element no source feeds or physics settings no conveyor uses");

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

  DiffArgs da;
  auto* dif = app.add_subcommand(
      "diff", "KPI differences per variant between two results files, with Welch's t test of each");
  dif->add_option("A", da.a, "Results file (the reference)")->required();
  dif->add_option("B", da.b, "Results file compared with A")->required();
  dif->add_option("--alpha", da.alpha, "Significance level of the two-sided test (default 0.05)");
  dif->add_option("--kpi", da.kpis,
                  "KPIs to compare (repeatable): produced, throughput_per_h, wip_mean, lead_time_mean_s (default: all)");
  dif->add_option("--format", da.format, "table (default) or csv")->check(CLI::IsMember({"table", "csv"}));
  dif->footer(
      "Variants are matched by name. For each variant and KPI: A's and B's mean +- sd over replications,\n"
      "B - A, the relative change, and the p-value of Welch's two-sample t test (unequal variances); the\n"
      "verdict is 'differs' when p < alpha, 'untested' when a side has fewer than 2 replications. Notes\n"
      "say when the files come from different scenes, horizons or warm-ups, or share a seed. Exit status 0\n"
      "whatever differs (plantwin check turns differences into a CI verdict).\n"
      "Example: plantwin diff before.h5 after.h5 --kpi throughput_per_h --alpha 0.01");

  CheckArgs ka;
  auto* chk = app.add_subcommand(
      "check", "Run scenes and test every variant's KPIs against stored baselines (CI regression; exit 3 on a move)");
  chk->add_option("SCENE", ka.scenes, "Scene files (YAML)")->required();
  chk->add_option("--baseline", ka.baseline, "Folder of the baselines, one SCENE-NAME.baseline file per scene")
      ->required();
  chk->add_flag("--update", ka.update, "Run the scenes and (re)write their baselines instead of checking");
  chk->add_option("--alpha", ka.alpha, "Significance level of Welch's two-sided t test (default 0.05)");
  chk->add_option("--tolerance", ka.tolerance,
                  "Relative change in percent that is accepted even when significant (default 0)");
  chk->add_option("--junit", ka.junit, "Also write a JUnit XML report (one testcase per scene, variant and KPI)");
  chk->add_flag("--all", ka.all, "List every KPI in the table, not only those that did not hold");
  chk->add_option("--backend", ka.backend, "auto (cuda when a device exists, else cpu), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  chk->add_option("--threads", ka.threads, "CPU threads for the cpu backend (default: all cores)");
  chk->add_flag("-q,--quiet", ka.quiet, "No progress lines");
  chk->footer(
      "Each scene runs with its own run settings. For every variant and KPI (produced, throughput_per_h,\n"
      "wip_mean, lead_time_mean_s) the mean over replications is tested against the baseline's mean, sd and\n"
      "count by Welch's t test: it moved when p < alpha and the change exceeds --tolerance; with a single\n"
      "replication (no noise to test against) when the means differ by more than --tolerance. Any move,\n"
      "better or worse, fails: the check guards against unintended change; accept an intended one with\n"
      "--update and commit the baselines. Exit status: 0 all held, 3 something moved (or a variant is new or\n"
      "missing), 2 invalid input (a scene, a missing or malformed baseline, bad arguments), 1 a run failed.\n"
      "Example: plantwin check scenes/*.yaml --baseline baselines --junit report.xml");

  WarmupArgs wa;
  auto* wu = app.add_subcommand(
      "warmup", "Run a pilot from empty and recommend a warm-up length by MSER-5 (White 1997)");
  wu->add_option("SCENE", wa.scene, "Scene file (YAML)")->required();
  wu->add_option("--replications", wa.replications, "Pilot replications averaged per window (default 40)");
  wu->add_option("--horizon", wa.horizon,
                 "Pilot length from t = 0, e.g. 24h (default: the scene's run.warmup + run.horizon)");
  wu->add_option("--series", wa.series, "Time series to truncate: wip (default) or throughput")
      ->check(CLI::IsMember({"wip", "throughput"}));
  wu->add_option("--batch", wa.batch, "Observations per batch mean (default 5: MSER-5)");
  wu->add_option("--backend", wa.backend, "auto (cuda when a device exists, else cpu), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  wu->add_option("--threads", wa.threads, "CPU threads for the cpu backend (default: all cores)");
  wu->footer(
      "The pilot is cut into 100 windows; each window's WIP (or throughput) is averaged over the\n"
      "replications, then batched into means of --batch windows. For each truncation d (batches) MSER(d) =\n"
      "sum over the kept batch means of (z - mean)^2 / (kept batches)^2; the warm-up is the d minimizing it\n"
      "over the first half of the series, times the batch length. A caution is printed when the minimum\n"
      "is at the end of the searched half or smaller still in the second half: rerun with a longer --horizon.\n"
      "Example: plantwin warmup scenes/two-station-line.yaml --horizon 24h --series throughput");

  auto* ver = app.add_subcommand("version", "Print the version and the backends this build has");

  if (argc > 1 && argv[1][0] != '-') {
    std::string verb = argv[1];
    if (verb != "run" && verb != "validate" && verb != "info" && verb != "compare" && verb != "diff" &&
        verb != "check" && verb != "warmup" && verb != "version") {
      std::cerr << "plantwin: unknown verb '" << verb
                << "'; expected run, validate, info, compare, diff, check, warmup or version (see --help)\n";
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
  if (val->parsed()) return cmd_validate(vscenes, strict);
  if (info->parsed()) return cmd_info(ipath);
  if (cmp->parsed()) return cmd_compare(ca);
  if (dif->parsed()) return cmd_diff(da);
  if (chk->parsed()) return cmd_check(ka);
  if (wu->parsed()) return cmd_warmup(wa);
  if (ver->parsed()) return cmd_version();
  return kExitInvalid;
}
