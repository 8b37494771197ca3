// Student's t distribution: the CDF and its inverse, used for the 95 % confidence
// intervals over replications.
#pragma once

namespace plantwin {

// P(T <= t) for Student's t with `dof` degrees of freedom.
// Absolute error below ~1e-15 for every t; +-inf give 1 / 0, NaN gives NaN.
// Throws std::invalid_argument when dof < 1.
double student_t_cdf(double t, int dof);

// The t with student_t_cdf(t, dof) == p, accurate to 1e-9 absolute (relative for |t| > 1).
// p == 0 gives -inf, p == 1 gives +inf.
// Throws std::invalid_argument when dof < 1 or p is NaN or outside [0, 1].
double student_t_quantile(double p, int dof);

}  // namespace plantwin
