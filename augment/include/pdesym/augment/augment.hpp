#pragma once
// Finite transformations exp(eps V) of Lie point symmetry generators applied to gridded trajectories.
//
// A generator V = xi d_x + tau d_t + phi d_u is a coefficient vector over symmetry::PolynomialBasis. The group
// element exp(eps V) maps the graph {(x, t, u(x,t))} of a solution pointwise along the flow of V; the
// transformed function u' is the function whose graph is the image. This file resamples u' on a grid again.
//
// Classes of generators (classify()):
//  * Affine: xi = a x + b t + c, tau = d t + e, phi = f u + g t + h (no other monomials). This covers space
//    and time translations, Galilean boosts, scalings and every linear combination of them. The flow is the
//    exact 4x4 matrix exponential M = exp(eps A) acting on (x, t, u, 1): time labels map affinely
//    (t' = M_tt t + M_t1, dt' = M_tt dt), the grid and the period are rescaled (x' = M_xx x, L' = M_xx L,
//    dx' = M_xx dx) and each time row is Fourier-shifted by (M_xt t + M_x1)/M_xx, then u' = M_uu u + M_ut t +
//    M_u1. Spectrally exact. (Time translation only relabels time; it is a symmetry of autonomous equations.)
//  * PeriodicGeneral: tau = tau(t) (any polynomial), xi = a x + f(t, u), phi = h(t, u). Its flow commutes
//    with the period shift x -> x + L (L' = e^{eps a} L), so the image is again periodic. The flow is integrated
//    with RK4 (TransformOptions::substeps); for each output point the pre-image x is found by Newton's method
//    on the spectrally interpolated row; if tau is not affine in t the output time grid is uniform between the
//    images of the first and last times and pre-image times between stored levels are handled by Lagrange
//    interpolation in time (TransformOptions::time_stencil points) of the Fourier coefficients.
//  * NonPeriodic: tau = tau(t) but xi or phi depend on x otherwise (e.g. Burgers' projective field
//    x t d_x + t^2 d_t + (x - t u) d_u). The image is a solution, but not periodic on a fixed domain, so it
//    cannot be stored as a periodic trajectory; transform_points() evaluates it at arbitrary points.
//  * Unsupported: tau depends on x or u (time levels would mix with space); rejected with a clear message.
//
// Several variables (1-D systems such as NLS, 2-D fields; vector_field.hpp has the classes): generators live on a
// PolynomialBasis over (x, [y], t, u, [v, ...]) and act only on data of the same (dim, nc). Translations in x and y
// are Fourier shifts, time translation relabels, scalings rescale dx, dy, dt and the components, linear maps of
// the components (the NLS phase v d_u - u d_v) are exact, and so is the Galilean boost of a complex field
// 2t d_x - x (v d_u - u d_v) at the eps the box can represent (eps Lx in 2 pi Z: the phase factor must be
// periodic). General fields use the RK4 flow and a Newton iteration in (x, y) on the 2-D spectral interpolant
// (and Lagrange interpolation of the spectra in time when tau is not affine, as in 1-D). Before any n-D transformation the period criterion is checked: the images of (x, t, u) and
// (x + L_i, t, u) must differ by exactly the new period; continuous rotations y d_x - x d_y, the heat field
// t d_x - x u d_u, pseudo-conformal / projective fields and boosts at other velocities are refused with an
// InputError naming the generator and why. The box's 90-degree rotations and reflections (discrete.hpp) enter a
// generator set as the entries "d4" / "rot90" (generators.hpp).
#include "pdesym/augment/discrete.hpp"
#include "pdesym/augment/generators.hpp"
#include "pdesym/augment/transform.hpp"
#include "pdesym/augment/vector_field.hpp"
