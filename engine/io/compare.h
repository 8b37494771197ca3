// `plantwin compare`: ranks the variants of a batch by one KPI, with 95 % confidence
// intervals over replications and paired (common random numbers) differences.
#pragma once
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"
#include "engine/stats/summary.h"

namespace plantwin {

// Bad input to compare_variants (unknown KPI or baseline, inconsistent results); the message
// is meant for the user (it lists the valid choices).
struct CompareError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The KPIs that can be compared, in this order: produced, throughput_per_h, wip_mean,
// lead_time_mean_s.
const std::vector<std::string>& compare_kpi_names();

struct CompareOptions {
  std::string kpi = "throughput_per_h";
  std::string baseline;  // a variant name; empty: variant 0
};

struct VariantComparison {
  int64_t variant = 0;  // index in BatchResults::variant_names
  std::string name;
  int64_t rank = 0;     // 1 = best; equal means share a rank (1, 2, 2, 4)
  MeanCI kpi{};         // mean and 95 % half-width over replications (non-finite values skipped)
  MeanCI diff{};        // paired differences variant - baseline, replication by replication
  MeanCI diff_best{};   // paired differences variant - best
  std::string mark;     // "best", "~best" or ""
};

struct Comparison {
  std::string kpi, unit;
  bool higher_is_better = true;
  int64_t baseline = 0;
  std::string baseline_name;
  int64_t replications = 1;
  std::vector<VariantParam> params;        // as in the results
  std::vector<VariantComparison> rows;     // in rank order
  std::vector<std::string> notes;
};

// The comparison. Rules:
//  - values per lane: the KPI column as double; NaN/inf (a lead time with no finished part)
//    are skipped;
//  - order: by mean, descending for produced and throughput_per_h, ascending for wip_mean and
//    lead_time_mean_s; a variant without a finite mean comes last; ties keep variant order;
//  - diff: d_r = x[v, r] - x[baseline, r] for every replication r where both are finite,
//    then mean_ci95 of the d_r;
//  - marks (only with replications >= 2): the first row is "best"; another row is "~best"
//    when its paired differences to the best, over at least 2 replications, have a 95 % CI
//    that contains 0 (|mean| <= ci95). With one replication nothing is marked and a note says
//    so.
// Throws CompareError for an unknown KPI (with a did-you-mean) or baseline (listing the
// names), or when the results' sizes disagree.
Comparison compare_variants(const BatchResults& r, const CompareOptions& options);

enum class CompareFormat { kTable, kCsv, kJson };

// table: fixed-width columns, units in the header, parameter columns when there are at most
// 4 parameters, notes below; csv: a header row, then one row per variant with plain numbers
// (empty for NaN), names quoted per RFC 4180 when needed, a position parameter as three
// columns NAME.x, NAME.y, NAME.z; json: one object {kpi, unit, higher_is_better, baseline,
// replications, parameters, notes, variants: [...]} with null for NaN.
void write_comparison(std::ostream& os, const Comparison& c, CompareFormat format);

}  // namespace plantwin
