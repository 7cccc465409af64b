#pragma once
// exp(eps V) of one generator applied to a gridded trajectory (augment.hpp explains the method).
#include <vector>

#include "pdesym/augment/vector_field.hpp"

namespace pdesym::augment {

struct TransformOptions {
  int substeps = 64;          ///< RK4 steps over [0, eps] for the flow of general fields
  int time_stencil = 8;       ///< points of the Lagrange time interpolation (general fields, non-affine tau)
  double newton_tol = 1e-13;  ///< relative to the period L
  int newton_max_iter = 60;
  bool force_general = false; ///< use the flow + Newton path even for affine fields (tests, cross-checks)
  /// n-D data: the unfused reference path (tests, bench_augment): generators applied one at a time, the general
  /// RK4 period criterion for every class, and LinearPhase exponentials evaluated at every grid point. The default
  /// fuses consecutive affine generators into one matrix, decides periodicity of affine and LinearPhase fields in
  /// closed form and factors the phase exponential by grid row and column; both agree to rounding.
  bool reference_nd = false;
};

/// exp(eps V) applied to a periodic gridded trajectory of any shape (1-D / 2-D, nc components); V's variables
/// must have the data's (dim, nc) (InputError naming both otherwise). Affine and LinearPhase fields are exact
/// (Fourier shifts in x and y, relabelled times, rescaled dx, dy, dt, linear maps of the components, the phase
/// factor of a boost); PeriodicGeneral fields go through the RK4 flow and Newton for the spatial pre-image on the
/// spectral interpolant (Lagrange interpolation of the spectra in time when tau is not affine). The 1-D scalar path is that of augment.hpp, unchanged.
/// n-D data: before transforming, the general period criterion (images of x and x + L_i compared) must hold
/// for this eps. Throws InputError for NonPeriodic/Unsupported fields and for an eps whose image is not
/// periodic (the message names the generator and why; for boosts it lists the representable eps), and Error
/// when the flow cannot be inverted (eps too large: the image is multivalued or leaves the domain of definition).
Field transform(const Field& in, const VectorField& V, double eps, const TransformOptions& opt = {});

/// 1-D scalar fields only. Evaluates the transformed function u' = exp(eps V) u at the points (xs[k], ts[k]) for any field whose tau
/// depends on t only (including NonPeriodic ones): time pre-image by the flow of tau, space pre-image by
/// Newton on the spectral interpolant of `in` (which is treated as periodic), Lagrange interpolation in time
/// when a pre-image time falls between stored levels.
std::vector<double> transform_points(const Field& in, const VectorField& V, double eps, const std::vector<double>& xs,
                                     const std::vector<double>& ts, const TransformOptions& opt = {});

}  // namespace pdesym::augment
