"""Audio input: decode any supported file once, to validated mono float32 samples."""

from voxemo.audio.decode import (
    MIN_DURATION_S,
    Audio,
    audio_from_array,
    decode_audio,
    load_audio,
    resample,
)

__all__ = ["MIN_DURATION_S", "Audio", "audio_from_array", "decode_audio", "load_audio", "resample"]
