// `plantwin check`: a scene's fresh run against its stored baseline (engine/io/baseline_file.h),
// KPI by KPI and variant by variant, with Welch's t test; the verdicts as a table for people
// and as JUnit XML for CI servers.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"
#include "engine/io/baseline_file.h"
#include "engine/stats/welch.h"

namespace plantwin {

struct CheckOptions {
  double alpha = 0.05;     // significance level of the two-sided test, in (0, 1)
  double tolerance = 0;    // relative: a move smaller than tolerance * |baseline mean| holds anyway
};

enum class CheckStatus {
  kHeld,     // no significant move (or one within the tolerance)
  kMoved,    // a significant move beyond the tolerance
  kNew,      // the run has this variant and KPI, the baseline not
  kMissing,  // the baseline has it, the run not
};

struct CheckRow {
  std::string variant, kpi, unit;
  bool higher_is_better = true;
  SampleSummary base, now;
  WelchResult test;  // diff = now.mean - base.mean; untested with fewer than 2 replications
  CheckStatus status = CheckStatus::kHeld;
};

struct SceneCheck {
  std::string scene_path, scene_name;
  std::vector<CheckRow> rows;
  std::vector<std::string> notes;  // run settings that differ from the baseline's
  int64_t failures = 0;            // rows moved, new or missing
};

// The verdict of every variant and KPI. A row is kMoved when Welch's test rejects equal means
// at alpha and |now - base| > tolerance * |base mean|; with fewer than 2 replications on a
// side (no noise to test against) when the means differ by more than the tolerance. A KPI
// without a finite value on both sides (a lead time when no part finished) holds; on one
// side only it moved.
SceneCheck check_against(const std::string& scene_path, const BatchResults& now, const Baseline& base,
                         const CheckOptions& options);

// Per scene a summary line, then the rows that did not hold (all rows with `all_rows`):
// variant, KPI, baseline and now (mean +- sd), the change, p and the verdict.
void write_check_table(std::ostream& os, const std::vector<SceneCheck>& checks, const CheckOptions& options,
                       bool all_rows);

// JUnit XML: a testsuite per scene, a testcase per variant and KPI (classname: the scene,
// name: "VARIANT: KPI"), a <failure> with the numbers for each row that did not hold.
void write_junit(std::ostream& os, const std::vector<SceneCheck>& checks, const CheckOptions& options,
                 double seconds);

}  // namespace plantwin
