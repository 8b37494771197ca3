#include "engine/batch/target_ci.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/batch/append_replications.h"
#include "engine/io/compare.h"

namespace plantwin {

double worst_relative_ci(const BatchResults& r, const std::string& kpi, std::string* variant) {
  CompareOptions opt;
  opt.kpi = kpi;
  const Comparison c = compare_variants(r, opt);
  double worst = 0;
  std::string name = c.rows.empty() ? "" : c.rows.front().name;
  for (const auto& row : c.rows) {
    if (!std::isfinite(row.kpi.mean)) continue;
    double rel = row.kpi.ci95 == 0 ? 0
                 : row.kpi.mean == 0 ? std::numeric_limits<double>::infinity()
                                     : 100.0 * row.kpi.ci95 / std::fabs(row.kpi.mean);
    if (rel > worst) {
      worst = rel;
      name = row.name;
    }
  }
  if (variant) *variant = name;
  return worst;
}

BatchResults run_to_target(const Scene& scene, RunSettings run, Backend& backend, const TargetCi& target,
                           const BatchOptions& options, TargetCiOutcome* outcome) {
  TargetCiOutcome out;
  BatchResults all = run_batch(scene, run, backend, options);
  out.rounds = 1;
  for (;;) {
    out.worst_variant.clear();
    // A confidence interval needs two replications; one is never enough.
    out.worst_percent = all.replications < 2 ? std::numeric_limits<double>::infinity()
                                             : worst_relative_ci(all, target.kpi, &out.worst_variant);
    out.reached = out.worst_percent <= target.percent;
    if (out.reached || all.replications >= target.max_replications) break;
    RunSettings more = run;
    more.replications = std::min<int64_t>(all.replications, target.max_replications - all.replications);
    BatchOptions opt = options;
    opt.first_replication = all.replications;
    append_replications(all, run_batch(scene, more, backend, opt));
    ++out.rounds;
  }
  out.replications = all.replications;
  if (outcome) *outcome = out;
  return all;
}

}  // namespace plantwin
