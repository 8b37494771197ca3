// `plantwin diff A.h5 B.h5`: for every variant in both files and every lane KPI, the two
// means over replications, their difference and Welch's test of it (is B's mean different
// from A's by more than the replications' noise explains?).
#pragma once
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"
#include "engine/stats/welch.h"

namespace plantwin {

// Bad input to diff_results (an unknown KPI, alpha out of range); the message is for the user.
struct DiffError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct DiffOptions {
  double alpha = 0.05;             // significance level of the two-sided test, in (0, 1)
  std::vector<std::string> kpis;   // empty: every lane KPI (engine/io/lane_kpis.h)
};

struct KpiDiffRow {
  std::string variant, kpi, unit;
  SampleSummary a, b;  // over replications; non-finite values (a lead time with no part) skipped
  WelchResult test;    // diff = b.mean - a.mean
  bool significant = false;  // tested and p < alpha
};

struct ResultsDiff {
  double alpha = 0.05;
  std::vector<KpiDiffRow> rows;          // variants in A's order, KPIs in the options' order
  std::vector<std::string> only_a, only_b;  // variants present in one file only
  std::vector<std::string> notes;        // why the files may not be comparable, and caveats
  int64_t significant = 0;               // rows with a significant difference
};

// Variants are matched by name. Notes: different scene files (SHA-256), horizons or
// warm-ups; the same seed (the replications are then common random numbers, which Welch's
// test, treating the samples as independent, does not exploit: it is conservative); a side
// with fewer than 2 replications (nothing can be tested). Throws DiffError for an unknown
// KPI (listing the names) or alpha outside (0, 1).
ResultsDiff diff_results(const BatchResults& a, const BatchResults& b, const DiffOptions& options);

enum class DiffFormat { kTable, kCsv };

// table: one row per variant and KPI with both means, B - A, the relative change, p and a
// verdict ("differs" when p < alpha, "same" otherwise, "untested" with fewer than 2
// replications); the variants in one file only and the notes below. csv: a header row, then
// one row per variant and KPI with plain numbers (empty for NaN).
void write_diff(std::ostream& os, const ResultsDiff& d, const std::string& label_a, const std::string& label_b,
                DiffFormat format);

}  // namespace plantwin
