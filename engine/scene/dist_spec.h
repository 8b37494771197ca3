// A distribution as the scene author wrote it (after unit conversion to seconds),
// before it is compiled into the kernel's Dist form.
#pragma once
#include <string>
#include <vector>

namespace plantwin {

enum class DistFamily {
  Constant,     // value
  Exponential,  // mean
  Uniform,      // min, max
  Triangular,   // min, mode, max
  Normal,       // mean, sd (truncated at 0 by resampling)
  Lognormal,    // mean and (cv or sd)
  Gamma,        // mean and (cv or sd)
  Erlang,       // mean, k
  Weibull,      // shape, scale
  Empirical     // values, weights
};

// Parameters in seconds where they are durations. Only the fields of `family` are meaningful;
// the loader guarantees they are finite and in range (see scene_loader.cpp).
struct DistSpec {
  DistFamily family = DistFamily::Constant;
  double value = 0;                 // Constant
  double mean = 0;                  // Exponential, Normal, Lognormal, Gamma, Erlang
  double sd = 0;                    // Normal; Lognormal/Gamma when given as sd (has_cv false)
  double cv = 0;                    // Lognormal/Gamma when has_cv
  bool has_cv = false;
  int k = 1;                        // Erlang
  double shape = 1, scale = 1;      // Weibull
  double min = 0, mode = 0, max = 0;  // Uniform, Triangular
  std::vector<double> values;       // Empirical
  std::vector<double> weights;      // Empirical; same length as values; sum > 0
};

const char* dist_family_name(DistFamily f);

}  // namespace plantwin
