// Welch's two-sample t test on summaries (mean, sample standard deviation, count): is the
// difference of two means larger than their replications' noise explains? Used by `plantwin
// diff` (two results files) and `plantwin check` (a run against its baseline).
#pragma once
#include <cstdint>

namespace plantwin {

// A sample's summary: mean, sample standard deviation (n - 1 in the denominator) and count.
struct SampleSummary {
  double mean = 0, sd = 0;
  int64_t n = 0;
};

struct WelchResult {
  double diff = 0;   // b.mean - a.mean
  double se = 0;     // sqrt(a.sd^2 / a.n + b.sd^2 / b.n)
  double t = 0;      // diff / se
  double dof = 0;    // Welch-Satterthwaite degrees of freedom, >= min(a.n, b.n) - 1
  double p = 1;      // two-sided p-value, P(|T| >= |t|)
  bool tested = false;  // false when a side has n < 2 or a non-finite mean or sd: p is NaN then
};

// The test of H0: equal means. Both standard deviations zero (deterministic samples): p is 1
// when the means are equal and 0 when they differ (no noise can explain any difference);
// dof is then min(a.n, b.n) - 1 and t is 0 or +-inf.
WelchResult welch_test(const SampleSummary& a, const SampleSummary& b);

// Mean, sample standard deviation and count of the finite values among
// values[0], values[stride], ..., values[(n - 1) * stride] (NaN and +-inf are skipped).
SampleSummary summarize_sample(const double* values, int64_t n, int64_t stride = 1);

}  // namespace plantwin
