"""The RapidOCR engine, built once per process, and one call that returns plain lines.

RapidOCR ships its PP-OCR Chinese det/rec/cls models inside the wheel
(`rapidocr/models/*.onnx`), so nothing is fetched at run time; `engine()`
refuses to start if they are missing rather than let the library download them.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_ENGINE: Any = None
_LOCK = threading.Lock()


@dataclass
class OcrLine:
    text: str
    box: tuple[float, float, float, float]    # x0, y0, x1, y1 in the image's pixels
    confidence: float
    tilt: float = 0.0                          # degrees the detected line's top edge slopes down

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "box": [round(v, 1) for v in self.box],
                "confidence": round(float(self.confidence), 4)}


def models_present() -> bool:
    """True when the wheel's bundled .onnx models are on disk (no download needed)."""
    import rapidocr
    folder = Path(rapidocr.__file__).parent / "models"
    return len(list(folder.glob("*.onnx"))) >= 2


def engine_params(threads: int) -> dict[str, Any]:
    """RapidOCR's parameters: quiet (it logs every call at info), and `threads` onnxruntime
    intra-op threads when set (0: the library's default, every core)."""
    params: dict[str, Any] = {"Global.log_level": "warning"}
    if threads > 0:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    return params


def engine() -> Any:
    """The process-wide RapidOCR engine (lazy: a Word-only worker never loads it), using the
    threads `DOSSIER_OCR_THREADS` gives it, OpenCV's included."""
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                if not models_present():
                    raise RuntimeError("rapidocr models missing from the wheel; refusing to download")
                import cv2
                from rapidocr import RapidOCR

                from dossier.settings import get_settings
                threads = get_settings().ocr_threads
                if threads > 0:
                    cv2.setNumThreads(threads)
                _ENGINE = RapidOCR(params=engine_params(threads))
                log.info("rapidocr engine loaded (%s threads)", threads or "default")
    return _ENGINE


def run_ocr(img: np.ndarray, use_cls: bool = True, **kw: Any) -> list[OcrLine]:
    """OCR an RGB/BGR/grey image; lines with axis-aligned boxes, in det order."""
    # RapidOCR keeps a call's use_det/use_cls/use_rec for the calls after it: one
    # recognition-only re-read (use_det=False) would make every later page skip detection.
    # Every call therefore states all three.
    kw.setdefault("use_det", True)
    kw.setdefault("use_rec", True)
    res = engine()(img, use_cls=use_cls, **kw)
    out: list[OcrLine] = []
    if res is None or getattr(res, "boxes", None) is None or res.txts is None:
        return out
    for quad, txt, score in zip(res.boxes, res.txts, res.scores):
        q = np.asarray(quad, dtype=float)
        text = str(txt).strip()
        if not text:
            continue
        out.append(OcrLine(text, (float(q[:, 0].min()), float(q[:, 1].min()),
                                  float(q[:, 0].max()), float(q[:, 1].max())), float(score),
                           float(np.degrees(np.arctan2(q[1, 1] - q[0, 1], q[1, 0] - q[0, 0])))))
    return out


def recognise(crop: np.ndarray) -> tuple[str, float]:
    """The text of a crop holding one line, and its score, by recognition alone (no detection);
    ("", 0.0) when nothing is read.  Every step is stated, as in `run_ocr`."""
    res = engine()(crop, use_det=False, use_cls=False, use_rec=True)
    txts = getattr(res, "txts", None) or ()
    scores = getattr(res, "scores", None) or ()
    return (str(txts[0]).strip(), float(scores[0])) if txts else ("", 0.0)
