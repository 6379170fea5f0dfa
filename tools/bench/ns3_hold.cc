// ns3_hold.cc -- classic "hold model" event-rate benchmark for ns-3.
//
// Optional manual reference benchmark for comparing with `splitsim bench
// events`. Not part of the meson build or CI. See tools/bench/README.md.
//
// Model (identical to splitsim's bench and tools/bench/simpy_hold.py):
//   * P pending events are scheduled up front, each at time Exp(mean 1 ms)
//     from t=0 (drawn with ns3::ExponentialRandomVariable, Mean=0.001 s).
//   * Processing an event schedules exactly one new event at
//     now + Exp(mean 1 ms), via Simulator::Schedule(delay, &Handler), so the
//     pending set stays at P.
//   * Warm-up (default, same as splitsim's cmd_bench.c): a first, untimed
//     Simulator::Run() processes P events so the pending set's time profile
//     reaches steady state. --no-warmup skips it (timing starts right after
//     the P initial events are scheduled).
//   * The timed Simulator::Run() stops (Simulator::Stop()) once E events have
//     been processed. Only that Run() is timed (steady_clock); scheduling the
//     initial P events, the warm-up and Simulator::Destroy() are not.
//   * P in {1000, 100000, 1000000}; E = 10,000,000 for P <= 100000 and
//     E = 5,000,000 for P = 1,000,000. Median of 5 runs per (scheduler, P).
//
// Build (Debian 12, libns3-dev 3.37-2; only ns3-core is needed):
//   g++ -std=c++17 -O2 -DNDEBUG -o /tmp/ns3_hold tools/bench/ns3_hold.cc $(pkg-config --cflags --libs ns3-core)
// (Debian's ns3-core.pc emits a harmless bogus "-I/usr;" flag.)
//
// Run:
//   /tmp/ns3_hold                        # Map (default), Heap, PriorityQueue
//   /tmp/ns3_hold --runs=3 --events-scale=0.1 CalendarScheduler  # very slow at full E
//   /tmp/ns3_hold MapScheduler           # only the ns-3 default scheduler
//   /tmp/ns3_hold --runs=3 --events-scale=0.1 HeapScheduler PriorityQueueScheduler
//   /tmp/ns3_hold --no-warmup MapScheduler   # time from the initial state
//
// Output: one line per (scheduler, P), e.g.
//   P=1000 events=10000000 events_per_s=1234567.8 scheduler=MapScheduler
// plus '#'-prefixed info lines (ns-3 version / build profile) and per-run
// times on stderr.

#include "ns3/core-module.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace ns3;

namespace
{

uint64_t g_processed = 0;
uint64_t g_target = 0;
Ptr<ExponentialRandomVariable> g_rv;

void
Handler()
{
    Simulator::Schedule(Seconds(g_rv->GetValue()), &Handler);
    if (++g_processed == g_target)
    {
        Simulator::Stop(); // DefaultSimulatorImpl: leave Run() after this event
    }
}

// One timed run; returns events per second of the Run() call.
double
RunOnce(const std::string& scheduler, uint64_t pending, uint64_t events, uint32_t run,
        bool warmup)
{
    ObjectFactory factory;
    factory.SetTypeId("ns3::" + scheduler);
    Simulator::SetScheduler(factory);

    RngSeedManager::SetSeed(12345);
    RngSeedManager::SetRun(run);
    g_rv = CreateObject<ExponentialRandomVariable>();
    g_rv->SetAttribute("Mean", DoubleValue(0.001)); // seconds: mean 1 ms
    for (uint64_t i = 0; i < pending; ++i)
    {
        Simulator::Schedule(Seconds(g_rv->GetValue()), &Handler);
    }
    if (warmup)
    {
        g_processed = 0;
        g_target = pending;
        Simulator::Run(); // untimed; Run() clears the stop flag on entry
        if (g_processed != pending)
        {
            std::fprintf(stderr, "error: warm-up processed %llu events, expected %llu\n",
                         (unsigned long long)g_processed, (unsigned long long)pending);
            std::exit(1);
        }
    }
    g_processed = 0;
    g_target = events;

    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();

    if (g_processed != events)
    {
        std::fprintf(stderr, "error: processed %llu events, expected %llu\n",
                     (unsigned long long)g_processed, (unsigned long long)events);
        std::exit(1);
    }
    Simulator::Destroy(); // drops the P still-pending events (untimed)
    g_rv = nullptr;
    return double(events) / std::chrono::duration<double>(t1 - t0).count();
}

} // namespace

int
main(int argc, char** argv)
{
    int runs = 5;
    double scale = 1.0;
    bool warmup = true;
    std::vector<std::string> schedulers;
    for (int i = 1; i < argc; ++i)
    {
        if (std::strncmp(argv[i], "--runs=", 7) == 0)
        {
            runs = std::atoi(argv[i] + 7);
        }
        else if (std::strncmp(argv[i], "--events-scale=", 15) == 0)
        {
            scale = std::atof(argv[i] + 15);
        }
        else if (std::strcmp(argv[i], "--no-warmup") == 0)
        {
            warmup = false;
        }
        else if (argv[i][0] == '-')
        {
            std::fprintf(stderr,
                         "usage: %s [--runs=N] [--events-scale=X] [--no-warmup] [SchedulerTypeName...]\n",
                         argv[0]);
            return 2;
        }
        else
        {
            schedulers.emplace_back(argv[i]);
        }
    }
    if (schedulers.empty())
    {
        schedulers = {"MapScheduler", "HeapScheduler", "PriorityQueueScheduler"};
    }
    if (runs < 1)
    {
        runs = 1;
    }

    // (Version::ShortVersion() is a placeholder tag in Debian's build.)
    std::printf("# ns-3 %u.%u build_profile=%s warmup=%s\n",
                Version::Major(),
                Version::Minor(),
                Version::BuildProfile().c_str(),
                warmup ? "P" : "none");
    std::fflush(stdout);

    const uint64_t pendings[] = {1000, 100000, 1000000};
    for (const auto& sched : schedulers)
    {
        for (uint64_t p : pendings)
        {
            uint64_t e = p >= 1000000 ? 5000000 : 10000000;
            e = std::max<uint64_t>(1, uint64_t(double(e) * scale));
            std::vector<double> rates;
            for (int r = 0; r < runs; ++r)
            {
                rates.push_back(RunOnce(sched, p, e, uint32_t(r + 1), warmup));
                std::fprintf(stderr, "#   %s P=%llu run %d: %.0f ev/s\n", sched.c_str(),
                             (unsigned long long)p, r + 1, rates.back());
            }
            std::sort(rates.begin(), rates.end());
            double med = (runs % 2) ? rates[runs / 2]
                                    : 0.5 * (rates[runs / 2 - 1] + rates[runs / 2]);
            std::printf("P=%llu events=%llu events_per_s=%.1f scheduler=%s\n",
                        (unsigned long long)p, (unsigned long long)e, med, sched.c_str());
            std::fflush(stdout);
        }
    }
    return 0;
}
