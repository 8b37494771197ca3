// Student's t distribution: the CDF and its inverse, used for the 95 % confidence
// intervals over replications and for Welch's test (engine/stats/welch.h).
#pragma once

namespace plantwin {

// P(T <= t) for Student's t with `dof` degrees of freedom, a real number >= 1 (Welch's test
// has fractional ones). Absolute error below ~1e-15 for every t; +-inf give 1 / 0, NaN
// gives NaN. Throws std::invalid_argument when dof < 1 or NaN.
double student_t_cdf(double t, double dof);

// The t with student_t_cdf(t, dof) == p, accurate to 1e-9 absolute (relative for |t| > 1).
// p == 0 gives -inf, p == 1 gives +inf.
// Throws std::invalid_argument when dof < 1 (or NaN) or p is NaN or outside [0, 1].
double student_t_quantile(double p, double dof);

}  // namespace plantwin
