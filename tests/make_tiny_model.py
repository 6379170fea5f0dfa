#!/usr/bin/python3
"""Writes a tiny randomly initialised Hugging Face model directory (config.json and
model.safetensors) of the Llama (with grouped-query attention) or GPT-2 family, for testing
tools/gpu_profile.py without downloading weights.   make_tiny_model.py llama|gpt2 DIR"""
import json
import os
import struct
import sys

import numpy as np


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype=np.float32)
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    family, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    r = lambda *s: rng.normal(0, 0.08, s)
    d, f, layers, vocab = 64, 128, 4, 256
    if family == "llama":
        heads, kv = 4, 2
        hd = d // heads
        cfg = {"model_type": "llama", "hidden_size": d, "intermediate_size": f,
               "num_hidden_layers": layers, "num_attention_heads": heads,
               "num_key_value_heads": kv, "vocab_size": vocab, "rms_norm_eps": 1e-6,
               "tie_word_embeddings": False}
        t = {"model.embed_tokens.weight": r(vocab, d), "model.norm.weight": np.ones(d),
             "lm_head.weight": r(vocab, d)}
        for i in range(layers):
            p = f"model.layers.{i}."
            t.update({p + "input_layernorm.weight": np.ones(d),
                      p + "post_attention_layernorm.weight": np.ones(d),
                      p + "self_attn.q_proj.weight": r(heads * hd, d),
                      p + "self_attn.k_proj.weight": r(kv * hd, d),
                      p + "self_attn.v_proj.weight": r(kv * hd, d),
                      p + "self_attn.o_proj.weight": r(d, heads * hd),
                      p + "mlp.gate_proj.weight": r(f, d), p + "mlp.up_proj.weight": r(f, d),
                      p + "mlp.down_proj.weight": r(d, f)})
    else:
        heads = 4
        cfg = {"model_type": "gpt2", "n_embd": d, "n_layer": layers, "n_head": heads,
               "n_positions": 512, "vocab_size": vocab, "layer_norm_epsilon": 1e-5}
        t = {"wte.weight": r(vocab, d), "wpe.weight": r(512, d), "ln_f.weight": np.ones(d),
             "ln_f.bias": np.zeros(d)}
        for i in range(layers):
            p = f"h.{i}."
            t.update({p + "ln_1.weight": np.ones(d), p + "ln_1.bias": np.zeros(d),
                      p + "ln_2.weight": np.ones(d), p + "ln_2.bias": np.zeros(d),
                      p + "attn.c_attn.weight": r(d, 3 * d), p + "attn.c_attn.bias": np.zeros(3 * d),
                      p + "attn.c_proj.weight": r(d, d), p + "attn.c_proj.bias": np.zeros(d),
                      p + "mlp.c_fc.weight": r(d, 4 * d), p + "mlp.c_fc.bias": np.zeros(4 * d),
                      p + "mlp.c_proj.weight": r(4 * d, d), p + "mlp.c_proj.bias": np.zeros(d)})
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(cfg, fh, indent=1)
    write_safetensors(os.path.join(out, "model.safetensors"), t)


if __name__ == "__main__":
    main()
