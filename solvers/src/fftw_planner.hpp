#pragma once
// The one lock around FFTW's planner (plan creation and destruction are not thread-safe).
#include <mutex>

namespace pdesym::solvers {
std::mutex& fftw_planner_mutex();
}
