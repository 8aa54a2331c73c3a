"""``ssl:<model id>@<revision>``: pooled hidden states of a self-supervised speech encoder.

Any Hugging Face ``transformers`` speech encoder works (WavLM, wav2vec 2.0, HuBERT, or the
encoder of Whisper): the model is downloaded from the Hub on first use at the revision the id
pins (``ssl:ID@COMMIT``), or read from a local folder given as the id, its weights from
safetensors only; it runs on the recording at 16 kHz, and the hidden states of every
layer are pooled over time into their mean and standard deviation, so the classic models of
the leaderboard can be trained on top. Needs ``voxemo[ssl]`` (transformers and torch).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from threading import Lock

import numpy as np

from voxemo.audio import Audio
from voxemo.errors import VoxemoError
from voxemo.features.base import FeatureSet, register

WHISPER_HOP = 320  # input samples per encoder frame (10 ms mel hop, stride-2 convolution)
_LOCK = Lock()  # one encoder call at a time per process: torch already uses the cores


@register("ssl")
class SelfSupervisedFeatures(FeatureSet):
    """``ssl:<model id>@<revision>`` or ``ssl:<folder>``: every layer of a speech encoder,
    pooled over time into its mean and standard deviation (needs ``voxemo[ssl]``).

    Examples
    --------
    >>> import tempfile, transformers
    >>> from voxemo.audio import load_audio
    >>> from voxemo.features import compute_features, parse_feature_spec
    >>> folder = tempfile.mkdtemp()  # a tiny random wav2vec 2.0 encoder, saved locally
    >>> config = transformers.Wav2Vec2Config(
    ...     hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16,
    ...     conv_dim=(8,), conv_kernel=(10,), conv_stride=(5,), num_conv_pos_embeddings=4,
    ...     num_conv_pos_embedding_groups=2)
    >>> transformers.Wav2Vec2Model(config).save_pretrained(folder)
    >>> _ = transformers.Wav2Vec2FeatureExtractor().save_pretrained(folder)
    >>> (features,) = parse_feature_spec(f"ssl:{folder}")
    >>> compute_features(load_audio("examples/speech.wav"), features).shape  # 2 layers x 2 x 8
    (32,)
    """

    version = 1
    sample_rate = 16000

    def __init__(self, model_id: str) -> None:
        self.model_id, self.revision = pinned_encoder(model_id)
        self.name = f"ssl:{model_id}"

    def params(self) -> dict:
        pinned = {"revision": self.revision} if self.revision else {}
        return {"model": self.model_id, **pinned, "pooling": "mean+std per layer"}

    @cached_property
    def _config(self):
        transformers = _transformers(self.model_id)
        try:
            return transformers.AutoConfig.from_pretrained(self.model_id, revision=self.revision)
        except (OSError, ValueError) as exc:
            raise _unavailable(self.model_id, exc) from None

    @cached_property
    def _encoder(self):
        transformers = _transformers(self.model_id)
        try:
            extractor = transformers.AutoFeatureExtractor.from_pretrained(
                self.model_id, revision=self.revision
            )
            model = transformers.AutoModel.from_pretrained(
                self.model_id, revision=self.revision, use_safetensors=True
            )
        except (OSError, ValueError) as exc:
            raise _unavailable(self.model_id, exc) from None
        if getattr(model.config, "is_encoder_decoder", False):  # Whisper: the encoder alone
            model = model.get_encoder()
        return extractor, model.eval()

    def names(self) -> list[str]:
        config = getattr(self._config, "text_config", None) or self._config
        layers = (
            config.num_hidden_layers
            if hasattr(config, "num_hidden_layers")
            else (config.encoder_layers)
        )
        size = config.hidden_size if hasattr(config, "hidden_size") else config.d_model
        return [
            f"ssl_layer{layer}_{stat}{unit}"
            for layer in range(layers + 1)
            for stat in ("mean", "std")
            for unit in range(size)
        ]

    def compute(self, audio: Audio) -> np.ndarray:
        import torch

        extractor, model = self._encoder
        inputs = extractor(audio.samples, sampling_rate=self.sample_rate, return_tensors="pt")
        with _LOCK, torch.no_grad():
            states = model(**inputs, output_hidden_states=True).hidden_states
        if "input_features" in inputs:  # Whisper pads to 30 s: pool over the audio only
            frames = max(1, int(np.ceil(len(audio.samples) / WHISPER_HOP)))
            states = [state[:, :frames] for state in states]
        pooled = [
            torch.cat([state[0].mean(dim=0), state[0].std(dim=0, unbiased=False)])
            for state in states
        ]
        return torch.cat(pooled).numpy().astype(np.float32)


def pinned_encoder(spec: str) -> tuple[str, str | None]:
    """The encoder's id and revision from ``ID@REVISION`` (a Hub encoder) or a local folder.

    A Hub encoder must name its revision (a commit), so that the features it gives cannot
    change under a trained model; a local folder is what it is and takes none. Weights load
    from safetensors only, never from a pickle.

    Examples
    --------
    >>> pinned_encoder("someone/encoder@0123abc")
    ('someone/encoder', '0123abc')
    >>> pinned_encoder("microsoft/wavlm-base-plus")
    Traceback (most recent call last):
    ...
    voxemo.errors.VoxemoError: ssl:microsoft/wavlm-base-plus: pin the encoder to a revision \
(ssl:microsoft/wavlm-base-plus@COMMIT, the commit hash from its Hub page, not a branch), so \
that its features cannot change under a trained model; or give a local folder
    """
    model_id, revision = spec, None
    if "@" in spec and not Path(spec).expanduser().exists():
        model_id, revision = spec.rsplit("@", 1)
    folder = Path(model_id).expanduser()
    if model_id.startswith(("/", ".", "~")) or folder.is_dir():
        if not folder.is_dir():
            raise VoxemoError(f"ssl:{spec}: no such encoder folder")
        if revision:
            raise VoxemoError(f"ssl:{spec}: a local encoder folder takes no @revision")
        return str(folder), None
    if not revision or not re.fullmatch(r"[0-9a-f]{7,40}", revision):
        raise VoxemoError(
            f"ssl:{spec}: pin the encoder to a revision (ssl:{model_id}@COMMIT, the commit "
            "hash from its Hub page, not a branch), so that its features cannot change under "
            "a trained model; or give a local folder"
        )
    return model_id, revision


def _transformers(model_id: str):
    try:
        import transformers
    except ImportError:
        raise VoxemoError(
            f"ssl:{model_id}: needs the transformers library: pip install 'voxemo[ssl]'"
        ) from None
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    return transformers


def _unavailable(model_id: str, exc: Exception) -> VoxemoError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if Path(model_id).is_dir():
        return VoxemoError(
            f"ssl:{model_id}: cannot load the encoder folder ({reason}); it needs the files "
            "save_pretrained writes, with the weights as model.safetensors"
        )
    return VoxemoError(
        f"ssl:{model_id}: cannot load the encoder ({reason}); it is downloaded from the "
        "Hugging Face Hub on first use, which needs internet access (or HF_HOME pointing at a "
        "cache that holds it, or a local folder)"
    )
