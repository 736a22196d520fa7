{
  "targets": [
    {
      "target_name": "cm3leon_native",
      "sources": [
        "native/addon.cc", "native/pool.cc",
        "native/kernels/gemm.cc", "native/kernels/elementwise.cc", "native/kernels/reduce.cc",
        "native/kernels/softmax.cc", "native/kernels/norm.cc", "native/kernels/gather.cc",
        "native/kernels/attention.cc", "native/kernels/cross_entropy.cc", "native/kernels/adamw.cc",
        "native/kernels/vq.cc"
      ],
      "include_dirs": ["/usr/include/<!(gcc -print-multiarch)/openblas-pthread"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-fopenmp-simd", "-fexceptions"],
      "libraries": [
        "-L/usr/lib/<!(gcc -print-multiarch)/openblas-pthread", "-lopenblas",
        "-Wl,-rpath,/usr/lib/<!(gcc -print-multiarch)/openblas-pthread",
        "-lpthread"
      ]
    },
    {
      "target_name": "rawblas",
      "sources": ["native/rawblas.cc"],
      "defines": ["CM3LEON_MULTIARCH=\"<!(gcc -print-multiarch)\""],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions"],
      "libraries": ["-ldl"]
    }
  ]
}
