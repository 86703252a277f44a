"""The fused Mamba CPU scan's build with real processes, each with its own fresh `TORCH_EXTENSIONS_DIR`: processes
starting at once build it once, a builder killed mid-build costs the others one more build and no more, and what a
killed builder leaves behind (torch's `lock` file, a half-built folder) never makes anyone wait."""
import os, re, shutil, signal, subprocess, sys, time, pathlib
import pytest

# Gets the kernel, checks it against the loop, and prints how long that took; the log goes to stderr.
SCRIPT = r"""
import logging, sys, time
t0 = time.time()
logging.basicConfig(level=logging.INFO, format='%(process)d %(message)s')
import torch
from nas_nb.models.mamba import fused_scan_kernel, selective_scan_fused, selective_scan_loop
assert fused_scan_kernel() is not None, "no fused kernel"
g = torch.Generator().manual_seed(0)
u, B, C = (torch.randn(2, 20, *s, generator=g) for s in ((8,), (4,), (4,)))
delta, A = torch.rand(2, 20, 8, generator=g), -torch.rand(8, 4, generator=g)
for a, b in zip(selective_scan_fused(u, delta, A, B, C), selective_scan_loop(u, delta, A, B, C)):
    assert torch.allclose(a, b, atol=1e-5), (a - b).abs().max()
print(f"KERNEL {time.time() - t0:.1f}", flush=True)
"""
BUILDING, WAITING = 'building the fused CPU scan', "waiting (at most"

def start(ext, tmp, tag):
    "One process getting the kernel with TORCH_EXTENSIONS_DIR=ext, in a session of its own (so it can be killed whole)."
    env = {**os.environ, 'TORCH_EXTENSIONS_DIR': str(ext), 'OMP_NUM_THREADS': '1'}
    out, err = (open(tmp / f'{tag}.{s}', 'w+') for s in ('out', 'err'))
    p = subprocess.Popen([sys.executable, '-c', SCRIPT], stdout=out, stderr=err, env=env, start_new_session=True)
    p.out, p.err, p.t0 = out, err, time.monotonic()
    return p

def finish(p, timeout=600):
    "Wait for `p`; its (stdout, stderr, seconds from start to exit)."
    p.wait(timeout=timeout); t = time.monotonic() - p.t0
    p.out.seek(0); p.err.seek(0); out, err = p.out.read(), p.err.read(); p.out.close(); p.err.close()
    return out, err, t

def kernel_dirs(ext): return [d for d in pathlib.Path(ext).iterdir() if d.is_dir()]

def build_seconds(err):
    m = re.search(r'built the fused CPU scan in (\d+) s', err)
    return m and int(m.group(1))

@pytest.fixture(scope='module')
def built(tmp_path_factory):
    "Four processes start at once in a fresh extension folder and whichever builds is killed (SIGKILL, compiler and all)."
    tmp = tmp_path_factory.mktemp('at_once'); ext = tmp / 'ext'
    procs = [start(ext, tmp, f'p{i}') for i in range(4)]
    log = lambda p: pathlib.Path(p.err.name).read_text()
    deadline, victim = time.monotonic() + 300, None
    while victim is None and time.monotonic() < deadline and all(p.poll() is None for p in procs):
        victim = next((p for p in procs if BUILDING in log(p)), None); time.sleep(0.1)
    assert victim is not None, [log(p)[-2000:] for p in procs]
    time.sleep(5)                                                 # into the compile
    (d,) = kernel_dirs(ext)
    assert list(d.glob('build-*/lock')), list(d.rglob('*'))      # torch's lock file: a killed builder leaves it
    assert victim.poll() is None, "the build ended before it could be killed"
    os.killpg(victim.pid, signal.SIGKILL); killed = time.monotonic(); finish(victim)
    return ext, [(*finish(p), time.monotonic() - killed) for p in procs if p is not victim]

def test_at_once_one_build_even_with_a_killed_builder(built):
    ext, res = built
    for out, err, *_ in res: assert 'KERNEL' in out, err[-3000:]
    (d,) = kernel_dirs(ext)                                       # right under TORCH_EXTENSIONS_DIR
    builders = [r for r in res if BUILDING in r[1]]
    assert len(builders) == 1 and builders[0][1].count(BUILDING) == 1, [e for _, e, *_ in res]  # one build after the kill
    out, err, t, after_kill = builders[0]
    assert 'left by a build that was killed' in err, err         # and it cleared the killed build's folder
    for _, e, *_ in res: assert WAITING in e and str(d / 'nas_nb.lock') in e, e  # each said it waits, and on what
    assert [f.name for f in d.iterdir() if f.name.startswith('build-')] == [], list(d.iterdir())
    one_build = build_seconds(err)
    assert after_kill < one_build + 60, (after_kill, one_build)   # a killed builder costs at most one more build
    print(f'one build of {one_build} s after the kill; kernels {[round(r[3]) for r in res]} s after the kill, '
          f'{[round(r[2]) for r in res]} s after start')

def copy_of(built, tmp):
    ext = tmp / 'ext'; shutil.copytree(built[0], ext)
    return ext, kernel_dirs(ext)[0]

def test_already_built_under_TORCH_EXTENSIONS_DIR(built, tmp_path):
    ext, d = copy_of(built, tmp_path)
    out, err, t = finish(start(ext, tmp_path, 'again'))
    assert 'KERNEL' in out, err[-3000:]
    assert BUILDING not in err and WAITING not in err, err       # found where it was built: no build, no wait
    print('already built: kernel after', round(t), 's')

def test_left_by_a_killed_builder(built, tmp_path):
    "torch's `lock` file in the kernel's folder and a half-built private folder, as a builder killed mid-build leaves them."
    ext, d = copy_of(built, tmp_path)
    (d / 'lock').touch()
    (d / 'build-dead').mkdir(); (d / 'build-dead' / 'lock').touch(); (d / 'build-dead' / 'main.o').write_bytes(b'\0' * 99)
    out, err, t = finish(start(ext, tmp_path, 'leftover'), timeout=120)
    assert 'KERNEL' in out, err[-3000:]
    assert BUILDING not in err and WAITING not in err, err
    assert t < 60, t
    print('leftover lock: kernel after', round(t), 's')
