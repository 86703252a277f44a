"""Ours against transformers' reference classes on MQAR with our `train()` (the initialisation figures of issue 20).
Its MQAR is its own small generator (the key-value pairs, then queries of those keys, each followed by its value,
every such value scored): the one the figures in benchmarks/README.md were measured with.

    python benchmarks/init_recall.py llama 2000            # transformers' Llama; also mamba_hf, rwkv_hf
    python benchmarks/init_recall.py gqa 2000 32 4         # ours: gqa, gqa_alibi, transformer, linear_attention, mamba, rwkv; T, pairs
    OLDINIT=1 python benchmarks/init_recall.py gqa 2000    # ours with the previous init (PyTorch's default linear layers)
"""
import sys, time, torch, torch.nn as nn, json
from nas_nb.models import build_model, Task
from nas_nb.config import ArchitectureConfig as AC
from nas_nb.train import train, split_metrics, Phase
torch.set_num_threads(1)

def mqar(n, T=32, pairs=4, V=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    half = V // 2
    ids = torch.zeros(n, T + 1, dtype=torch.long); mask = torch.zeros(n, T, dtype=torch.bool)
    for i in range(n):
        keys = torch.randperm(half - 1, generator=g)[:pairs] + 1
        vals = torch.randint(half, V, (pairs,), generator=g)
        seq = torch.stack([keys, vals], 1).flatten()
        q = torch.randint(0, pairs, ((T + 1 - 2 * pairs) // 2,), generator=g)
        rest = torch.stack([keys[q], vals[q]], 1).flatten()
        s = torch.cat([seq, rest]); ids[i, :len(s)] = s
        for j in range(len(rest) // 2):
            mask[i, 2 * pairs + 2 * j] = True   # predicting ids[2p+2j+1] (the value) from the query key
    return ids, mask

class HF(nn.Module):
    def __init__(self, hf, task): super().__init__(); self.hf, self.task = hf, task
    def forward(self, ids): return self.hf(input_ids=ids).logits

def ref(kind, V, T, d=64, L=2):
    import transformers as tf
    torch.manual_seed(0)
    if kind == 'llama':
        m = tf.LlamaForCausalLM(tf.LlamaConfig(vocab_size=V, hidden_size=d, intermediate_size=2 * d, num_hidden_layers=L,
            num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=T, tie_word_embeddings=True))
    elif kind == 'mamba':
        m = tf.MambaForCausalLM(tf.MambaConfig(vocab_size=V, hidden_size=d, state_size=16, num_hidden_layers=L, tie_word_embeddings=True))
    elif kind == 'rwkv':
        m = tf.RwkvForCausalLM(tf.RwkvConfig(vocab_size=V, hidden_size=d, attention_hidden_size=d, intermediate_size=4 * d,
            num_hidden_layers=L, context_length=T, tie_word_embeddings=True))
    return HF(m, Task.lm(V, T))

OURS = {'gqa': dict(arch_type='gqa', position_encoding='rope', normalization='rmsnorm', activation='swiglu', ffn_multiplier=2.0),
        'gqa_alibi': dict(arch_type='gqa', position_encoding='alibi', normalization='rmsnorm', activation='swiglu', ffn_multiplier=2.0),
        'transformer': dict(arch_type='transformer', position_encoding='absolute', normalization='layernorm', activation='gelu', ffn_multiplier=2.0),
        'linear_attention': dict(arch_type='linear_attention', position_encoding='rope', normalization='rmsnorm', activation='swiglu', ffn_multiplier=2.0),
        'mamba': dict(arch_type='mamba', position_encoding='none', normalization='rmsnorm', activation='swiglu', ffn_multiplier=2.0, state_dim=16),
        'rwkv': dict(arch_type='rwkv', position_encoding='none', normalization='layernorm', activation='gelu', ffn_multiplier=4.0)}

if __name__ == '__main__':
    name, steps = sys.argv[1], int(sys.argv[2]); T = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    pairs = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    tr, va = mqar(8000, T, pairs, seed=0), mqar(500, T, pairs, seed=1)
    task = Task.lm(32, T)
    m = ref(name, 32, T) if name == 'llama' else None
    if name.endswith('_hf'): m = ref(name[:-3], 32, T)
    if m is None: m = build_model(AC(hidden_dim=64, num_heads=2, num_layers=2, dropout=0.0, **OURS[name]), task)
    import os
    if os.environ.get('OLDINIT') and not isinstance(m, HF):  # the initialisation before the reference inits: PyTorch's
        with torch.no_grad():                                 # default for every linear layer, tables N(0, 0.02)
            for n, l in m.named_modules():
                if isinstance(l, torch.nn.Linear) and not n.endswith('dt_proj'): l.reset_parameters()
                if isinstance(l, torch.nn.Embedding): l.weight.normal_(0, 0.02)
    ph = Phase('x', 8000, max(1, steps * 64 // 8000), 64, 3e-3)
    t0 = time.time()
    r = train(m, tr, va, ph, warmup_frac=0.1, patience=None)
    print(json.dumps(dict(model=name, steps=steps, T=T, pairs=pairs, acc=round(r.metrics['token_accuracy'], 3),
                          params=sum(p.numel() for p in m.parameters()), s=round(time.time() - t0, 1))), flush=True)
