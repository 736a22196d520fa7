// strided.h — validation shared by the strided kernels (binary, copy): one operand is a typed
// array plus an element offset and per-dim strides over a common shape.
#pragma once
#include <initializer_list>
#include <string>
#include "check.h"

struct Strided {
  const int32_t* strides;
  size_t rank;
  int64_t off;
  size_t len;
  const char* name;
  bool output = false;  // written to: a zero stride over a dim of size > 1 would race
};

// Checks ranks, non-negative offsets/strides and that every view fits its array. A rank-0
// shape becomes the single element [1]. Returns the element count (0: nothing to do).
inline int64_t check_strided(const int32_t*& shape, size_t& nd, std::initializer_list<Strided*> ops, const char* kernel) {
  static const int32_t one = 1, zero = 0;
  for (Strided* o : ops)
    if (o->rank != nd) throw std::invalid_argument(std::string(kernel) + ": shape/stride rank mismatch");
  if (nd == 0) {  // a scalar
    shape = &one;
    nd = 1;
    for (Strided* o : ops) o->strides = &zero;
  }
  int64_t total = 1;
  for (size_t d = 0; d < nd; d++) total *= shape[d] > 0 ? shape[d] : 0;
  for (Strided* o : ops) {
    nonneg(o->off, (std::string(kernel) + " " + o->name + " offset").c_str());
    int64_t last = o->off;
    for (size_t d = 0; d < nd; d++) {
      nonneg(o->strides[d], (std::string(kernel) + " " + o->name + " stride").c_str());
      if (o->output && o->strides[d] == 0 && shape[d] > 1)
        throw std::invalid_argument(std::string(kernel) + " " + o->name + ": overlapping output (stride 0 over a dim of size > 1)");
      last += (int64_t)(shape[d] - 1) * o->strides[d];
    }
    if (total > 0) fits(o->len, last + 1, (std::string(kernel) + " " + o->name).c_str());
  }
  return total;
}
