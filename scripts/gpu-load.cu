// A steady GPU load for checks that want to see telemetry move: every SM runs dependent FMAs
// for the given number of seconds. Build: nvcc -O2 -o gpu-load scripts/gpu-load.cu
#include <cstdio>
#include <cstdlib>
#include <ctime>

__global__ void burn(float *out, long iterations) {
    float a = threadIdx.x * 0.001f, b = 1.0001f, c = 0.9999f;
    for (long i = 0; i < iterations; i++) {
        a = a * b + c;
        b = b * c + a * 1e-7f;
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = a + b;
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 20;
    int blocks = 132 * 8, threads = 1024;
    float *out;
    if (cudaMalloc(&out, sizeof(float) * blocks * threads) != cudaSuccess) {
        fprintf(stderr, "gpu-load: cudaMalloc failed\n");
        return 2;
    }
    time_t end = time(nullptr) + seconds;
    int launches = 0;
    while (time(nullptr) < end) {
        burn<<<blocks, threads>>>(out, 200000);
        cudaDeviceSynchronize();
        launches++;
    }
    printf("gpu-load: %d launches in %d s\n", launches, seconds);
    cudaFree(out);
    return 0;
}
