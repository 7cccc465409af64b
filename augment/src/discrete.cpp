// Discrete symmetries of the periodic box (see discrete.hpp).
#include "pdesym/augment/discrete.hpp"

#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym::augment {

std::string BoxSymmetry::label() const {
  const int k = ((rotations % 4) + 4) % 4;
  std::string s = k == 0 ? "" : "rot" + std::to_string(90 * k);
  if (reflect) s += s.empty() ? "reflect" : "*reflect";
  return s.empty() ? "identity" : s;
}

std::vector<BoxSymmetry> BoxSymmetry::group(int dim) {
  PDESYM_REQUIRE(dim == 1 || dim == 2, "box symmetries exist for 1-D and 2-D boxes, not " << dim << "-D");
  std::vector<BoxSymmetry> g;
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < (dim == 2 ? 4 : 1); ++k) g.push_back(BoxSymmetry{k, r == 1});
  return g;
}

std::vector<Parity> parse_parities(const std::string& text) {
  std::vector<Parity> out;
  std::stringstream ss(text);
  std::string word;
  while (std::getline(ss, word, ',')) {
    const auto a = word.find_first_not_of(" \t"), b = word.find_last_not_of(" \t");
    const std::string w = a == std::string::npos ? "" : word.substr(a, b - a + 1);
    if (w == "scalar")
      out.push_back(Parity::Scalar);
    else if (w == "pseudoscalar")
      out.push_back(Parity::Pseudoscalar);
    else
      throw InputError("component parity '" + w + "' is neither 'scalar' nor 'pseudoscalar'");
  }
  return out;
}

Field apply(const Field& f, const BoxSymmetry& g, const std::vector<Parity>& parity) {
  validate(f, "box symmetry " + g.label());
  PDESYM_REQUIRE(parity.empty() || static_cast<int>(parity.size()) == f.nc(),
                 "box symmetry " << g.label() << ": " << parity.size() << " component parities for " << f.nc()
                                 << " components");
  const int k = ((g.rotations % 4) + 4) % 4;
  const int nx = f.nx(), ny = f.ny();
  PDESYM_REQUIRE(k == 0 || f.dim() == 2, "box symmetry " << g.label() << ": rotations act on 2-D fields only");
  PDESYM_REQUIRE(k == 0 || (nx == ny && std::abs(f.dx - f.dy) <= 1e-12 * f.dx),
                 "box symmetry " << g.label() << ": rotations by 90 degrees need a square grid, got " << nx << " x "
                                 << ny << " points with dx = " << f.dx << ", dy = " << f.dy);
  // Source index of every target index: g^-1 = P^r R^-k, with R^-1 (i, j) = (j, -i) and P (i, j) = (i, -j)
  // (1-D: P i = -i).
  std::vector<std::size_t> src(f.shape.points());
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      long qi = i, qj = j;
      for (int r = 0; r < k; ++r) {
        const long ti = qj, tj = -qi;
        qi = ti;
        qj = tj;
      }
      if (g.reflect) {
        if (f.dim() == 1)
          qi = -qi;
        else
          qj = -qj;
      }
      qi = ((qi % nx) + nx) % nx;
      qj = ((qj % ny) + ny) % ny;
      src[static_cast<std::size_t>(j) * nx + i] = static_cast<std::size_t>(qj) * nx + static_cast<std::size_t>(qi);
    }
  Field out = f;
  for (int c = 0; c < f.nc(); ++c) {
    const double s = (g.reflect && !parity.empty() && parity[c] == Parity::Pseudoscalar) ? -1.0 : 1.0;
    for (int n = 0; n < f.nt(); ++n) {
      const double* in = f.snapshot(c, n);
      double* o = out.snapshot(c, n);
      for (std::size_t p = 0; p < src.size(); ++p) o[p] = s * in[src[p]];
    }
  }
  return out;
}

}  // namespace pdesym::augment
