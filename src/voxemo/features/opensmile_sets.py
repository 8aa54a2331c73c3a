"""``egemaps`` and ``compare``: openSMILE's standard functionals via the opensmile package.

eGeMAPSv02 (88 values, the Geneva minimalistic acoustic parameter set) and ComParE_2016
(6373 values, the INTERSPEECH computational paralinguistics challenge set), at 16 kHz.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
import opensmile

from voxemo.audio import Audio
from voxemo.features.base import FeatureSet, register

_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _smile(feature_set: str) -> opensmile.Smile:
    """One extractor per process: building it parses the openSMILE configuration."""
    return opensmile.Smile(
        feature_set=opensmile.FeatureSet[feature_set],
        feature_level=opensmile.FeatureLevel.Functionals,
    )


class OpenSmileFeatures(FeatureSet):
    version = 1
    sample_rate = 16000
    smile_set: str

    def params(self) -> dict:
        return {"opensmile_set": self.smile_set, "opensmile": opensmile.__version__}

    def names(self) -> list[str]:
        return [f"{self.name}_{name}" for name in _smile(self.smile_set).feature_names]

    def compute(self, audio: Audio) -> np.ndarray:
        # One extractor object is shared per process; calls from several threads take turns.
        with _LOCK:
            frame = _smile(self.smile_set).process_signal(audio.samples, self.sample_rate)
        return frame.to_numpy(dtype=np.float32).ravel()


@register("egemaps")
class EgemapsFeatures(OpenSmileFeatures):
    """``egemaps``: openSMILE's eGeMAPSv02 functionals (needs ``voxemo[accurate]``;
    openSMILE's licence forbids commercial use).

    Examples
    --------
    >>> from voxemo.audio import load_audio
    >>> from voxemo.features import compute_features, parse_feature_spec
    >>> (features,) = parse_feature_spec("egemaps")
    >>> compute_features(load_audio("examples/speech.wav"), features).shape
    (88,)
    >>> features.names()[:2]
    ['egemaps_F0semitoneFrom27.5Hz_sma3nz_amean', 'egemaps_F0semitoneFrom27.5Hz_sma3nz_stddevNorm']
    """

    smile_set = "eGeMAPSv02"


@register("compare")
class CompareFeatures(OpenSmileFeatures):
    """``compare``: openSMILE's ComParE_2016 functionals (needs ``voxemo[accurate]``;
    openSMILE's licence forbids commercial use).

    Examples
    --------
    >>> from voxemo.audio import load_audio
    >>> from voxemo.features import compute_features, parse_feature_spec
    >>> (features,) = parse_feature_spec("compare")
    >>> compute_features(load_audio("examples/speech.wav"), features).shape
    (6373,)
    >>> features.names()[:2]
    ['compare_audspec_lengthL1norm_sma_range', 'compare_audspec_lengthL1norm_sma_maxPos']
    """

    smile_set = "ComParE_2016"
