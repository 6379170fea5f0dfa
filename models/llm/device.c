#include "models/llm/device.h"

#include <string.h>

#define ASSUMED                                                                                    \
    ", efficiency assumed (no measured data here): eta 0.70 compute, 0.80 memory, 0.60 "           \
    "element-wise"

/* Calibrated entries: the output of `splitsim tables calibrate` against Vidur's Llama-2-7B
 * profiles (docs/TABLES.md has the commands and the error left per token count and operator). */
static const struct device a100 = {
    .name = "a100",
    .description = "NVIDIA A100 SXM4 80GB",
    .peak_flops = 312e12,
    .mem_bw = 2039e9,
    .memory = 80e9,
    .power_w = 400,
    .eta_compute = 0.80,
    .eta_memory = 0.68,
    .eta_elementwise = 0.24,
    .overlap = 3,
    .gemm_tile = 128,
    .launch_s = 0.2e-6,
    .calibrated = true,
    .source = "NVIDIA A100 datasheet; efficiencies fitted to Vidur's Llama-2-7B profile "
              "(block error max 8.2 %, mean 3.3 %)"};
static const struct device h100 = {
    .name = "h100",
    .description = "NVIDIA H100 SXM5 80GB",
    .peak_flops = 989e12,
    .mem_bw = 3350e9,
    .memory = 80e9,
    .power_w = 700,
    .eta_compute = 0.80,
    .eta_memory = 0.98,
    .eta_elementwise = 0.40,
    .overlap = 3,
    .gemm_tile = 128,
    .launch_s = 7.2e-6,
    .calibrated = true,
    .source = "NVIDIA H100 datasheet; efficiencies fitted to Vidur's Llama-2-7B profile "
              "(block error max 11.0 %, mean 4.3 %)"};
static const struct device a40 = {
    .name = "a40",
    .description = "NVIDIA A40 48GB",
    .peak_flops = 149.7e12,
    .mem_bw = 696e9,
    .memory = 48e9,
    .power_w = 300,
    .eta_compute = 0.82,
    .eta_memory = 0.80,
    .eta_elementwise = 0.44,
    .overlap = 2,
    .gemm_tile = 64,
    .launch_s = 7.4e-6,
    .calibrated = true,
    .source = "NVIDIA Ampere GA102 whitepaper; efficiencies fitted to Vidur's Llama-2-7B "
              "profile (block error max 8.2 %, mean 3.1 %)"};
static const struct device l4 = {.name = "l4",
                                 .description = "NVIDIA L4 24GB",
                                 .peak_flops = 121e12,
                                 .mem_bw = 300e9,
                                 .memory = 24e9,
                                 .power_w = 72,
                                 .eta_compute = 0.70,
                                 .eta_memory = 0.80,
                                 .eta_elementwise = 0.60,
                                 .launch_s = 4e-6,
                                 .source = "NVIDIA L4 datasheet" ASSUMED};
static const struct device rtx_4090 = {
    .name = "rtx-4090",
    .description = "NVIDIA GeForce RTX 4090 24GB",
    .peak_flops = 165e12,
    .mem_bw = 1008e9,
    .memory = 24e9,
    .power_w = 450,
    .eta_compute = 0.70,
    .eta_memory = 0.80,
    .eta_elementwise = 0.60,
    .launch_s = 4e-6,
    .source = "NVIDIA Ada whitepaper (FP16 with FP32 accumulate)" ASSUMED};
static const struct device agx_orin = {
    .name = "jetson-agx-orin",
    .description = "NVIDIA Jetson AGX Orin 64GB (GPU)",
    .peak_flops = 42.5e12,
    .mem_bw = 204.8e9,
    .memory = 64e9,
    .power_w = 60,
    .eta_compute = 0.70,
    .eta_memory = 0.80,
    .eta_elementwise = 0.60,
    .launch_s = 8e-6,
    .source = "NVIDIA Jetson AGX Orin datasheet (FP16 dense derived from sparse INT8 / 4)" ASSUMED};
static const struct device orin_nano = {
    .name = "jetson-orin-nano",
    .description = "NVIDIA Jetson Orin Nano 8GB (GPU)",
    .peak_flops = 10e12,
    .mem_bw = 68e9,
    .memory = 8e9,
    .power_w = 15,
    .eta_compute = 0.70,
    .eta_memory = 0.80,
    .eta_elementwise = 0.60,
    .launch_s = 10e-6,
    .source =
        "NVIDIA Jetson Orin Nano datasheet (FP16 dense derived from sparse INT8 / 4)" ASSUMED};
static const struct device snapdragon = {
    .name = "snapdragon-8-gen-3",
    .description = "Qualcomm Snapdragon 8 Gen 3 (Adreno 750 GPU)",
    .peak_flops = 9e12,
    .mem_bw = 76.8e9,
    .memory = 16e9,
    .power_w = 8,
    .eta_compute = 0.50,
    .eta_memory = 0.70,
    .eta_elementwise = 0.50,
    .launch_s = 20e-6,
    .source = "Qualcomm spec sheet for memory; GPU FP16 peak is a third-party estimate; "
              "efficiency assumed: eta 0.50 compute, 0.70 memory"};
/* Phone SoCs without published FLOPS: the GPU's FP16 peak is derived from its core count and
 * clock, the bandwidth from the memory type the vendor names; the NPU's figure is recorded in
 * the source but not used (the roofline models the GPU, where phone LLM runtimes run FP16). */
static const struct device a17_pro = {
    .name = "apple-a17-pro",
    .description = "Apple A17 Pro (6-core GPU; iPhone 15 Pro)",
    .peak_flops = 2.15e12,
    .mem_bw = 51.2e9,
    .memory = 8e9,
    .power_w = 8,
    .eta_compute = 0.50,
    .eta_memory = 0.70,
    .eta_elementwise = 0.50,
    .launch_s = 20e-6,
    .source = "Apple A17 Pro announcement (6-core GPU, 16-core Neural Engine of 35 TOPS, not "
              "modelled); GPU FP16 peak derived: 6 cores x 128 ALUs x 2 FLOP x 1.398 GHz "
              "(third-party clock; Apple GPUs run FP16 at the FP32 rate); bandwidth derived: "
              "8 GB LPDDR5 at its top rate, 6400 MT/s x 64 bit (Apple publishes none); 8 W "
              "and efficiency assumed: eta 0.50 compute, 0.70 memory"};
static const struct device dimensity_9300 = {
    .name = "dimensity-9300",
    .description = "MediaTek Dimensity 9300 (Immortalis-G720 MC12 GPU)",
    .peak_flops = 4.0e12,
    .mem_bw = 76.8e9,
    .memory = 16e9,
    .power_w = 8,
    .eta_compute = 0.50,
    .eta_memory = 0.70,
    .eta_elementwise = 0.50,
    .launch_s = 20e-6,
    .source = "MediaTek Dimensity 9300 product page (Immortalis-G720 MC12, LPDDR5T up to 9600 "
              "Mbps, APU 790 not modelled); bandwidth derived: 9600 MT/s x 64 bit; GPU FP16 "
              "peak derived: 12 cores x 256 FLOP x 1.3 GHz (third-party clock, unverified); "
              "8 W and efficiency assumed: eta 0.50 compute, 0.70 memory"};
static const struct device raspberry_pi_5 = {
    .name = "raspberry-pi-5",
    .description = "Raspberry Pi 5 (4x Cortex-A76, CPU only)",
    .peak_flops = 307e9,
    .mem_bw = 17e9,
    .memory = 8e9,
    .power_w = 10,
    .eta_compute = 0.50,
    .eta_memory = 0.67,
    .eta_elementwise = 0.50,
    .launch_s = 1e-6,
    .source = "Raspberry Pi product brief; FP16 NEON peak derived (2x128-bit FMA per core); "
              "memory efficiency from the measured 11.4 GB/s sustained of 17 GB/s; compute "
              "efficiency assumed 0.50"};

/* This project's machine as a CPU-class UE, in FP32 as the CPU profiler runs. Its peaks are the
 * rates `splitsim tables peaks` achieved (so eta 1 for GEMM and streaming); element-wise
 * efficiency and the per-call cost are assumptions. */
static const struct device xeon_2vcpu = {
    .name = "xeon-2vcpu",
    .description = "2 vCPUs of an Intel Xeon (Sapphire Rapids class), FP32",
    .peak_flops = 355e9,
    .mem_bw = 27.3e9,
    .memory = 24e9,
    .power_w = 12,
    .eta_compute = 1.0,
    .eta_memory = 1.0,
    .eta_elementwise = 0.5,
    .launch_s = 5e-6,
    .value_bytes = 4,
    .source = "achieved peaks measured here by 'splitsim tables peaks' (OpenBLAS 0.3.21 sgemm "
              "355 GFLOP/s, sgemv 27.3 GB/s); element-wise efficiency 0.5, 5 us per call and "
              "12 W (two of a Xeon's cores) assumed"};

const struct device *const device_catalogue[] = {
    &a100,       &h100,           &a40,        &l4,      &rtx_4090,       &agx_orin, &orin_nano,
    &snapdragon, &raspberry_pi_5, &xeon_2vcpu, &a17_pro, &dimensity_9300, NULL,
};

const struct device *device_find(const char *name)
{
    for (size_t i = 0; device_catalogue[i]; i++)
        if (strcmp(device_catalogue[i]->name, name) == 0)
            return device_catalogue[i];
    return NULL;
}
