#!/usr/bin/env bash
# tools/gpu_profile.py on tiny random models (Llama with grouped-query attention, GPT-2) on the
# CPU: its cost and quality tables must load and validate in splitsim. Skipped (exit 77) where
# Debian's python3-torch is not installed.   Usage: e2e_gpu_profile.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python torch
check() { if "$@" >"$work/out" 2>&1; then ok "$desc"; else fail "$desc"; cat "$work/out"; fi; }

head -c 3000 "$root/README.md" >"$work/text.txt"
for family in llama gpt2; do
    desc="tiny $family model written"; check /usr/bin/python3 "$root/tests/make_tiny_model.py" $family "$work/$family"
    mode=element; [ $family = gpt2 ] && mode=packet
    desc="$family: gpu_profile.py measures costs and quality ($mode erasure)"
    check /usr/bin/python3 "$root/tools/gpu_profile.py" "$work/$family" --name test-cpu --device cpu \
        --max-tokens 8 --max-context 8 --max-batch 2 --repeats 1 --text "$work/text.txt" \
        --splits 1,3 --erasure 0,0.2,0.5 --erasure-mode $mode --packet-bytes 64 --runs 2 \
        --window 96 --stride 48 --cost-out "$work/$family.cost.yaml" --quality-out "$work/$family.q.yaml"
    desc="$family: the cost table validates"; check "$splitsim" tables show --table "$work/$family.cost.yaml"
    grep -q "6 layers, measured" "$work/out" && ok "$family: 6 layers (embedding, 4 blocks, head)" || fail "$family: layer count"
    desc="$family: the quality table validates"; check "$splitsim" tables show --quality "$work/$family.q.yaml"
    grep -q "$mode erasure, mean of 2 runs" "$work/out" && ok "$family: quality provenance" || fail "$family: quality provenance"
done
# Unsupported families and missing inputs are refused with status 2.
mkdir -p "$work/phi" && echo '{"model_type": "phi"}' >"$work/phi/config.json"
/usr/bin/python3 "$root/tools/gpu_profile.py" "$work/phi" --cost-out "$work/x.yaml" >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "model_type 'phi' is not supported" "$work/out" && ok "unsupported family refused" || { fail "unsupported family"; cat "$work/out"; }
/usr/bin/python3 "$root/tools/gpu_profile.py" "$work/llama" --quality-out "$work/x.yaml" >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q "needs an evaluation text" "$work/out" && ok "quality without text refused" || { fail "quality without text"; cat "$work/out"; }
e2e_finish "gpu profile"
