// pool.h — the addon's one thread pool. Every threaded kernel (and the GEMM split) runs here, so
// OpenBLAS (serial build) and our kernels never oversubscribe the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace pool {
// Number of threads (main + workers). CM3LEON_THREADS overrides; default = hardware threads.
int threads();
void set_threads(int n);
// Run fn(begin, end) over [0, n) split into threads() contiguous chunks. Runs inline when n is
// smaller than grain*2 or there is one thread.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
}  // namespace pool
