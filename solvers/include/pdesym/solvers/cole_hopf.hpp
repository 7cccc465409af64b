#pragma once
// The Cole–Hopf map from the heat equation to viscous Burgers (science.md): if psi > 0 solves psi_t = nu psi_xx
// on a periodic domain, then u = -2 nu psi_x / psi solves u_t + u u_x = nu u_xx. Physics only: any heat solution
// (from any integrator, or exact) can be mapped.
#include "pdesym/common/field.hpp"
#include "pdesym/solvers/spectral.hpp"

namespace pdesym::solvers {

/// u = -2 nu psi_x / psi on the periodic grid g (psi_x spectral, all modes). Throws InputError if psi has a
/// value that is not finite and positive (the map needs psi > 0), naming the point.
rvec cole_hopf(const rvec& psi, const Grid& g, double nu);

/// Applies cole_hopf to every time level of a 1-D scalar heat solution in place (grid from the field's dx, nx);
/// the component keeps its name "u". Throws InputError for a field other than 1-D scalar.
void cole_hopf_in_place(Field& psi, double nu);

}  // namespace pdesym::solvers
