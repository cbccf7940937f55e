#!/usr/bin/python3
"""Post-training static int8 quantisation of the shared MobileNetV2 embedding model with 7-bit activations.

Run with Debian's PyTorch 1.13 (``/usr/bin/python3``; the pyenv ``python3`` on PATH has no torch):

    /usr/bin/python3 models/quantize_int8.py --fp32 ../shared/models/mobilenet_v2/mobilenet_v2_embed_fp32.pt \
        --catalog ../shared/datasets/grocery/train.jsonl --catalog ../shared/datasets/grocery/iconic.jsonl \
        --photos 400 --seed 7 --out target/models/mobilenet_v2_embed_int8_rr.pt \
        --eval-catalog ../shared/datasets/grocery/val.jsonl \
        --compare ../shared/models/mobilenet_v2/mobilenet_v2_embed_int8.pt --bench

Why: FBGEMM's AVX2 kernels (x86 without AVX-512 VNNI) multiply u8 activations by s8 weights in pairs summed in
16 bits, which saturates unless every activation fed to a quantized convolution is at most 127 (7 bits,
``reduce_range``). The shared int8 model uses 8-bit activations, so it is exact only on QNNPACK. This script builds a
new int8 model from the same fp32 weights whose activations are 7-bit BY CONSTRUCTION, not just by calibration:

* every activation observer has quant range 0..127 (``reduce_range=True``; checked and printed);
* the stem (features.0: conv 3->32 on the RGB input, ReLU6) stays float by default (``--int8-stem`` quantizes it,
  with a 7-bit input quantiser fixed to every value the normalisation can produce); its output is quantized with
  zero point 0 (negatives -> 0) and clamped at ``127*scale`` (its ReLU6, integers 0..127);
* each quantized conv + ReLU6 gets zero point 0 and scale ``m/127``, ``m <= 6`` calibrated on the ReLU6 output (the
  observer sees ``clamp(conv, 0, 6)``), and the ReLU6 becomes a clamp at ``127*scale``: integers 0..127 whatever the
  photo (ReLU6 semantics kept: ``m <= 6``);
* each block's output (projection conv, or the residual add) is clamped to the bounds of its quant range (integers
  0..127): a quantized op otherwise requantizes into 0..255 when a photo exceeds the calibrated range;
* the clamps run on the tensor's NHWC view (``QuantClamp``): libtorch's QNNPACK clamp scrambles channels-last input;
* the last feature map is dequantized before the global average pool (pooling in float keeps the features'
  precision).

With ``--qat-steps N`` the same 7-bit scheme is learned instead of only calibrated (quantization-aware training, what
``bin/lens train-model`` runs on the model it fine-tuned): fake quantizers with moving-average ranges replace the
observers, and the fake-quantized model is trained for N steps to give the fp32 model's embedding (loss 1 - cosine) on
augmented photos of the catalogs (random crops of a quarter to all of the photo, mirrored half of the time); the ranges
freeze for the second half of the steps. ``--fp16-out`` also saves the fp32 model with half-precision parameters (for
GPUs).

Without ``--qat-steps``, ranges are calibrated (HistogramObserver) on photos of the given catalogs (the train catalog, never the evaluation
set), each preprocessed exactly as the service does, at every view (``--crops``, default 224 and 320). Weights are
per-output-channel symmetric int8. The result is traced and saved as TorchScript with standard quantized ops only
(it loads in libtorch 2.x, which re-packs the weights for the engine active when it loads).
"""
import argparse
import json
import math
import os
import random
import statistics
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageOps

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
# torchvision MobileNetV2 inverted-residual settings: expansion t, channels c, repeats n, first stride s
SETTINGS = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
ACT_QMAX = 127  # 7-bit activations: u8 * s8 pair sums fit FBGEMM's AVX2 16-bit accumulation
# the stem (conv 3->32 on the RGB input + its ReLU6, ~4% of the MACs) stays float by default: a 7-bit input has 128
# levels over the normalised range, half a photo's 256; measured on val (400 train photos, seed 7), mean cosine to
# fp32 at 224 / 320: int8 stem 0.9848 / 0.9783, float stem 0.9890 / 0.9861
STEM = ("features.0.0", "features.0.2")


# ---------------------------------------------------------------------------------------------------- model
class ConvAct(nn.Sequential):
    """torchvision's Conv2dNormActivation with BatchNorm folded: [Conv2d (with bias), Identity, ReLU6]."""

    def __init__(self, cin, cout, k, stride, groups):
        super().__init__(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=True), nn.Identity(),
                         nn.ReLU6())

    def forward(self, x):
        return self[2](self[0](x))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        layers = [ConvAct(cin, hidden, 1, 1, 1)] if t != 1 else []
        layers += [ConvAct(hidden, hidden, 3, stride, hidden), nn.Conv2d(hidden, cout, 1, 1, 0, bias=True),
                   nn.Identity()]
        self.conv = nn.Sequential(*layers)
        self.use_res_connect = stride == 1 and cin == cout
        # no-op in float (bounds set after calibration): clamps the block output to its 7-bit quant range
        self.clip = nn.Hardtanh(-1e30, 1e30)

    def forward(self, x):
        y = x
        for layer in self.conv:
            if not isinstance(layer, nn.Identity):
                y = layer(y)
        if self.use_res_connect:
            y = x + y
        return self.clip(y)


class Embed(nn.Module):
    """MobileNetV2 features (BN folded) + global average pool + flatten; parameter names as the shared TorchScript."""

    def __init__(self):
        super().__init__()
        feats = [ConvAct(3, 32, 3, 2, 1)]
        cin = 32
        for t, c, n, s in SETTINGS:
            for i in range(n):
                feats.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        feats.append(ConvAct(cin, 1280, 1, 1, 1))
        self.features = nn.Sequential(*feats)

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.features(x), (1, 1)), 1)


def rebuild(fp32_ts, check_input):
    """The fp32 TorchScript as a plain module (strict state_dict load), checked against the TorchScript output."""
    m = Embed().eval()
    m.load_state_dict(fp32_ts.state_dict(), strict=True)
    for i, blk in enumerate(m.features):
        if isinstance(blk, InvertedResidual):
            ts_blk = getattr(fp32_ts.features, str(i))
            if bool(ts_blk.use_res_connect) != blk.use_res_connect:
                raise SystemExit(f"features.{i}: residual connection differs from the TorchScript")
    with torch.no_grad():
        diff = (m(check_input) - fp32_ts(check_input)).abs().max().item()
    if diff > 1e-4:
        raise SystemExit(f"rebuilt module differs from the fp32 TorchScript: max abs diff {diff:g}")
    return m, diff


# ---------------------------------------------------------------------------------------------------- photos
def input_bounds():
    """Smallest and largest value the normalisation can produce (pixel 0 and 255 of every channel)."""
    lo = min(float((torch.tensor(0.0) - m) / s) for m, s in zip(MEAN, STD))
    hi = max(float((torch.tensor(1.0) - m) / s) for m, s in zip(MEAN, STD))
    return lo, hi


def load_crop(path, crop):
    """uint8 [3, crop, crop]: EXIF orientation applied, shorter side to round(crop*256/224) (Pillow bilinear,
    antialiased, reducing_gap=2 like the service), centre crop (torchvision rounding)."""
    resize = int(math.floor(crop * 256 / 224 + 0.5))
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        w, h = im.size
        tw, th = (resize, resize * h // w) if w <= h else (resize * w // h, resize)
        im = im.resize((tw, th), Image.BILINEAR, reducing_gap=2.0)
        x0, y0 = int(round((tw - crop) / 2.0)), int(round((th - crop) / 2.0))
        im = im.crop((x0, y0, x0 + crop, y0 + crop))
        data = bytearray(im.tobytes())
    return torch.frombuffer(data, dtype=torch.uint8).view(crop, crop, 3).permute(2, 0, 1).contiguous()


def normalise(u8):
    x = u8.float() / 255.0
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def read_catalog(path):
    base = os.path.dirname(os.path.abspath(path))
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                out.append((rec.get("id", rec["image"]), os.path.join(base, rec["image"])))
    return out


class Progress:
    """A progress bar on stderr."""

    def __init__(self, label, total):
        self.label, self.total, self.n, self.t0 = label, total, 0, time.time()
        self.tty = sys.stderr.isatty()
        self._last = -1

    def step(self, k=1):
        self.n += k
        pct = int(100 * self.n / max(1, self.total))
        if self.tty or pct // 10 != self._last // 10 or self.n == self.total:
            bar = "#" * (pct * 30 // 100)
            el = time.time() - self.t0
            sys.stderr.write(f"\r{self.label:<28} [{bar:<30}] {self.n}/{self.total} {el:6.1f}s")
            if not self.tty:
                sys.stderr.write("\n")
            sys.stderr.flush()
            self._last = pct

    def done(self):
        if self.tty:
            sys.stderr.write("\n")
        return time.time() - self.t0


def batches(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ---------------------------------------------------------------------------------------------------- quantisation
def observers():
    from torch.ao.quantization.observer import HistogramObserver, MinMaxObserver, PerChannelMinMaxObserver

    class ReLU6HistogramObserver(HistogramObserver):
        """Observes a conv's output as the following ReLU6 returns it (clamp 0..6), so its range is the ReLU6's:
        zero point 0 and scale <= 6/127."""

        def forward(self, x_orig):
            super().forward(torch.clamp(x_orig.detach(), 0.0, 6.0))
            return x_orig

    act = HistogramObserver.with_args(dtype=torch.quint8, reduce_range=True)
    relu6 = ReLU6HistogramObserver.with_args(dtype=torch.quint8, reduce_range=True)
    fixed = MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=True)
    weight = PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
    return act, relu6, fixed, weight


def fake_quants():
    """The observers of ``observers()`` as fake quantizers for quantization-aware training: moving-average ranges
    (a histogram per step would be slow), the same 7-bit activation ranges, per-channel symmetric int8 weights."""
    from torch.ao.quantization import FakeQuantize, default_per_channel_weight_fake_quant
    from torch.ao.quantization.observer import MinMaxObserver, MovingAverageMinMaxObserver

    class ReLU6MovingAverageObserver(MovingAverageMinMaxObserver):
        """As ReLU6HistogramObserver: the range of clamp(x, 0, 6), so zero point 0 and scale <= 6/127."""

        def forward(self, x_orig):
            super().forward(torch.clamp(x_orig.detach(), 0.0, 6.0))
            return x_orig

    act = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=ACT_QMAX, dtype=torch.quint8)
    relu6 = FakeQuantize.with_args(observer=ReLU6MovingAverageObserver, quant_min=0, quant_max=ACT_QMAX, dtype=torch.quint8)
    fixed = FakeQuantize.with_args(observer=MinMaxObserver, quant_min=0, quant_max=ACT_QMAX, dtype=torch.quint8)
    return act, relu6, fixed, default_per_channel_weight_fake_quant


def prepare(model, example, float_modules=(), qat=False):
    from torch.ao.quantization import QConfig, QConfigMapping
    from torch.ao.quantization.quantize_fx import prepare_fx, prepare_qat_fx

    act, relu6, fixed, weight = fake_quants() if qat else observers()
    qconfig = QConfig(activation=act, weight=weight)
    mapping = (QConfigMapping().set_global(qconfig)
               .set_object_type(F.adaptive_avg_pool2d, None).set_object_type(torch.flatten, None))
    for name in float_modules:
        mapping.set_module_name(name, None)
    warnings.filterwarnings("ignore", message="Please use quant_min and quant_max")  # reduce_range, on purpose
    prepared = prepare_qat_fx(model.train(), mapping, (example,)) if qat else prepare_fx(model, mapping, (example,))
    # every observer instance and the names that point at it (FX shares one between an op and a ReLU6/hardtanh)
    names_of = {}
    for name, mod in prepared._modules.items():
        if name.startswith("activation_post_process"):
            names_of.setdefault(id(mod), []).append(name)
    lo, hi = input_bounds()
    kinds = {"input": 0, "relu6": 0, "float ReLU6": 0}
    for node in list(prepared.graph.nodes):
        if node.op != "call_module" or not str(node.target).startswith("activation_post_process"):
            continue
        src = node.args[0]
        kind = None
        if src.op == "placeholder":
            kind = "input"
            new = fixed()
            new(torch.tensor([lo, hi]))  # the whole normalised range: no input maps above 127
            if qat:
                new.disable_observer()  # fixed: training must not narrow it
        elif src.op == "call_module" and "." in str(src.target):
            parent = model.get_submodule(str(src.target).rsplit(".", 1)[0])
            if isinstance(parent, ConvAct) and str(src.target).endswith(".0"):
                kind = "relu6"  # quantized conv whose output goes through ReLU6
                new = relu6()
            elif str(src.target) in float_modules and isinstance(model.get_submodule(str(src.target)), nn.ReLU6):
                kind = "float ReLU6"  # output of a float conv + ReLU6 (the stem), quantized for the next conv
                new = relu6()
        if kind is None:
            continue
        old = getattr(prepared, node.target)
        if id(old) not in names_of:
            raise SystemExit(f"{node.target}: observer replaced twice")
        for name in names_of.pop(id(old)):
            setattr(prepared, name, new)
        kinds[kind] += 1
    return prepared, kinds


def activation_observer_check(prepared):
    obs = {}
    for name, mod in prepared._modules.items():
        if name.startswith("activation_post_process"):
            obs[id(mod)] = mod
    ranges = [(o.quant_min, o.quant_max) for o in obs.values()]
    worst = max(qmax - qmin for qmin, qmax in ranges)
    ok = all(qmin == 0 and qmax <= ACT_QMAX for qmin, qmax in ranges)
    return len(obs), sorted(set(ranges)), worst, ok


class QuantClamp(nn.Module):
    """Clamps a quantized NCHW tensor to [lo, hi] (float bounds; integers 0..127 here) through its NHWC view.

    libtorch's QNNPACK clamp/hardtanh (also behind quantized ReLU6) writes a channels-last input's bytes into a
    default-layout output, scrambling the channels (seen in 1.13; the same code is in 2.x). Quantized convs return
    channels-last tensors, whose NHWC permutation is a plain contiguous tensor: clamped that way the result is right on
    every engine, and permuting back is a free view that the next conv takes without a copy."""

    def __init__(self, lo, hi):
        super().__init__()
        self.lo, self.hi = float(lo), float(hi)

    def forward(self, x):
        return F.hardtanh(x.permute(0, 2, 3, 1), self.lo, self.hi).permute(0, 3, 1, 2)

    def extra_repr(self):
        return f"lo={self.lo:.6g}, hi={self.hi:.6g}"


def finish(converted, example):
    """Sets the 7-bit clamps from each op's output quant params, read off one forward pass."""
    seen = {}
    hooks = []

    def record(name):
        def hook(_, inp):
            if inp[0].is_quantized:  # (a module left in float keeps its float ReLU6)
                seen[name] = (inp[0].q_scale(), inp[0].q_zero_point())
        return hook

    for name, mod in converted.named_modules():
        if isinstance(mod, (nn.ReLU6, nn.Hardtanh)):
            hooks.append(mod.register_forward_pre_hook(record(name)))
    with torch.no_grad():
        converted(example)
    for h in hooks:
        h.remove()
    relu6, clips = 0, 0
    for name, (scale, zp) in seen.items():
        mod = converted.get_submodule(name)
        parent_name, attr = name.rsplit(".", 1)
        parent = converted.get_submodule(parent_name)
        if isinstance(mod, nn.ReLU6):
            if zp != 0 or ACT_QMAX * scale > 6.0 + 1e-6:
                raise SystemExit(f"{name}: ReLU6 input quant params scale={scale} zero_point={zp} (expected 0, <=6/127)")
            setattr(parent, attr, QuantClamp(0.0, ACT_QMAX * scale))
            relu6 += 1
        else:
            setattr(parent, attr, QuantClamp((0 - zp) * scale, (ACT_QMAX - zp) * scale))
            clips += 1
    # the float stem's ReLU6 feeding quantize_per_tensor: dropped (zero point 0 already maps negatives to 0) and a clamp
    # at 127*scale put after the quantize (on the uint8 tensor, a quarter of the float one's bytes)
    modules = dict(converted.named_modules())
    graph = converted.graph
    for node in list(graph.nodes):
        if node.op == "call_function" and node.target == torch.quantize_per_tensor:
            src = node.args[0]
            if src.op == "call_module" and isinstance(modules.get(src.target), nn.ReLU6):
                scale = float(getattr(converted, node.args[1].target))
                zp = int(getattr(converted, node.args[2].target))
                if zp != 0 or ACT_QMAX * scale > 6.0 + 1e-6:
                    raise SystemExit(f"{src.target}: quant params scale={scale} zero_point={zp} (expected 0, <=6/127)")
                parent_name, attr = src.target.rsplit(".", 1)
                setattr(converted.get_submodule(parent_name), attr, QuantClamp(0.0, ACT_QMAX * scale))
                node.args = (src.args[0],) + tuple(node.args[1:])
                with graph.inserting_after(node):
                    clamp = graph.call_module(src.target, (node,))
                node.replace_all_uses_with(clamp)
                clamp.args = (node,)
                graph.erase_node(src)
                relu6 += 1
    graph.lint()
    converted.recompile()
    return relu6, clips


def static_7bit_check(converted):
    """Every quantized conv's input must be the input quantiser or a hardtanh whose integer bounds are within 0..127."""
    qconv = torch.ao.nn.quantized.Conv2d
    modules = dict(converted.named_modules())
    rows = []
    for node in converted.graph.nodes:
        if node.op == "call_module" and isinstance(modules.get(node.target), qconv):
            src = node.args[0]
            if src.op == "call_function" and src.target == torch.quantize_per_tensor:
                scale = float(getattr(converted, src.args[1].target))
                zp = int(getattr(converted, src.args[2].target))
                fsrc = src.args[0]
                if fsrc.op == "placeholder":  # the model input (--int8-stem): bounded by the normalisation
                    lo, hi = input_bounds()
                else:
                    raise SystemExit(f"{node.target}: quantized from {fsrc.op} {fsrc.target}, which is not bounded")
                top = max(zp + round(lo / scale), zp + round(hi / scale))
                bottom = max(0, min(zp + round(lo / scale), zp + round(hi / scale)))
            elif src.op == "call_module" and isinstance(modules.get(src.target), QuantClamp):
                ht = modules[src.target]
                # the quant params of the clamp's input = those of its producer (read from the conv/add)
                scale, zp = _qparams_of(converted, modules, src.args[0])
                top = zp + round(ht.hi / scale)
                bottom = max(0, zp + round(ht.lo / scale))
            else:
                raise SystemExit(f"{node.target}: input is {src.op} {src.target}, not bounded to 7 bits")
            rows.append((node.target, bottom, min(255, top)))
    return rows


def _qparams_of(converted, modules, node):
    if node.op == "call_module":
        m = modules[node.target]
        return float(m.scale), int(m.zero_point)
    if node.op == "call_function" and node.target == torch.quantize_per_tensor:
        return float(getattr(converted, node.args[1].target)), int(getattr(converted, node.args[2].target))
    if node.op == "call_function" and "add" in str(node.target):
        return float(getattr(converted, node.args[2].target)), int(getattr(converted, node.args[3].target))
    raise SystemExit(f"cannot read quant params of {node}")


def observed_7bit_check(model, inputs):
    """Largest integer seen at the input of any quantized conv over the given float batches."""
    qconv = torch.ao.nn.quantized.Conv2d
    top = [0, 0]
    hooks = []
    for _, mod in model.named_modules():
        if isinstance(mod, qconv):
            def pre(m, inp):
                r = inp[0].int_repr()
                top[0] = max(top[0], int(r.max()))
                top[1] += 1
            hooks.append(mod.register_forward_pre_hook(pre))
    with torch.no_grad():
        for x in inputs:
            model(x)
    for h in hooks:
        h.remove()
    return top[0], top[1]


# ---------------------------------------------------------------------------------------------------- evaluation
def embed(model, crops_u8, batch):
    out = []
    with torch.no_grad():
        for b in batches(crops_u8, batch):
            out.append(model(normalise(torch.stack(b))))
    return torch.cat(out)


def cosine(a, b):
    return F.cosine_similarity(a, b, dim=1)


def engines():
    return [e for e in torch.backends.quantized.supported_engines if e != "none"]


def bench(model, x, reps):
    with torch.no_grad():
        for _ in range(3):
            model(x)
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t)
    return x.shape[0] / statistics.median(times)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.path.normpath(os.path.join(here, "..", "..", "shared"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fp32", default=os.path.join(shared, "models/mobilenet_v2/mobilenet_v2_embed_fp32.pt"))
    ap.add_argument("--catalog", action="append",
                    help="JSONL catalog(s) of calibration photos (repeatable; default the shared train.jsonl)")
    ap.add_argument("--photos", type=int, default=400, help="calibration photos drawn (seeded) from the catalogs")
    ap.add_argument("--crops", default="224,320", help="views calibrated and evaluated (crop sizes)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True, help="where the int8 TorchScript is written")
    ap.add_argument("--eval-catalog", help="photos to measure cosine(int8, fp32) on, per engine (e.g. val.jsonl)")
    ap.add_argument("--compare", action="append", default=[],
                    help="other int8 TorchScript(s) to measure the same way (e.g. the shared int8 model)")
    ap.add_argument("--bench", action="store_true", help="also time batch 8 at the first crop, 1 thread, per engine")
    ap.add_argument("--int8-stem", action="store_true",
                    help="quantize the first conv too (7-bit input: cheaper, less exact; default keeps it float)")
    ap.add_argument("--qat-steps", type=int, default=0,
                    help="quantization-aware training steps (0: post-training calibration only): the fake-quantized model "
                         "learns to give the fp32 model's embeddings (cosine distillation) on augmented catalog photos")
    ap.add_argument("--qat-batch", type=int, default=16)
    ap.add_argument("--qat-lr", type=float, default=1e-5)
    ap.add_argument("--fp16-out", help="also save the fp32 model in half precision (TorchScript for GPUs) here")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    catalogs = args.catalog or [os.path.join(shared, "datasets/grocery/train.jsonl")]
    crops = [int(c) for c in args.crops.split(",")]
    for c in catalogs:
        if os.path.basename(c).startswith("val"):
            raise SystemExit(f"{c}: calibrate on the train catalog, not on the evaluation set")

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    t_start = time.time()
    eng = engines()
    convert_engine = next(e for e in ("fbgemm", "x86", "qnnpack", "onednn") if e in eng)
    torch.backends.quantized.engine = convert_engine
    print(f"torch {torch.__version__}; quantized engines {eng}; converting under {convert_engine}; "
          f"{args.threads} thread(s)", flush=True)

    fp32_ts = torch.jit.load(args.fp32).eval()
    model, diff = rebuild(fp32_ts, torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(args.seed)))
    print(f"rebuilt fp32 module: state_dict loaded strictly, max abs diff to the TorchScript {diff:.2e}", flush=True)

    pool = [item for c in catalogs for item in read_catalog(c)]
    chosen = random.Random(args.seed).sample(pool, min(args.photos, len(pool)))
    example = normalise(load_crop(chosen[0][1], crops[0]).unsqueeze(0))
    float_modules = () if args.int8_stem else STEM
    qat = args.qat_steps > 0
    prepared, kinds = prepare(model, example, float_modules, qat=qat)
    n_obs, ranges, worst, ok = activation_observer_check(prepared)
    first = (f"{kinds['input']} model input, fixed to the whole normalised range" if args.int8_stem else
             f"{kinds['float ReLU6']} after the float stem (features.0: conv 3->32 + ReLU6)")
    print(f"activation observers: {n_obs} ({first}; {kinds['relu6']} conv+ReLU6, observed after the clamp; "
          f"the rest {'moving-average fake quantizers' if qat else 'histogram'}), quant ranges {ranges}: quant_max-quant_min <= {worst} "
          f"-> {'OK, 7-bit' if ok else 'NOT 7-bit'}", flush=True)
    if not ok:
        raise SystemExit("an activation observer is not 7-bit")

    if qat:
        t_cal = train_qat(prepared, fp32_ts, chosen, crops, args)
    else:
        prog = Progress(f"calibrating ({len(chosen)} photos)", len(chosen) * len(crops))
        with torch.no_grad():
            for crop in crops:
                for b in batches(chosen, args.batch):
                    prepared(normalise(torch.stack([load_crop(p, crop) for _, p in b])))
                    prog.step(len(b))
        t_cal = prog.done()
    prepared.eval()

    from torch.ao.quantization.quantize_fx import convert_fx
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        converted = convert_fx(prepared).eval()
    n_relu6, n_clip = finish(converted, example)
    rows = static_7bit_check(converted)
    worst_in = max(top for _, _, top in rows)
    print(f"converted: {n_relu6} ReLU6 -> clamp at 127*scale, {n_clip} block outputs clamped to their quant range; "
          f"{len(rows)} quantized convs, largest integer any of their inputs can hold: {worst_in} "
          f"-> {'OK, 0..127 by construction' if worst_in <= ACT_QMAX else 'NOT 7-bit'}", flush=True)
    if worst_in > ACT_QMAX:
        raise SystemExit("a quantized conv input can exceed 127")

    with torch.no_grad():
        traced = torch.jit.trace(converted, example, check_trace=False)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)) or ".", exist_ok=True)
    torch.jit.save(traced, args.out)
    size = os.path.getsize(args.out)
    print(f"wrote {args.out} ({size / 1e6:.2f} MB)", flush=True)

    if args.fp16_out:
        save_fp16(args.fp32, args.fp16_out, example)
    if args.eval_catalog:
        evaluate(args, fp32_ts, converted, convert_engine, crops, eng)
    how = f"quantization-aware training {args.qat_steps} steps" if qat else "calibration"
    print(f"done in {time.time() - t_start:.0f}s: {len(chosen)} photos x views {crops} "
          f"({how} {t_cal:.0f}s), seed {args.seed}, model {args.out}", flush=True)


def save_fp16(fp32_path, out, example):
    """The fp32 TorchScript with every parameter in half precision (DJL runs it as fp16 on a GPU; CPUs have no fp16
    convolutions in this torch, so it is checked here by casting it back)."""
    half = torch.jit.load(fp32_path).eval().half()
    os.makedirs(os.path.dirname(os.path.abspath(out)) or ".", exist_ok=True)
    torch.jit.save(half, out)
    back = torch.jit.load(out).eval()
    dtypes = {p.dtype for p in back.parameters()}
    if dtypes != {torch.float16}:
        raise SystemExit(f"{out}: parameters are {dtypes}, not all float16")
    with torch.no_grad():
        ref = torch.jit.load(fp32_path).eval()(example)
        cos = cosine(back.float()(example), ref).min().item()
    print(f"wrote {out} ({os.path.getsize(out) / 1e6:.2f} MB, fp16 parameters; cosine to fp32 with the weights cast back "
          f"{cos:.5f})", flush=True)


def augmented_crop(u8, crop, rng):
    """A random crop (a quarter to all of the area, aspect 3/4..4/3) of a cached photo, resized to crop, maybe mirrored."""
    _, h, w = u8.shape
    for _ in range(10):
        area = h * w * rng.uniform(0.25, 1.0)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        cw, ch = int(round(math.sqrt(area * ratio))), int(round(math.sqrt(area / ratio)))
        if 0 < cw <= w and 0 < ch <= h:
            x0, y0 = rng.randint(0, w - cw), rng.randint(0, h - ch)
            break
    else:
        cw = ch = min(h, w)
        x0, y0 = (w - cw) // 2, (h - ch) // 2
    out = F.interpolate(u8[:, y0:y0 + ch, x0:x0 + cw].unsqueeze(0).float(), size=(crop, crop), mode="bilinear",
                        align_corners=False, antialias=True)[0]
    if rng.random() < 0.5:
        out = out.flip(2)
    return out.round().clamp(0, 255).to(torch.uint8)


def train_qat(prepared, teacher, chosen, crops, args):
    """Quantization-aware training by distillation: the fake-quantized model learns to give the fp32 model's
    embeddings (loss 1 - cosine) on augmented photos of the training catalogs. Observers move for the first half of
    the steps, then their ranges are frozen so the weights settle under the final quantization grid."""
    rng = random.Random(args.seed)
    cache_side = int(round(max(crops) * 10 / 7))
    prog = Progress(f"reading {len(chosen)} photos", len(chosen))
    cached = []
    for _, p in chosen:
        cached.append(load_shorter(p, cache_side))
        prog.step()
    prog.done()
    params = [p for p in prepared.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=args.qat_lr)
    prepared.train()
    prog = Progress(f"quantization-aware training", args.qat_steps)
    t0 = time.time()
    first, last = [], []
    for step in range(args.qat_steps):
        if step == args.qat_steps // 2:
            prepared.apply(torch.ao.quantization.disable_observer)
        crop = crops[step % len(crops)]
        x = normalise(torch.stack([augmented_crop(cached[rng.randrange(len(cached))], crop, rng)
                                   for _ in range(args.qat_batch)]))
        with torch.no_grad():
            target = teacher(x)
        loss = (1 - cosine(prepared(x), target)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        (first if step < 10 else last).append(loss.item())
        last[:] = last[-10:]
        prog.step()
    prog.done()
    print(f"quantization-aware training: {args.qat_steps} steps of {args.qat_batch} at views {crops}, "
          f"1 - cosine to fp32 {statistics.mean(first):.4f} in the first steps, "
          f"{statistics.mean(last or first):.4f} in the last", flush=True)
    return time.time() - t0


def load_shorter(path, side):
    """uint8 [3, H, W]: EXIF orientation applied, shorter side scaled to side (Pillow bilinear, antialiased)."""
    with Image.open(path) as im:
        im.draft("RGB", (side, side))
        im = ImageOps.exif_transpose(im).convert("RGB")
        w, h = im.size
        tw, th = (side, max(1, side * h // w)) if w <= h else (max(1, side * w // h), side)
        im = im.resize((tw, th), Image.BILINEAR, reducing_gap=2.0)
        data = bytearray(im.tobytes())
    return torch.frombuffer(data, dtype=torch.uint8).view(th, tw, 3).permute(2, 0, 1).contiguous()


def evaluate(args, fp32_ts, converted, convert_engine, crops, eng):
    photos = read_catalog(args.eval_catalog)
    views = {}
    prog = Progress(f"loading {len(photos)} eval photos", len(photos) * len(crops))
    for crop in crops:
        views[crop] = []
        for _, p in photos:
            views[crop].append(load_crop(p, crop))
            prog.step()
    prog.done()
    ref = {crop: embed(fp32_ts, views[crop], args.batch) for crop in crops}

    # the saved file reloads and gives what the in-memory converted model gives
    torch.backends.quantized.engine = convert_engine
    reloaded = torch.jit.load(args.out).eval()
    c0 = crops[-1]
    a = embed(converted, views[c0][:16], args.batch)
    b = embed(reloaded, views[c0][:16], args.batch)
    print(f"reload check ({convert_engine}, {c0}, 16 photos): max abs diff in-memory vs reloaded "
          f"{(a - b).abs().max().item():.2e}", flush=True)

    # integers actually fed to quantized convs: eval photos and synthetic extremes
    lo, hi = input_bounds()
    synth = [torch.full((1, 3, 224, 224), lo), torch.full((1, 3, 224, 224), hi),
             torch.rand(2, 3, 224, 224, generator=torch.Generator().manual_seed(1)) * (hi - lo) + lo,
             (torch.arange(224 * 224).view(1, 1, 224, 224) % 2).float().expand(1, 3, 224, 224) * (hi - lo) + lo,
             normalise(torch.full((1, 3, 320, 320), 255, dtype=torch.uint8))]
    real = [normalise(torch.stack(b)) for crop in crops for b in batches(views[crop], args.batch)]
    top, n = observed_7bit_check(converted, real + synth)
    print(f"observed: largest integer at any quantized conv input over {n} tensors (eval photos at {crops} "
          f"+ synthetic extremes): {top}", flush=True)

    models = [("int8-7bit (this)", args.out)] + [(f"compare: {os.path.basename(p)}", p) for p in args.compare]
    table = []
    for e in eng:
        torch.backends.quantized.engine = e
        for label, path in models:
            for crop in crops:
                # a fresh load per view: torch 1.13's onednn engine keeps the first input's spatial size
                m = torch.jit.load(path).eval()
                cos = cosine(embed(m, views[crop], args.batch), ref[crop])
                table.append((label, e, crop, cos.mean().item(), cos.min().item()))
                print(f"  {label:<44} {e:<8} {crop:>4}  mean {table[-1][3]:.4f}  min {table[-1][4]:.4f}", flush=True)
    print(f"\ncosine to fp32 on {len(photos)} photos of {args.eval_catalog}")
    print(f"| model | engine | crop | mean | min |\n|---|---|---|---|---|")
    for label, e, crop, mean, mn in table:
        print(f"| {label} | {e} | {crop} | {mean:.4f} | {mn:.4f} |")
    bar = min(r[3] for r in table if r[0] == models[0][0])
    print(f"lowest mean cosine of {os.path.basename(args.out)} over engines and views: {bar:.4f} "
          f"({'>=' if bar >= 0.98 else '<'} 0.98)", flush=True)

    if args.bench:
        torch.set_num_threads(1)
        x = normalise(torch.stack(views[crops[0]][:8]))
        print(f"\nspeed, batch {x.shape[0]} at {crops[0]}, 1 thread (img/s, median of 15)")
        print("| model | engine | img/s |\n|---|---|---|")
        print(f"| fp32 | - | {bench(fp32_ts, x, 15):.1f} |", flush=True)
        for e in eng:
            torch.backends.quantized.engine = e
            for label, path in models:
                m = torch.jit.load(path).eval()
                print(f"| {label} | {e} | {bench(m, x, 15):.1f} |", flush=True)


if __name__ == "__main__":
    main()
