#include "pdesym/solvers/phi.hpp"

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "pdesym/common/error.hpp"

namespace pdesym::solvers {

namespace {
// Blocks are handled by templates on the Eigen matrix type: fixed-size 2 x 2 (no heap traffic; NLS, wave) or
// dynamic.
using DynMat = Eigen::Matrix<cdouble, Eigen::Dynamic, Eigen::Dynamic>;
using Mat2 = Eigen::Matrix<cdouble, 2, 2>;

template <class Mat>
Mat to_mat(const std::vector<cdouble>& a, int nc) {
  Mat m(nc, nc);
  for (int i = 0; i < nc; ++i)
    for (int j = 0; j < nc; ++j) m(i, j) = a[static_cast<std::size_t>(i) * nc + j];
  return m;
}

template <class Mat>
std::vector<cdouble> from_mat(const Mat& m) {
  const int nc = static_cast<int>(m.rows());
  std::vector<cdouble> a(static_cast<std::size_t>(nc) * nc);
  for (int i = 0; i < nc; ++i)
    for (int j = 0; j < nc; ++j) a[static_cast<std::size_t>(i) * nc + j] = m(i, j);
  return a;
}

bool is_diagonal(const std::vector<cdouble>& a, int nc) {
  for (int i = 0; i < nc; ++i)
    for (int j = 0; j < nc; ++j)
      if (i != j && a[static_cast<std::size_t>(i) * nc + j] != cdouble(0.0)) return false;
  return true;
}

template <class Mat>
struct Spectrum {
  Mat V;
  Eigen::Matrix<cdouble, Mat::RowsAtCompileTime, 1> lambda;
  cdouble centre;
  double spread = 0, separation = 0, cond = 0;
  bool ok = false;
};

template <class Mat>
Spectrum<Mat> analyse(const Mat& A) {
  Spectrum<Mat> s;
  const int nc = static_cast<int>(A.rows());
  Eigen::ComplexEigenSolver<Mat> es(A, true);
  if (es.info() != Eigen::Success) return s;
  s.V = es.eigenvectors();
  s.lambda = es.eigenvalues();
  s.centre = A.trace() / static_cast<double>(nc);
  s.separation = INFINITY;
  for (int i = 0; i < nc; ++i) {
    s.spread = std::max(s.spread, std::abs(s.lambda(i) - s.centre));
    for (int j = 0; j < i; ++j) s.separation = std::min(s.separation, std::abs(s.lambda(i) - s.lambda(j)));
  }
  Eigen::JacobiSVD<Mat> svd(s.V);
  const auto& sv = svd.singularValues();
  s.cond = sv(sv.size() - 1) > 0 ? sv(0) / sv(sv.size() - 1) : INFINITY;
  s.ok = true;
  return s;
}

template <class Mat>
bool use_eigen(const Spectrum<Mat>& s, const Etdrk4Options& opt) {
  return s.ok && s.separation > opt.contour_radius && s.cond < 1e8;
}

// The six functions of phi.hpp at one point z (closed forms; accurate away from z = 0).
void closed_forms(cdouble z, double h, cdouble out[6]) {
  const cdouble ez = std::exp(z), ez2 = std::exp(z / 2.0), z3 = z * z * z;
  out[0] = ez;
  out[1] = ez2;
  out[2] = h * (ez2 - 1.0) / z;
  out[3] = h * (-4.0 - z + ez * (4.0 - 3.0 * z + z * z)) / z3;
  out[4] = h * (2.0 + z + ez * (-2.0 + z)) / z3;
  out[5] = h * (-4.0 - 3.0 * z - z * z + ez * (4.0 - z)) / z3;
}
}  // namespace

void scalar_etdrk4_coefficients(cdouble z, double h, const Etdrk4Options& opt, cdouble out[6]) {
  // The arithmetic of the original scalar stepper, operation for operation; for real z the imaginary parts are then
  // set to zero (phi.hpp).
  const int M = opt.contour_points;
  out[0] = std::exp(z);
  out[1] = std::exp(z / 2.0);
  cdouble q = 0, a = 0, b = 0, c = 0;
  for (int j = 0; j < M; ++j) {
    // Roots of unity shifted by half a point: r_j = R exp(2 pi i (j + 1/2) / M) (full circle, because h*L is
    // complex in general and the half-circle real-part trick of Kassam–Trefethen would be wrong).
    const cdouble w = z + std::polar(opt.contour_radius, 2.0 * M_PI * (j + 0.5) / M);
    const cdouble ew = std::exp(w), ew2 = std::exp(w / 2.0), w3 = w * w * w;
    q += (ew2 - 1.0) / w;
    a += (-4.0 - w + ew * (4.0 - 3.0 * w + w * w)) / w3;
    b += (2.0 + w + ew * (-2.0 + w)) / w3;
    c += (-4.0 - 3.0 * w - w * w + ew * (4.0 - w)) / w3;
  }
  out[2] = h * q / double(M);
  out[3] = h * a / double(M);
  out[4] = h * b / double(M);
  out[5] = h * c / double(M);
  if (z.imag() == 0.0)
    for (int f = 0; f < 6; ++f) out[f] = cdouble(out[f].real(), 0.0);
}

namespace {
template <class Mat>
int method_impl(const std::vector<cdouble>& hL, int nc, const Etdrk4Options& opt) {
  return use_eigen(analyse(to_mat<Mat>(hL, nc)), opt) ? 1 : 2;
}

template <class Mat>
void coefficients_impl(const std::vector<cdouble>& hL, int nc, double h, const Etdrk4Options& opt,
                       std::vector<cdouble>* outs[6]) {
  const Mat A = to_mat<Mat>(hL, nc);
  const Spectrum<Mat> s = analyse(A);
  if (use_eigen(s, opt)) {
    const Mat Vinv = s.V.inverse();
    cdouble r[16][6];
    for (int i = 0; i < nc; ++i) scalar_etdrk4_coefficients(s.lambda(i), h, opt, r[i]);
    for (int f = 0; f < 6; ++f) {
      Mat D = Mat::Zero(nc, nc);
      for (int i = 0; i < nc; ++i) D(i, i) = r[i][f];
      *outs[f] = from_mat<Mat>(s.V * D * Vinv);
    }
    return;
  }
  // Matrix contour around the eigenvalue mean (trace / nc, exact even when the eigen solver is inaccurate).
  const cdouble c = A.trace() / static_cast<double>(nc);
  double spread = 0;
  if (s.ok)
    for (int i = 0; i < nc; ++i) spread = std::max(spread, std::abs(s.lambda(i) - c));
  else
    spread = (A - c * Mat::Identity(nc, nc)).norm();  // bounds the spectral radius of A - cI
  const double R = std::max(opt.contour_radius + spread, 2.0 * spread);
  const int M = std::max(opt.contour_points, 64);
  Mat acc[6];
  for (auto& m : acc) m = Mat::Zero(nc, nc);
  for (int j = 0; j < M; ++j) {
    const cdouble dz = std::polar(R, 2.0 * M_PI * (j + 0.5) / M), z = c + dz;
    const Mat res = (z * Mat::Identity(nc, nc) - A).inverse();
    cdouble fz[6];
    closed_forms(z, h, fz);
    for (int f = 0; f < 6; ++f) acc[f] += (fz[f] * dz) * res;
  }
  for (int f = 0; f < 6; ++f) *outs[f] = from_mat<Mat>(acc[f] / double(M));
}
}  // namespace

int block_method(const std::vector<cdouble>& hL, int nc, const Etdrk4Options& opt) {
  PDESYM_CHECK(nc >= 1 && nc <= 16 && hL.size() == static_cast<std::size_t>(nc) * nc, "block must be nc x nc, nc <= 16");
  if (is_diagonal(hL, nc)) return 0;
  return nc == 2 ? method_impl<Mat2>(hL, nc, opt) : method_impl<DynMat>(hL, nc, opt);
}

BlockCoefficients block_etdrk4_coefficients(const std::vector<cdouble>& hL, int nc, double h,
                                            const Etdrk4Options& opt) {
  PDESYM_CHECK(nc >= 1 && nc <= 16 && hL.size() == static_cast<std::size_t>(nc) * nc, "block must be nc x nc, nc <= 16");
  PDESYM_REQUIRE(opt.contour_points >= 4, "contour_points must be >= 4");
  PDESYM_REQUIRE(opt.contour_radius > 0, "contour_radius must be positive");
  const std::size_t nn = static_cast<std::size_t>(nc) * nc;
  BlockCoefficients bc;
  std::vector<cdouble>* outs[6] = {&bc.E, &bc.E2, &bc.Q, &bc.f1, &bc.f2, &bc.f3};
  for (auto* o : outs) o->assign(nn, 0.0);
  if (is_diagonal(hL, nc)) {
    for (int i = 0; i < nc; ++i) {
      cdouble r[6];
      scalar_etdrk4_coefficients(hL[static_cast<std::size_t>(i) * nc + i], h, opt, r);
      for (int f = 0; f < 6; ++f) (*outs[f])[static_cast<std::size_t>(i) * nc + i] = r[f];
    }
    return bc;
  }
  if (nc == 2) coefficients_impl<Mat2>(hL, nc, h, opt, outs);
  else coefficients_impl<DynMat>(hL, nc, h, opt, outs);
  if (std::all_of(hL.begin(), hL.end(), [](const cdouble& z) { return z.imag() == 0.0; }))
    for (auto* o : outs)
      for (auto& z : *o) z = cdouble(z.real(), 0.0);
  return bc;
}

}  // namespace pdesym::solvers
