#!/usr/bin/env bash
# The analysis tools on real campaigns (`splitsim sweep FILE -o DIR`): tools/campaign_figures.py
# draws the latency CDFs, the split versus SNR or erasure, reward and regret versus a swept
# parameter and the edge queue of a small fading-cell competition (a numeric and a choice axis,
# two replications), of an erasure-channel competition and of a queue-model sweep, and of a
# plain results file; refuses what is not a splitsim file; tools/octave/campaign_figures.m draws
# the TTFT CDF and the reward versus a parameter. Every PNG must be a PNG > 15 kB.
# Skipped (exit 77) where the binary has no campaign runner (`sweep -o`) or /usr/bin/python3
# lacks h5py, numpy or matplotlib; the Octave part is skipped where Octave or gnuplot is absent.
# Usage: e2e_analysis.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
python=$py
figures="$root/tools/campaign_figures.py"
if ! "$splitsim" sweep --help 2>&1 | grep -q -- "-o"; then
    echo "skip - $splitsim sweep has no -o (the campaign runner is not built in)"; exit 77
fi
e2e_need_python h5py numpy matplotlib
export MPLCONFIGDIR="$work/mpl" HOME="$work" # matplotlib and Octave want a writable home
expect_pdf() { # file description
    if [ "$(head -c 5 "$1" 2>/dev/null)" = "%PDF-" ]; then ok "$2 (${1##*/})"; else fail "$2: no ${1##*/}"; fi
}
figures() { # description log args...
    local what=$1 log=$2; shift 2
    if "$python" "$figures" "$@" >"$log" 2>&1; then ok "$what exits 0"; else fail "$what exits $?:"; cat "$log"; fi
}
sweep() { # description dir scenario [args...]
    local what=$1 dir=$2 scn=$3; shift 3
    if "$splitsim" sweep "$scn" -o "$dir" -j 4 -q "$@" >"$dir.log" 2>&1 && [ -s "$dir/campaign.h5" ]; then
        ok "$what: splitsim sweep -o writes campaign.h5"; return 0
    fi
    fail "$what: splitsim sweep -o"; cat "$dir.log"; return 1
}

# A fading cell, three policies (exhaustive: regret), a numeric and a choice axis, 2 replications.
cat >"$work/cell.yaml" <<'EOF'
model: split
run: {duration: 2 min, warmup: 20 s, seed: 3, replications: 2}
llm: {model: llama-2-7b}
ues: {count: 8, device: snapdragon-8-gen-3}
workload: {arrival: poisson, rate: 4 /min, prompt_tokens: 256, output_tokens: 16, tokens: geometric}
cell: {radius: 80 m, bandwidth: 100 MHz}
channel: {pathloss: umi, fading: rayleigh, rate: mcs, harq_max: 1}
edge: {device: l4, batch_max: 8}
policy: {min_split: 1, max_split: 12, compete: [fixed, greedy, exhaustive]}
reward: {quality: 10, ue_load: 1, latency: 2, latency_ref: 1 s}
recording: {interval: 1 s}
sweep:
  grid:
    reward.latency: [0, 5]
    channel.fading: [rayleigh, rician]
EOF
if sweep "fading competition" "$work/cell" "$work/cell.yaml"; then
    figures "campaign_figures.py DIR" "$work/cell1.log" "$work/cell"
    out="$work/cell/figures"
    expect_png "$out/latency_cdf_p0.png" 15000 "(a) latency CDFs of point 0"
    expect_png "$out/split_vs_snr_p0.png" 15000 "(b) split versus SNR"
    expect_png "$out/reward_vs_reward_latency.png" 15000 "(c) reward and regret versus reward.latency"
    expect_png "$out/edge_queue_p0.png" 15000 "(d) edge queue and batch"
    expect_pdf "$out/reward_vs_reward_latency.pdf" "PDF next to the PNG"
    if grep -q "^wrote .*latency_cdf_p0.png" "$work/cell1.log"; then
        ok "prints what it wrote"; else fail "no 'wrote' lines:"; cat "$work/cell1.log"; fi

    figures "--point 3 --x channel.fading -o OUT, index given as a file" "$work/cell2.log" \
        "$work/cell/campaign.h5" --point 3 --x channel.fading -o "$work/fig2"
    expect_png "$work/fig2/reward_vs_channel_fading.png" 15000 "(c) versus a choice axis"
    expect_png "$work/fig2/latency_cdf_p3.png" 15000 "(a) of the chosen point"

    figures "a plain results file (one point)" "$work/plain.log" "$work/cell/points/p1.h5" \
        -o "$work/fig3"
    expect_png "$work/fig3/latency_cdf.png" 15000 "(a) from a plain results file"
    if grep -q "skip (c)" "$work/plain.log"; then
        ok "plain file: (c) skipped, saying why"; else fail "plain file: no skip note for (c)"; fi

    if "$python" "$figures" "$work/cell" --x no.such.axis -o "$work/fig4" >"$work/bad-x.log" 2>&1; then
        fail "--x no.such.axis accepted"; else ok "--x of an unknown axis is an error"; fi
fi

# An erasure channel (the paper's setting): split versus the erasure probability; no time series.
cat >"$work/erasure.yaml" <<'EOF'
model: split
run: {duration: 150 s, warmup: 0 s, seed: 1, replications: 2}
llm: {model: llama-2-7b}
ues: {count: 1, device: jetson-agx-orin}
workload: {arrival: periodic, rate: 1 /s, prompt_tokens: 512, output_tokens: 1}
channel: {model: erasure, erasure_probability: 0.01, erasure_probability_max: 0.30, erasure_rate: 0 bit/s}
policy: {min_split: 1, max_split: 10, compete: [greedy, exhaustive, random]}
recording: {interval: 0 s}
sweep:
  grid:
    channel.erasure_probability_max: [0.1, 0.3]
EOF
if sweep "erasure competition" "$work/erasure" "$work/erasure.yaml"; then
    figures "campaign_figures.py on the erasure campaign" "$work/erasure.log" "$work/erasure"
    expect_png "$work/erasure/figures/split_vs_erasure_p0.png" 15000 "(b) split versus erasure probability"
    expect_png "$work/erasure/figures/reward_vs_channel_erasure_probability_max.png" 15000 \
        "(c) reward and regret versus erasure_probability_max"
    if grep -q "skip (d)" "$work/erasure.log" && [ ! -e "$work/erasure/figures/edge_queue_p0.png" ]; then
        ok "no time series: (d) skipped"; else fail "(d) not skipped without time series"; fi
fi

# model: queue: time in system versus load, next to theory.
if sweep "queue sweep" "$work/queue" "$root/scenarios/load-sweep.yaml" \
        --set "run.duration=1 h" --set "run.warmup=5 min"; then
    figures "campaign_figures.py on a queue campaign" "$work/queue.log" "$work/queue"
    expect_png "$work/queue/figures/time_in_system_vs_workload_rate.png" 15000 \
        "queue: time in system versus workload.rate"
fi

# Not a splitsim file: exit 2, nothing written.
echo "not hdf5" >"$work/junk.h5"
"$python" "$figures" "$work/junk.h5" -o "$work/junk" >"$work/junk.log" 2>&1; status=$?
if [ "$status" -eq 2 ] && ! ls "$work/junk"/*.png >/dev/null 2>&1; then
    ok "a non-HDF5 file is refused (exit 2)"; else fail "non-HDF5 file: exit $status"; cat "$work/junk.log"; fi

# Octave (MATLAB's path is h5read; not testable here).
if ! command -v octave >/dev/null; then
    echo "skip - octave not installed: tools/octave/campaign_figures.m not run"
elif [ -z "${DISPLAY:-}" ] && ! command -v gnuplot >/dev/null; then
    echo "skip - octave cannot draw without a display or gnuplot (gnuplot-nox)"
elif [ -s "$work/cell/campaign.h5" ]; then
    octave --no-gui --no-history --quiet --eval "
      addpath('$root/tools/octave');
      w = campaign_figures('$work/cell');
      assert(numel(w) == 2, 'expected two PNGs');
      w = campaign_figures('$work/cell', '$work/oct2', 2, 'channel.fading');
      disp('octave figures: ok');
    " >"$work/octave.log" 2>&1
    status=$?
    if [ "$status" -eq 0 ] && grep -q "octave figures: ok" "$work/octave.log"; then
        ok "campaign_figures.m runs"; else fail "campaign_figures.m exits $status:"; cat "$work/octave.log"; fi
    expect_png "$work/cell/figures-octave/ttft_cdf_p0.png" 15000 "Octave: TTFT CDF per policy"
    expect_png "$work/cell/figures-octave/reward_vs_reward_latency.png" 15000 "Octave: reward versus reward.latency with 95 % band"
    expect_png "$work/oct2/reward_vs_channel_fading.png" 15000 "Octave: reward versus a choice axis"
    expect_png "$work/oct2/ttft_cdf_p2.png" 15000 "Octave: TTFT CDF of the chosen point"
fi

e2e_finish "analysis"
