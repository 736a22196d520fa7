// pool.cc — a tiny spin-then-sleep thread pool (main thread takes chunk 0). It also pins
// OpenBLAS to one thread per caller, so GEMMs split over the pool never oversubscribe.
#include "pool.h"
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#elif defined(__aarch64__)
static inline void cpu_relax() { __asm__ __volatile__("yield"); }
#else
static inline void cpu_relax() {}
#endif

namespace pool {
namespace {
struct Pool {
  int n = 1;
  int spin_limit = 2000;  // pause iterations a worker spins before sleeping (CM3LEON_SPIN)
  std::vector<std::thread> workers;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t total = 0;
  std::exception_ptr error;  // first exception thrown by a chunk, rethrown by the caller
  std::mutex error_mu;
  std::mutex dispatch;  // one parallel_for at a time (a second caller thread runs inline)
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;

  void chunk(int idx) {
    int64_t per = (total + n - 1) / n;
    int64_t b = per * idx, e = b + per < total ? b + per : total;
    if (b >= e) return;
    in_pool = true;
    try {
      (*fn)(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lk(error_mu);
      if (!error) error = std::current_exception();
    }
    in_pool = false;
  }
  static thread_local bool in_pool;
  void worker(int idx, uint64_t seen) {
    for (;;) {
      int spins = 0;
      while (generation.load(std::memory_order_acquire) == seen) {
        if (++spins < spin_limit) { cpu_relax(); continue; }
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return stop || generation.load(std::memory_order_acquire) != seen; });
        if (stop) return;
      }
      seen = generation.load(std::memory_order_acquire);
      chunk(idx);
      pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
  void start(int count) {
    n = count < 1 ? 1 : count;
    uint64_t now = generation.load(std::memory_order_acquire);
    for (int i = 1; i < n; i++) workers.emplace_back([this, i, now] { worker(i, now); });
  }
  void shutdown() {
    { std::lock_guard<std::mutex> lk(mu); stop = true; }
    cv.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
    stop = false;
  }
  ~Pool() { shutdown(); }
};

thread_local bool Pool::in_pool = false;

extern "C" void openblas_set_num_threads(int);

Pool& get() {
  static Pool* p = [] {
    // OpenBLAS (pthread build) runs single-threaded inside each pool thread: one set of threads.
    openblas_set_num_threads(1);
    auto* q = new Pool();
    int n = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("CM3LEON_THREADS")) n = std::atoi(env);
    if (const char* env = std::getenv("CM3LEON_SPIN")) q->spin_limit = std::atoi(env);
    q->start(n < 1 ? 1 : (n > 64 ? 64 : n));
    return q;
  }();
  return *p;
}
}  // namespace

int threads() { return get().n; }

void set_threads(int n) {
  Pool& p = get();
  p.shutdown();
  p.start(n < 1 ? 1 : (n > 64 ? 64 : n));
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  Pool& p = get();
  if (n <= 0) return;
  // Inline when small, single-threaded, nested inside a pool task, or another thread is dispatching.
  if (p.n == 1 || n < grain * 2 || Pool::in_pool) { fn(0, n); return; }
  std::unique_lock<std::mutex> busy(p.dispatch, std::try_to_lock);
  if (!busy.owns_lock()) { fn(0, n); return; }
  p.error = nullptr;
  p.fn = &fn;
  p.total = n;
  p.pending.store(p.n - 1, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lk(p.mu);
    p.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p.cv.notify_all();
  p.chunk(0);
  while (p.pending.load(std::memory_order_acquire) != 0) cpu_relax();
  if (p.error) std::rethrow_exception(p.error);
}
}  // namespace pool
