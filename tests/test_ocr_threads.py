"""An OCR process uses the threads the settings give it (issue 14: two processes on one machine
must not each take every core)."""
from __future__ import annotations

import numpy as np
import pytest

from workers.extract.ocr_engine import engine_params


def test_no_setting_leaves_the_librarys_default() -> None:
    assert "EngineConfig.onnxruntime.intra_op_num_threads" not in engine_params(0)


@pytest.mark.slow
def test_onnxruntime_sessions_run_on_the_set_threads() -> None:
    """GIVEN DOSSIER_OCR_THREADS=2 WHEN the engine reads a page THEN each onnxruntime session
    of it was made with 2 intra-op threads and 1 inter-op thread."""
    from rapidocr import RapidOCR
    ocr = RapidOCR(params=engine_params(2))
    ocr(np.full((64, 200, 3), 255, np.uint8))       # the models load on first use
    options = ocr.text_det.session.session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (2, 1)
