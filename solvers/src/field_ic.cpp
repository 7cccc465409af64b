#include "pdesym/solvers/field_ic.hpp"

#include <algorithm>
#include <cmath>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/pde.hpp"

namespace pdesym::solvers {

FieldIc FieldIc::from_config(const Config& c, const FieldPde& pde, const Box& box) {
  box.validate();
  FieldIc ic;
  ic.nc = pde.nc();
  ic.zero.assign(static_cast<std::size_t>(ic.nc), false);
  const bool scalar_1d = dynamic_cast<const Pde*>(&pde) != nullptr;
  const std::string def = scalar_1d ? "sine_sum" : "random_modes";
  const std::string type = c.is_null() ? def : c.get_or<std::string>("type", def);
  const std::string where = c.is_null() ? std::string("initial_condition") : c.where();
  if (type == "sine_sum") {
    PDESYM_REQUIRE(box.dim == 1 && ic.nc == 1, where << ": type 'sine_sum' is for 1-D scalar equations; "
                                                     << pde.name() << " needs type 'random_modes'");
    ic.type = Type::sine_sum;
    ic.sine = SineSumIc::from_config(c);
    return ic;
  }
  PDESYM_REQUIRE(type == "random_modes", where << ".type: unknown initial condition type '" << type
                                               << "' (known: sine_sum, random_modes)");
  ic.type = Type::random_modes;
  if (pde.name() == "wave") {  // default: u_t starts at zero
    const auto names = pde.component_names();
    for (int k = 0; k < ic.nc; ++k) ic.zero[k] = names[k] == "u_t";
  }
  if (!c.is_null()) {
    c.require_only({"type", "amplitude", "k_min", "k_max", "zero_components"});
    ic.amplitude = c.get_or<double>("amplitude", ic.amplitude);
    ic.k_min = c.get_or<int>("k_min", ic.k_min);
    ic.k_max = c.get_or<int>("k_max", ic.k_max);
    if (c.has("zero_components")) {
      const Config z = c["zero_components"];
      PDESYM_REQUIRE(z.is_sequence(), z.where() << ": must be a list of component names");
      std::fill(ic.zero.begin(), ic.zero.end(), false);
      const auto names = pde.component_names();
      for (std::size_t i = 0; i < z.size(); ++i) {
        const std::string n = z.at(i).as<std::string>();
        auto it = std::find(names.begin(), names.end(), n);
        PDESYM_REQUIRE(it != names.end(), z.at(i).where() << ": '" << n << "' is not a component of " << pde.name());
        ic.zero[static_cast<std::size_t>(it - names.begin())] = true;
      }
    }
  }
  PDESYM_REQUIRE(ic.amplitude > 0 && std::isfinite(ic.amplitude), where << ".amplitude: must be positive, got " << ic.amplitude);
  PDESYM_REQUIRE(ic.k_min >= 1, where << ".k_min: must be >= 1, got " << ic.k_min);
  PDESYM_REQUIRE(ic.k_max >= ic.k_min, where << ".k_max: must be >= k_min (" << ic.k_min << "), got " << ic.k_max);
  PDESYM_REQUIRE(2 * ic.k_max < box.nx && (box.dim == 1 || 2 * ic.k_max < box.ny),
                 where << ".k_max: " << ic.k_max << " is not below the Nyquist mode of the " << box.ny << " x "
                       << box.nx << " grid");
  return ic;
}

std::vector<double> FieldIc::sample(const Box& box, Rng& rng) const {
  if (type == Type::sine_sum) return sine.sample(Grid(box.nx, box.Lx), rng);
  box.validate();
  const std::size_t np = box.points(), nk = box.modes();
  const int nkx = box.nkx();
  const double N = static_cast<double>(np);
  std::vector<double> u(static_cast<std::size_t>(nc) * np, 0.0);
  FftBox fft(box);
  cvec spec(nk);
  const int my_max = box.dim == 2 ? k_max : 0;
  for (int c = 0; c < nc; ++c) {
    std::fill(spec.begin(), spec.end(), cdouble(0.0));
    for (int mx = 0; mx <= k_max; ++mx)
      for (int my = -my_max; my <= my_max; ++my) {
        if (mx == 0 && my <= 0) continue;  // one half-plane: the other is the complex conjugate
        const int m2 = mx * mx + my * my;
        if (m2 < k_min * k_min || m2 > k_max * k_max) continue;
        const double xi = rng.normal(), phi = rng.uniform(0.0, 2.0 * M_PI);
        // xi cos(theta + phi) = (xi/2)(e^{i(theta+phi)} + c.c.); the unnormalised DFT of e^{i theta} is N.
        const cdouble a = std::polar(0.5 * N * xi, phi);
        const std::size_t j = static_cast<std::size_t>(my >= 0 ? my : my + box.ny);
        spec[j * nkx + mx] += a;
        if (mx == 0) spec[static_cast<std::size_t>(box.ny - my) * nkx] += std::conj(a);
      }
    if (zero[c]) continue;
    double* uc = u.data() + static_cast<std::size_t>(c) * np;
    fft.inverse(spec.data(), uc);
    double ss = 0;
    for (std::size_t j = 0; j < np; ++j) ss += uc[j] * uc[j];
    const double rms = std::sqrt(ss / N);
    if (rms > 0)
      for (std::size_t j = 0; j < np; ++j) uc[j] *= amplitude / rms;
  }
  return u;
}

}  // namespace pdesym::solvers
