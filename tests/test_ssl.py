"""ssl:<model id>@<revision> and ssl:<folder> features, with tiny random encoders (no download)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_error_line, run, tone
from voxemo.audio import audio_from_array
from voxemo.errors import VoxemoError
from voxemo.features import compute_features, parse_feature_spec


def _tiny_wav2vec2(transformers, folder):
    config = transformers.Wav2Vec2Config(
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(8, 8),
        conv_kernel=(10, 3),
        conv_stride=(5, 2),
        num_conv_pos_embeddings=4,
        num_conv_pos_embedding_groups=2,
    )
    transformers.Wav2Vec2Model(config).save_pretrained(folder)
    transformers.Wav2Vec2FeatureExtractor(return_attention_mask=True).save_pretrained(folder)


def _tiny_whisper(transformers, folder):
    config = transformers.WhisperConfig(
        d_model=16,
        encoder_layers=2,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        vocab_size=64,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=1,
    )
    transformers.WhisperModel(config).save_pretrained(folder)
    transformers.WhisperFeatureExtractor().save_pretrained(folder)


@pytest.fixture(params=[_tiny_wav2vec2, _tiny_whisper], ids=["wav2vec2", "whisper"])
def tiny_encoder(request, tmp_path):
    """A randomly initialized encoder saved as a local model folder (the id is its path)."""
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = tmp_path / request.param.__name__.strip("_")
    request.param(transformers, folder)
    return folder


def test_pools_every_layer_of_the_encoder(tiny_encoder):
    (features,) = parse_feature_spec(f"ssl:{tiny_encoder}")
    names = features.names()
    assert len(names) == 3 * 2 * 16  # (2 layers + embeddings) x (mean, std) x 16 units
    low = compute_features(audio_from_array(tone(150, 1.0), 16000), features)
    high = compute_features(audio_from_array(tone(900, 1.0, amp=0.6), 16000), features)
    assert low.shape == (len(names),) and np.isfinite(low).all()
    assert not np.allclose(low, high)
    # 22.05 kHz input is resampled to the encoder's 16 kHz first.
    resampled = compute_features(audio_from_array(tone(150, 1.0, sr=22050), 22050), features)
    assert np.allclose(resampled, low, atol=0.05)


def test_evaluates_a_classic_model_on_ssl_features(tiny_encoder, fake_ravdess, capsys):
    code, out, err = run(
        [
            "evaluate",
            "--corpus",
            f"ravdess={fake_ravdess}",
            "--features",
            f"ssl:{tiny_encoder}",
            "--model",
            "logreg",
            "--protocol",
            "loso",
            "--no-tune",
            "--jobs",
            "1",
        ],
        capsys,
    )
    assert code == 0, err
    assert "accuracy" in out


@pytest.mark.parametrize(
    ("encoder", "message"),
    [
        ("{tmp}/no-such-encoder", "no such encoder folder"),
        ("nobody/no-such-encoder", "pin the encoder to a revision"),
        ("nobody/no-such-encoder@main", "not a branch"),
        ("nobody/no-such-encoder@0123456789abcdef", "Hugging Face Hub"),
        ("{tmp}/pickled", "model.safetensors"),
    ],
)
def test_an_encoder_that_cannot_be_used_is_one_clear_error(
    fake_ravdess, capsys, tmp_path, monkeypatch, encoder, message
):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    _tiny_wav2vec2(transformers, tmp_path / "pickled")
    weights = transformers.Wav2Vec2Model.from_pretrained(tmp_path / "pickled").state_dict()
    (tmp_path / "pickled" / "model.safetensors").unlink()  # the weights as a pickle only
    torch.save(weights, tmp_path / "pickled" / "pytorch_model.bin")
    features = f"ssl:{encoder.format(tmp=tmp_path)}"
    args = ["evaluate", "--corpus", f"ravdess={fake_ravdess}", "--features", features]
    code, _, err = run([*args, "--model", "logreg", "--protocol", "loso"], capsys)
    assert code == 1 and message in one_error_line(err)


def test_ssl_needs_a_model_id():
    with pytest.raises(VoxemoError, match="ssl:<model id>"):
        parse_feature_spec("ssl")
    with pytest.raises(VoxemoError, match="takes no argument"):
        parse_feature_spec("spectral:x")
