"""The peer's model and preprocessing, shared by peer.py (the service) and build_index.py (its index).

Plain PyTorch as a team would write it (MODEL.md's recipe): PIL decode, RGB, shorter side resized to 256 with PIL's
bilinear filter (antialiased when it shrinks: PIL widens the filter's support by the scale), centre crop 224
(torchvision's offsets), ImageNet mean/std, the shared TorchScript model, L2-normalised output.

Environment:
  PEER_PRECISION          int8 (default; the service's lens.model.precision) or fp32
  PEER_QUANTIZED_ENGINE   torch.backends.quantized.engine for int8: qnnpack (default: the engine the shared int8 model
                          was packed and trained for) or any engine this torch lists; Debian's torch 1.13 lists
                          qnnpack and onednn, no fbgemm (the service's "auto" takes FBGEMM on AVX-512 VNNI CPUs)
  LENS_SHARED_DIR         the shared folder (default ../shared, relative to the repository root)
"""
import os

import numpy as np
import torch
from PIL import Image

RESIZE = 256
CROP = 224
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def shared_dir():
    return os.environ.get("LENS_SHARED_DIR", "../shared")


def model_path(precision):
    return os.path.join(shared_dir(), "models", "mobilenet_v2", f"mobilenet_v2_embed_{precision}.pt")


def load_model(precision=None, threads=None):
    """The TorchScript model in eval mode; returns (model, description)."""
    precision = precision or os.environ.get("PEER_PRECISION", "int8")
    if precision not in ("int8", "fp32"):
        raise ValueError(f"PEER_PRECISION must be int8 or fp32, not {precision!r}")
    if threads:
        torch.set_num_threads(int(threads))
    engine = None
    if precision == "int8":
        engine = os.environ.get("PEER_QUANTIZED_ENGINE", "qnnpack")
        supported = torch.backends.quantized.supported_engines
        if engine not in supported:
            raise ValueError(f"quantized engine {engine!r} is not in this torch's {supported}")
        # set before loading: the packed weights are re-packed for the engine active at load time
        torch.backends.quantized.engine = engine
    model = torch.jit.load(model_path(precision), map_location="cpu").eval()
    description = (f"{precision} model{', quantized engine ' + engine if engine else ''}, "
                   f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    return model, description


def preprocess(image):
    """A PIL image -> float32 array [3, 224, 224], normalised."""
    image = image.convert("RGB")
    w, h = image.size
    if w <= h:
        nw, nh = RESIZE, int(RESIZE * h / w)
    else:
        nw, nh = int(RESIZE * w / h), RESIZE
    image = image.resize((nw, nh), Image.BILINEAR)
    left = int(round((nw - CROP) / 2.0))
    top = int(round((nh - CROP) / 2.0))
    image = image.crop((left, top, left + CROP, top + CROP))
    x = np.asarray(image, dtype=np.float32) / 255.0
    x = (x - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def embed(model, batch):
    """Arrays [3, 224, 224] -> float32 [n, 1280], rows L2-normalised (inner product = cosine)."""
    with torch.inference_mode():
        out = model(torch.from_numpy(np.stack(batch))).numpy().astype(np.float32, copy=False)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(out)
