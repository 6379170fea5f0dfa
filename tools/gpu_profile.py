#!/usr/bin/python3
"""gpu_profile: measure a real model's per-layer costs and split quality on your GPU.

Given a local Hugging Face model directory (config.json plus *.safetensors or pytorch_model*.bin),
this tool runs the model with its real weights in PyTorch and writes two splitsim tables:

  * a cost table (docs/TABLES.md): the time of the embedding, of one decoder block and of the
    final norm with the LM head, for prefill at 1, 2, 4 .. --max-tokens prompt tokens and for one
    decode step at contexts 1 .. --max-context and batches 1 .. --max-batch;
  * a quality table: perplexity on a text when a fraction e of the hidden state after block k is
    erased, for every k of --splits and e of --erasure, averaged over --runs random erasure
    patterns, element-wise (each value zeroed independently, as in the paper) or packet-wise
    (contiguous runs of --packet-bytes, as a lost packet does).

Supported families: Llama-style decoders (llama, mistral, qwen2: RMSNorm, RoPE, grouped-query
attention, SwiGLU) and GPT-2. The text is tokenised by the model's tokenizer only if you give
token ids (--tokens FILE: whitespace-separated integers); --text FILE maps UTF-8 bytes to ids
(0..255), which is meaningful only for byte-level test models.

    /usr/bin/python3 tools/gpu_profile.py MODEL_DIR --name h100 --tokens wiki.ids \\
        --cost-out llama.h100.yaml --quality-out llama.quality.yaml

Needs Debian's python3-torch (or any PyTorch >= 1.13). Runs on CUDA when available (--device).
"""

import argparse
import datetime
import json
import math
import os
import struct
import sys
import time

try:
    import torch
except ImportError:  # reported in main(), so --help works without torch
    torch = None

VERSION = "1"


def fail(msg, code=2):
    print(f"gpu_profile: error: {msg}", file=sys.stderr)
    sys.exit(code)


# ---- loading weights ---------------------------------------------------------------------

SAFETENSORS_DTYPES = {"F16": "float16", "BF16": "bfloat16", "F32": "float32"}


def read_safetensors(path):
    """All tensors of one .safetensors file, as CPU torch tensors."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            fail(f"{path}: tensor {name}: unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + begin:base + end]), dtype=getattr(torch, dtype))
        out[name] = t.reshape(info["shape"]) if info["shape"] else t.reshape(())
    return out


def load_weights(model_dir):
    files = sorted(os.listdir(model_dir))
    tensors = {}
    st = [f for f in files if f.endswith(".safetensors")]
    bins = [f for f in files if f.startswith("pytorch_model") and f.endswith(".bin")]
    if st:
        for f in st:
            tensors.update(read_safetensors(os.path.join(model_dir, f)))
    elif bins:
        for f in bins:
            tensors.update(torch.load(os.path.join(model_dir, f), map_location="cpu"))
    else:
        fail(f"{model_dir}: no *.safetensors or pytorch_model*.bin weights found")
    return tensors


# ---- the models --------------------------------------------------------------------------

class Model:
    """A decoder split into embed(), block(i) and head(), with an optional KV cache."""

    def __init__(self, cfg, weights, device, dtype):
        self.cfg, self.device, self.dtype = cfg, device, dtype
        self.w = {k: v.to(device=device, dtype=dtype) for k, v in weights.items()}

    def get(self, *names):
        for n in names:
            if n in self.w:
                return self.w[n]
        fail(f"weights: none of {', '.join(names)} found")
        return None

    @staticmethod
    def extend_cache(cache, k, v):
        """Appends this step's keys and values (batch, heads, n, hd) to a block's cache, when one
        is kept, and returns the keys and values of every position so far."""
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        return k, v

    def attend(self, q, k, v):
        """Causal attention of the n newest positions' queries q (batch, heads, n, hd) over the
        keys and values k, v (batch, heads, L, hd) of all L positions; softmax in float32."""
        n = q.shape[2]
        s = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd)
        if n > 1:
            L = k.shape[2]
            mask = torch.ones(n, L, device=q.device, dtype=torch.bool).tril(L - n)
            s = s.masked_fill(~mask, float("-inf"))
        return torch.softmax(s.float(), dim=-1).to(q.dtype) @ v


class Llama(Model):
    family = "llama"

    def __init__(self, cfg, weights, device, dtype):
        super().__init__(cfg, weights, device, dtype)
        self.d = cfg["hidden_size"]
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads", self.heads)
        self.hd = self.d // self.heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.theta = cfg.get("rope_theta", 10000.0)
        self.vocab = cfg["vocab_size"]
        self.tied = cfg.get("tie_word_embeddings", False)

    def p(self, i, name):
        return self.w.get(f"model.layers.{i}.{name}")

    def norm(self, x, w):
        v = x.float().pow(2).mean(-1, keepdim=True)
        return (x.float() * torch.rsqrt(v + self.eps)).to(x.dtype) * w

    def rope(self, x, pos0):
        n = x.shape[-2]
        inv = 1.0 / (self.theta ** (torch.arange(0, self.hd, 2, device=x.device).float() / self.hd))
        t = torch.arange(pos0, pos0 + n, device=x.device).float()
        ang = torch.outer(t, inv)
        cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)

    def linear(self, x, i, name):
        y = x @ self.p(i, name + ".weight").t()
        b = self.p(i, name + ".bias")
        return y + b if b is not None else y

    def embed(self, ids):
        return self.get("model.embed_tokens.weight")[ids]

    def block(self, i, h, cache=None):
        """h: (batch, n, d). cache: dict holding 'k', 'v' of (batch, kv_heads, L, hd) or None."""
        b, n, _ = h.shape
        x = self.norm(h, self.p(i, "input_layernorm.weight"))
        q = self.linear(x, i, "self_attn.q_proj").view(b, n, self.heads, self.hd).transpose(1, 2)
        k = self.linear(x, i, "self_attn.k_proj").view(b, n, self.kv_heads, self.hd).transpose(1, 2)
        v = self.linear(x, i, "self_attn.v_proj").view(b, n, self.kv_heads, self.hd).transpose(1, 2)
        pos0 = cache["k"].shape[2] if cache is not None and "k" in cache else 0
        q, k = self.rope(q, pos0), self.rope(k, pos0)
        k, v = self.extend_cache(cache, k, v)
        rep = self.heads // self.kv_heads
        a = self.attend(q, k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1))
        h = h + self.linear(a.transpose(1, 2).reshape(b, n, self.d), i, "self_attn.o_proj")
        x = self.norm(h, self.p(i, "post_attention_layernorm.weight"))
        g = self.linear(x, i, "mlp.gate_proj")
        u = self.linear(x, i, "mlp.up_proj")
        return h + self.linear(torch.nn.functional.silu(g) * u, i, "mlp.down_proj")

    def head(self, h):
        x = self.norm(h, self.get("model.norm.weight"))
        w = self.get("model.embed_tokens.weight") if self.tied and "lm_head.weight" not in self.w \
            else self.get("lm_head.weight")
        return x @ w.t()


class GPT2(Model):
    family = "gpt2"

    def __init__(self, cfg, weights, device, dtype):
        weights = {k[len("transformer."):] if k.startswith("transformer.") else k: v
                   for k, v in weights.items()}
        super().__init__(cfg, weights, device, dtype)
        self.d = cfg["n_embd"]
        self.layers = cfg["n_layer"]
        self.heads = cfg["n_head"]
        self.hd = self.d // self.heads
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.vocab = cfg["vocab_size"]

    def ln(self, x, name):
        return torch.nn.functional.layer_norm(x.float(), (self.d,), self.w[name + ".weight"].float(),
                                              self.w[name + ".bias"].float(), self.eps).to(x.dtype)

    def conv(self, x, name):  # GPT-2's Conv1D: weight (in, out)
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    def embed(self, ids, pos0=0):
        pos = torch.arange(pos0, pos0 + ids.shape[-1], device=ids.device)
        return self.w["wte.weight"][ids] + self.w["wpe.weight"][pos]

    def block(self, i, h, cache=None):
        b, n, _ = h.shape
        x = self.ln(h, f"h.{i}.ln_1")
        q, k, v = self.conv(x, f"h.{i}.attn.c_attn").split(self.d, dim=-1)
        q, k, v = (t.view(b, n, self.heads, self.hd).transpose(1, 2) for t in (q, k, v))
        k, v = self.extend_cache(cache, k, v)
        a = self.attend(q, k, v)
        h = h + self.conv(a.transpose(1, 2).reshape(b, n, self.d), f"h.{i}.attn.c_proj")
        x = self.ln(h, f"h.{i}.ln_2")
        return h + self.conv(torch.nn.functional.gelu(self.conv(x, f"h.{i}.mlp.c_fc"),
                                                      approximate="tanh"), f"h.{i}.mlp.c_proj")

    def head(self, h):
        return self.ln(h, "ln_f") @ self.w["wte.weight"].t()


FAMILIES = {"llama": Llama, "mistral": Llama, "qwen2": Llama, "gpt2": GPT2}


# ---- timing ------------------------------------------------------------------------------

def powers(limit):
    v, x = [], 1
    while x <= limit:
        v.append(x)
        x *= 2
    return v


def isotonic(v):
    """Pool-adjacent-violators: the non-decreasing series closest to v in least squares."""
    blocks = []
    for x in v:
        blocks.append([x, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
    out = []
    for s, n in blocks:
        out += [s / n] * n
    return out


def timed(fn, device, repeats):
    """Median milliseconds of fn() over `repeats` runs after one warm-up."""
    runs = []
    for r in range(repeats + 1):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if r:
            runs.append((time.perf_counter() - t0) * 1e3)
    runs.sort()
    return max(runs[len(runs) // 2], 1e-6)


def measure_costs(m, args, device):
    gen = torch.Generator(device="cpu").manual_seed(1)
    tokens, contexts, batches = powers(args.max_tokens), powers(args.max_context), powers(args.max_batch)
    prefill = {"embedding": [], "block": [], "head": []}
    decode = {"embedding": [], "block": [], "head": []}
    with torch.no_grad():
        for n in tokens:
            ids = torch.randint(0, m.vocab, (1, n), generator=gen).to(device)
            h = m.embed(ids)
            prefill["embedding"].append(timed(lambda: m.embed(ids), device, args.repeats))
            prefill["block"].append(timed(lambda: m.block(0, h), device, args.repeats))
            prefill["head"].append(timed(lambda: m.head(h[:, -1:]), device, args.repeats))
        for name in decode:
            decode[name] = [[0.0] * len(batches) for _ in contexts]
        for r, ctx in enumerate(contexts):
            for c, b in enumerate(batches):
                ids = torch.randint(0, m.vocab, (b, 1), generator=gen).to(device)
                h = m.embed(ids)
                kv = m.kv_heads if hasattr(m, "kv_heads") else m.heads
                shape = (b, kv, ctx, m.hd)
                cache_k = torch.randn(shape, generator=gen).to(device=device, dtype=m.dtype)
                cache_v = torch.randn(shape, generator=gen).to(device=device, dtype=m.dtype)

                def step():
                    m.block(0, h, {"k": cache_k, "v": cache_v})

                decode["embedding"][r][c] = timed(lambda: m.embed(ids), device, args.repeats)
                decode["block"][r][c] = timed(step, device, args.repeats)
                decode["head"][r][c] = timed(lambda: m.head(h), device, args.repeats)
    for name in prefill:
        prefill[name] = isotonic(prefill[name])
        rows = [isotonic(row) for row in decode[name]]          # along the batch
        cols = [isotonic([rows[r][c] for r in range(len(contexts))]) for c in range(len(batches))]
        decode[name] = [[cols[c][r] for c in range(len(batches))] for r in range(len(contexts))]
    return tokens, contexts, batches, prefill, decode


# ---- quality -----------------------------------------------------------------------------

def read_ids(args, vocab):
    if args.tokens:
        with open(args.tokens) as f:
            ids = [int(x) for x in f.read().split()]
    else:
        with open(args.text, "rb") as f:
            ids = list(f.read())
    if len(ids) < 2:
        fail("the evaluation text has fewer than 2 tokens")
    if max(ids) >= vocab:
        fail(f"token id {max(ids)} is outside the model's vocabulary ({vocab})")
    return ids


def corrupt(h, e, mode, packet_values, gen):
    if e <= 0:
        return h
    if mode == "element":
        keep = torch.rand(h.shape, generator=gen) >= e
        return h * keep.to(device=h.device, dtype=h.dtype)
    flat = h.reshape(-1)
    npk = (flat.numel() + packet_values - 1) // packet_values
    lost = torch.rand(npk, generator=gen) < e
    keep = (~lost).repeat_interleave(packet_values)[: flat.numel()]
    return (flat * keep.to(device=h.device, dtype=h.dtype)).reshape(h.shape)


def perplexity(m, ids, split, e, args, device, seed):
    """Sliding-window perplexity (window, stride) with the hidden state after block `split`
    corrupted (split < 0: clean). Each window scores only the tokens the previous one did not."""
    gen = torch.Generator(device="cpu").manual_seed(seed)
    bytes_per_value = 2 if m.dtype in (torch.float16, torch.bfloat16) else 4
    packet_values = max(1, args.packet_bytes // bytes_per_value)
    nll, count, prev_end = 0.0, 0, 0
    with torch.no_grad():
        for begin in range(0, len(ids), args.stride):
            end = min(begin + args.window, len(ids))
            x = torch.tensor([ids[begin:end]], device=device)
            n = end - begin
            score = min(end - prev_end, n - 1)  # new targets in this window
            if score > 0:
                h = m.embed(x)
                for i in range(m.layers):
                    if i == split:
                        h = corrupt(h, e, args.erasure_mode, packet_values, gen)
                    h = m.block(i, h)
                lp = torch.log_softmax(m.head(h).float()[0, :-1], dim=-1)
                targets = x[0, 1:]
                nll -= lp[-score:].gather(1, targets[-score:, None]).sum().item()
                count += score
            prev_end = end
            if end == len(ids):
                break
    return math.exp(nll / max(count, 1))


def measure_quality(m, args, device):
    ids = read_ids(args, m.vocab)
    splits = [int(s) for s in args.splits.split(",")]
    erasure = [float(e) for e in args.erasure.split(",")]
    for k in splits:
        if not 1 <= k < m.layers:
            fail(f"--splits: {k} is not in 1..{m.layers - 1}")
    reference = perplexity(m, ids, -1, 0.0, args, device, 0)
    rows = []
    for k in splits:
        row = []
        for e in erasure:
            runs = [perplexity(m, ids, k, e, args, device, seed) for seed in range(args.runs)]
            row.append(sum(runs) / len(runs) if e > 0 else reference)
        rows.append(isotonic(row))
    return reference, splits, erasure, rows


# ---- writing tables ----------------------------------------------------------------------

def yaml_list(v):
    return "[" + ", ".join(repr(float(x)) if isinstance(x, float) else str(x) for x in v) + "]"


def atomic_open(path):
    """A file written as PATH.part and renamed to PATH on close, so an interrupted run never
    leaves a table that looks whole."""
    class Atomic:
        def __enter__(self):
            self.f = open(path + ".part", "w")
            return self.f

        def __exit__(self, kind, value, tb):
            self.f.close()
            if kind is None:
                os.replace(path + ".part", path)
            else:
                os.unlink(path + ".part")
    return Atomic()


def write_cost(path, m, args, device, tokens, contexts, batches, prefill, decode, source):
    vb = 2 if m.dtype in (torch.float16, torch.bfloat16) else 4
    d = m.d
    kv = (m.kv_heads if hasattr(m, "kv_heads") else m.heads) * m.hd
    emb = sum(t.numel() for n, t in m.w.items() if "embed" in n or n in ("wte.weight", "wpe.weight"))
    blk = sum(t.numel() for n, t in m.w.items() if n.startswith(("model.layers.0.", "h.0.")))
    head = sum(t.numel() for n, t in m.w.items()
               if n in ("model.norm.weight", "lm_head.weight", "ln_f.weight", "ln_f.bias"))
    groups = [("embedding", 1, emb, 0, d * vb), ("block", m.layers, blk, 2 * kv * vb, d * vb),
              ("head", 1, head, 0, 4)]
    with atomic_open(path) as f:
        f.write(f"# splitsim cost table: {args.model_name} on {args.name}, measured by "
                f"tools/gpu_profile.py.\n")
        f.write("format: splitsim-cost-table\nformat_version: 1\n")
        f.write(f"model: {json.dumps(args.model_name)}\ndevice: {json.dumps(args.name)}\n")
        f.write("provenance:\n  method: measured\n")
        f.write(f"  tool: {json.dumps('tools/gpu_profile.py ' + VERSION + ', PyTorch ' + torch.__version__)}\n")
        f.write(f"  created: {json.dumps(datetime.date.today().isoformat())}\n")
        f.write(f"  source: {json.dumps(source)}\n")
        f.write(f"power_w: {args.power}\nunits: {{time: ms, size: B}}\n")
        f.write(f"prefill_tokens: {yaml_list(tokens)}\ndecode_context: {yaml_list(contexts)}\n")
        f.write(f"decode_batch: {yaml_list(batches)}\nlayers:\n")
        for name, count, params, kvb, hidden in groups:
            f.write(f"  - name: {name}\n    count: {count}\n    param_bytes: {params * vb}\n")
            f.write(f"    kv_bytes_per_token: {kvb}\n    hidden_bytes_per_token: {hidden}\n")
            f.write(f"    prefill_ms: {yaml_list(prefill[name])}\n    decode_ms:\n")
            for row in decode[name]:
                f.write(f"      - {yaml_list(row)}\n")


def write_quality(path, args, reference, splits, erasure, rows, precision, source, dataset):
    with atomic_open(path) as f:
        f.write(f"# splitsim quality table: {args.model_name}, measured by tools/gpu_profile.py.\n")
        f.write("format: splitsim-quality-table\nformat_version: 1\n")
        f.write(f"model: {json.dumps(args.model_name)}\nprovenance:\n  method: measured\n")
        f.write(f"  tool: {json.dumps('tools/gpu_profile.py ' + VERSION + ', PyTorch ' + torch.__version__)}\n")
        f.write(f"  created: {json.dumps(datetime.date.today().isoformat())}\n")
        f.write(f"  source: {json.dumps(source)}\n")
        f.write(f"metric: perplexity\ndataset: {json.dumps(dataset)}\nreference: {reference!r}\n")
        f.write(f"runs: {args.runs}\nerasure_mode: {args.erasure_mode}\n")
        f.write(f"splits: {yaml_list(splits)}\nerasure: {yaml_list(erasure)}\n")
        f.write(f"values:\n  {precision}:\n")
        for row in rows:
            f.write(f"    - {yaml_list(row)}\n")


# ---- main ---------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--name", default="gpu", help="device name for the cost table")
    ap.add_argument("--model-name", help="model name for the tables (default: the directory's)")
    ap.add_argument("--device", default=None, help="torch device (default: cuda if available)")
    ap.add_argument("--dtype", default="fp16", choices=["fp16", "bf16", "fp32"])
    ap.add_argument("--power", type=float, default=0, help="device power in W, for energy")
    ap.add_argument("--max-tokens", type=int, default=4096)
    ap.add_argument("--max-context", type=int, default=4096)
    ap.add_argument("--max-batch", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cost-out", help="write the cost table here")
    ap.add_argument("--quality-out", help="write the quality table here")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--tokens", help="evaluation token ids, whitespace-separated")
    src.add_argument("--text", help="evaluation text, bytes as token ids (byte-level models)")
    ap.add_argument("--splits", default="1,2,3,4,5,6,7,8,9")
    ap.add_argument("--erasure", default="0,0.02,0.06,0.1,0.14,0.18,0.22,0.26,0.3")
    ap.add_argument("--erasure-mode", default="element", choices=["element", "packet"])
    ap.add_argument("--packet-bytes", type=int, default=1400)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--window", type=int, default=1024)
    ap.add_argument("--stride", type=int, default=512)
    args = ap.parse_args()
    if torch is None:
        fail("PyTorch is not installed (Debian: apt-get install python3-torch)", 1)
    if not args.cost_out and not args.quality_out:
        fail("nothing to do: give --cost-out and/or --quality-out")
    if args.quality_out and not (args.tokens or args.text):
        fail("--quality-out needs an evaluation text: --tokens FILE or --text FILE")
    try:
        with open(os.path.join(args.model_dir, "config.json")) as f:
            cfg = json.load(f)
    except OSError as e:
        fail(f"{args.model_dir}: cannot read config.json: {e.strerror}")
    except json.JSONDecodeError as e:
        fail(f"{args.model_dir}/config.json:{e.lineno}:{e.colno}: {e.msg}")
    family = cfg.get("model_type")
    if family not in FAMILIES:
        fail(f"{args.model_dir}/config.json: model_type '{family}' is not supported "
             f"(supported: {', '.join(sorted(FAMILIES))})")
    args.model_name = args.model_name or os.path.basename(os.path.normpath(args.model_dir)).lower()
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[args.dtype]
    if device.type == "cpu" and dtype == torch.float16:
        dtype = torch.float32  # FP16 matrix products are not implemented on CPU in every build
        args.dtype = "fp32"
    m = FAMILIES[family](cfg, load_weights(args.model_dir), device, dtype)
    hw = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    source = (f"{family} model from {args.model_dir} with its weights in {args.dtype}, run by "
              f"PyTorch {torch.__version__} on {hw}; median of {args.repeats} runs after a "
              f"warm-up; series made non-decreasing by isotonic regression")
    if args.cost_out:
        res = measure_costs(m, args, device)
        write_cost(args.cost_out, m, args, device, *res, source)
        print(f"cost table: {args.cost_out}")
    if args.quality_out:
        reference, splits, erasure, rows = measure_quality(m, args, device)
        dataset = os.path.basename(args.tokens or args.text)
        qsource = (f"perplexity of {family} model {args.model_dir} ({args.dtype}, {hw}) on "
                   f"{dataset}, window {args.window}, stride {args.stride}; {args.erasure_mode} "
                   f"erasure after block k, mean of {args.runs} random patterns; rows made "
                   f"non-decreasing by isotonic regression")
        precision = "fp16" if args.dtype in ("fp16", "bf16", "fp32") else args.dtype
        write_quality(args.quality_out, args, reference, splits, erasure, rows, precision,
                      qsource, dataset)
        print(f"quality table: {args.quality_out}")


if __name__ == "__main__":
    main()
