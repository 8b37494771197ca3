#include "engine/model/dist_compile.h"

#include <cmath>

namespace plantwin {

const char* dist_family_name(DistFamily f) {
  switch (f) {
    case DistFamily::Constant: return "constant";
    case DistFamily::Exponential: return "exponential";
    case DistFamily::Uniform: return "uniform";
    case DistFamily::Triangular: return "triangular";
    case DistFamily::Normal: return "normal";
    case DistFamily::Lognormal: return "lognormal";
    case DistFamily::Gamma: return "gamma";
    case DistFamily::Erlang: return "erlang";
    case DistFamily::Weibull: return "weibull";
    case DistFamily::Empirical: return "empirical";
  }
  return "unknown";
}

namespace {

// Coefficient of variation of a lognormal/gamma spec given either as cv or as sd.
double spec_cv(const DistSpec& s) { return s.has_cv ? s.cv : s.sd / s.mean; }

Dist make(DistKind kind, double p0 = 0, double p1 = 0, double p2 = 0) {
  Dist d{};
  d.kind = kind;
  d.p0 = p0;
  d.p1 = p1;
  d.p2 = p2;
  return d;
}

// Moments of N(mu, sd^2) truncated to [0, inf).
struct TruncMoments {
  double mean, var;
};
TruncMoments truncated_normal(double mu, double sd) {
  if (!(sd > 0)) return {mu > 0 ? mu : 0.0, 0.0};  // as compiled: Constant(max(mean, 0))
  const double alpha = -mu / sd;
  const double pdf = 0.3989422804014327 * std::exp(-0.5 * alpha * alpha);  // 1/sqrt(2 pi)
  const double tail = 0.5 * std::erfc(alpha / std::sqrt(2.0));  // P(Z > alpha)
  const double lambda = pdf / tail;
  return {mu + sd * lambda, sd * sd * (1.0 + alpha * lambda - lambda * lambda)};
}

}  // namespace

Dist compile_dist(const DistSpec& s, std::vector<double>& table) {
  switch (s.family) {
    case DistFamily::Constant:
      return make(DistKind::Constant, s.value);
    case DistFamily::Exponential:
      return make(DistKind::Exponential, s.mean);
    case DistFamily::Uniform:
      return make(DistKind::Uniform, s.min, s.max - s.min);
    case DistFamily::Triangular:
      return make(DistKind::Triangular, s.min, s.mode, s.max);
    case DistFamily::Normal:
      if (!(s.sd > 0)) return make(DistKind::Constant, s.mean > 0 ? s.mean : 0.0);
      return make(DistKind::Normal, s.mean, s.sd);
    case DistFamily::Lognormal: {
      const double cv = spec_cv(s);
      if (!(cv > 0)) return make(DistKind::Constant, s.mean);
      // mean = exp(mu + sigma^2/2), cv^2 = exp(sigma^2) - 1.
      const double sigma2 = std::log1p(cv * cv);
      return make(DistKind::Lognormal, std::log(s.mean) - 0.5 * sigma2, std::sqrt(sigma2));
    }
    case DistFamily::Gamma: {
      const double cv = spec_cv(s);
      if (!(cv > 0)) return make(DistKind::Constant, s.mean);
      const double shape = 1.0 / (cv * cv);
      return make(DistKind::Gamma, shape, s.mean / shape, 1.0 / shape);
    }
    case DistFamily::Erlang: {
      Dist d = make(DistKind::Erlang, s.mean / s.k);
      d.k = s.k;
      return d;
    }
    case DistFamily::Weibull:
      return make(DistKind::Weibull, s.scale, 1.0 / s.shape);
    case DistFamily::Empirical: {
      Dist d = make(DistKind::Empirical);
      d.table_offset = static_cast<int32_t>(table.size());
      d.table_count = static_cast<int32_t>(s.values.size());
      double total = 0;
      for (double w : s.weights) total += w;
      double cum = 0;
      for (size_t i = 0; i < s.values.size(); ++i) {
        cum += s.weights[i];
        // The last row is exactly 1 so that every u < 1 finds a row despite rounding.
        table.push_back(i + 1 == s.values.size() ? 1.0 : cum / total);
        table.push_back(s.values[i]);
      }
      return d;
    }
  }
  return make(DistKind::Constant, 0.0);
}

double dist_mean(const DistSpec& s) {
  switch (s.family) {
    case DistFamily::Constant: return s.value;
    case DistFamily::Exponential:
    case DistFamily::Lognormal:
    case DistFamily::Gamma:
    case DistFamily::Erlang: return s.mean;
    case DistFamily::Uniform: return 0.5 * (s.min + s.max);
    case DistFamily::Triangular: return (s.min + s.mode + s.max) / 3.0;
    case DistFamily::Normal: return truncated_normal(s.mean, s.sd).mean;
    case DistFamily::Weibull: return s.scale * std::tgamma(1.0 + 1.0 / s.shape);
    case DistFamily::Empirical: {
      double total = 0, sum = 0;
      for (size_t i = 0; i < s.values.size(); ++i) {
        total += s.weights[i];
        sum += s.weights[i] * s.values[i];
      }
      return sum / total;
    }
  }
  return 0.0;
}

double dist_variance(const DistSpec& s) {
  switch (s.family) {
    case DistFamily::Constant: return 0.0;
    case DistFamily::Exponential: return s.mean * s.mean;
    case DistFamily::Uniform: return (s.max - s.min) * (s.max - s.min) / 12.0;
    case DistFamily::Triangular: {
      const double a = s.min, c = s.mode, b = s.max;
      return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
    }
    case DistFamily::Normal: return truncated_normal(s.mean, s.sd).var;
    case DistFamily::Lognormal:
    case DistFamily::Gamma: {
      const double sd = s.mean * spec_cv(s);
      return sd * sd;
    }
    case DistFamily::Erlang: return s.mean * s.mean / s.k;
    case DistFamily::Weibull: {
      const double g1 = std::tgamma(1.0 + 1.0 / s.shape);
      const double g2 = std::tgamma(1.0 + 2.0 / s.shape);
      return s.scale * s.scale * (g2 - g1 * g1);
    }
    case DistFamily::Empirical: {
      const double m = dist_mean(s);
      double total = 0, sum = 0;
      for (size_t i = 0; i < s.values.size(); ++i) {
        total += s.weights[i];
        sum += s.weights[i] * (s.values[i] - m) * (s.values[i] - m);
      }
      return sum / total;
    }
  }
  return 0.0;
}

}  // namespace plantwin
