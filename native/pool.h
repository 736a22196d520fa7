// pool.h — the addon's one thread pool. Every threaded kernel (and the GEMM split) runs here;
// OpenBLAS (pthread build) is pinned to one thread per caller, so nothing oversubscribes the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace pool {
// Number of threads (main + workers). CM3LEON_THREADS overrides; default = hardware threads.
int threads();
void set_threads(int n);
// Run fn(begin, end) over [0, n) split into threads() contiguous chunks. Runs inline when n is
// smaller than grain*2, there is one thread, it is called from inside a pool task, or another
// thread is already dispatching. An exception thrown by any chunk is rethrown here after all
// chunks finish.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
}  // namespace pool
