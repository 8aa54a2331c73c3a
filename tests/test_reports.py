"""Figures, the explore page and the evaluation report, on synthetic data."""

import json

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from conftest import one_error_line, run, separable, tone, write
from voxemo.cli.main import main
from voxemo.evaluation import evaluate
from voxemo.reports import figures
from voxemo.reports.evaluation import most_confused, write_evaluation_report
from voxemo.reports.style import DPI, label_colors, save

LABELS = ["neutral", "angry", "sad"]


def saved_size(figure, tmp_path) -> tuple[int, int]:
    """Save as PNG; check it is not blank and has the figure's size in pixels."""
    width, height = figure.get_size_inches() * DPI
    path = save(figure, tmp_path / "figure.png")
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (round(height), round(width))
    assert image[..., :3].std() > 0.05  # something is drawn
    return image.shape[1], image.shape[0]


@pytest.fixture
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "label": np.repeat(LABELS, 10),
            "speaker": np.tile(["01", "02"], 15),
            "value": rng.normal(size=30),
        }
    )


def test_counts_figure(table, tmp_path):
    saved_size(figures.counts_figure(table, "label", LABELS), tmp_path)


def test_distribution_figure(table, tmp_path):
    fig = figures.distribution_figure(table["value"], table["label"], LABELS, "x (s)", "t")
    saved_size(fig, tmp_path)


def test_example_figure(tmp_path):
    samples = np.concatenate([tone(220.0, 1.0, 22050, amp=0.3, noise=0.01), np.zeros(5000)])
    saved_size(figures.example_figure(samples.astype(np.float32), 22050, "a tone"), tmp_path)


def test_emotion_spectrograms_figure(tmp_path):
    items = [(label, tone(200.0 * (i + 1), 0.8, 22050), 22050) for i, label in enumerate(LABELS)]
    saved_size(figures.emotion_spectrograms_figure(items, "three"), tmp_path)


def test_mean_spectrum_and_embedding_and_confusion_figures(table, tmp_path):
    spectra = {label: np.linspace(-20, -60, 40) + i for i, label in enumerate(LABELS)}
    saved_size(figures.mean_spectrum_figure(spectra, np.geomspace(50, 8000, 40)), tmp_path)
    points = np.random.default_rng(1).normal(size=(30, 2))
    fig = figures.embedding_figure(points, table["label"], LABELS, table["speaker"], "PCA")
    saved_size(fig, tmp_path)
    saved_size(figures.confusion_figure([[5, 1], [2, 7]], ["a", "b"], "c"), tmp_path)
    accuracy = pd.Series([0.5, 0.7], index=["01", "02"])
    saved_size(figures.accuracy_by_group_figure(accuracy, "speaker", "per speaker"), tmp_path)


def test_emotion_colours_are_fixed_and_distinct():
    colors = label_colors(["sad", "angry", "boredom", "anxiety"])
    assert colors["sad"] == label_colors(["sad"])["sad"]
    assert len(set(colors.values())) == 4


def test_report_contains_the_numbers_of_its_evaluation(tmp_path):
    result = evaluate(separable(), model_kind="logreg", protocol="loso", tune=False)
    result["config"] = {
        "corpus": ["csv=x.csv"],
        "n_files": 90,
        "features": "f",
        "model": "logreg",
        "protocol": "loso",
        "protocol_description": "leave one speaker out",
        "seeds": {"model": 42},
        "voxemo": "0",
        "git_commit": None,
    }
    page = write_evaluation_report([result], tmp_path / "report").read_text()
    assert f"{result['accuracy']:.3f} ± {result['accuracy_std']:.3f}" in page
    assert f"{result['uar']:.3f} ± {result['uar_std']:.3f}" in page
    for fold in result["folds"]:
        assert f"<td>{fold['accuracy']:.3f}</td>" in page
    for label, scores in result["per_class"].items():
        assert f"<td>{scores['recall']:.3f}</td>" in page and label in page
    wrong = [p for p in result["predictions"] if p["label"] != p["predicted"]]
    assert f"Misclassified recordings ({len(wrong)})" in page
    assert page.count("<audio") == min(len(wrong), 200)
    for true, predicted, count, _ in most_confused(result):
        assert (
            f'<td class="text">{true}</td><td class="text">{predicted}</td><td>{count}</td>' in page
        )
    assert (tmp_path / "report" / "track1-confusion.png").exists()
    saved = json.loads((tmp_path / "report" / "track1-evaluation.json").read_text())
    assert saved["accuracy"] == result["accuracy"]


def test_explore_and_report_commands(fake_ravdess, tmp_path, capsys):
    out = tmp_path / "explore"
    assert (
        main(
            [
                "explore",
                "--corpus",
                f"ravdess={fake_ravdess}",
                "--out",
                str(out),
                "--jobs",
                "1",
                "--svg",
            ]
        )
        == 0
    )
    page = (out / "index.html").read_text()
    for name in (
        "counts-label",
        "durations",
        "example",
        "emotions",
        "spectrum",
        "pitch",
        "energy",
        "map-pca",
        "map-tsne",
    ):
        assert (out / f"{name}.png").stat().st_size > 5000 and f'src="{name}.png"' in page
        assert (out / f"{name}.svg").exists()
    assert "32 recordings" in page and "speaker 02, statement 1" in page
    assert "nearest neighbours in these features" in page

    evaluation = tmp_path / "e.json"
    evaluate_args = ["evaluate", "--corpus", f"ravdess={fake_ravdess}", "--model", "logreg"]
    code, _, _ = run(
        [*evaluate_args, "--protocol", "loso", "--no-tune", "--json", evaluation], capsys
    )
    assert code == 0
    code, _, _ = run(["report", evaluation, evaluation, "--out", tmp_path / "r"], capsys)
    assert code == 0
    assert "track2-evaluation.json" in {p.name for p in (tmp_path / "r").iterdir()}
    code, _, err = run(["report", tmp_path / "nothing.json", "--out", tmp_path / "r"], capsys)
    assert code == 1 and "no such evaluation file" in one_error_line(err)


def test_explore_a_corpus_without_speakers(tmp_path):
    for i, label in enumerate(["happy", "sad"]):
        for j in range(3):
            write(tmp_path / "data" / label / f"{j}.wav", tone(200.0 + 90 * i + 10 * j, 1.0))
    out = tmp_path / "explore"
    assert (
        main(
            ["explore", "--corpus", f"folder={tmp_path / 'data'}", "--out", str(out), "--jobs", "1"]
        )
        == 0
    )
    page = (out / "index.html").read_text()
    assert "any recording" in page and "map-tsne.png" not in page  # too few for t-SNE


def test_the_map_caption_says_what_the_features_group_by_as_measured():
    import numpy as np
    import pandas as pd

    from voxemo.reports.explore import _neighbour_caption

    rng = np.random.default_rng(0)
    speakers = pd.Series(np.repeat(list("abcd"), 20))
    emotions = pd.Series(np.tile(["sad", "angry"], 40))
    by_speaker = rng.normal(size=(80, 3)) + 5 * pd.factorize(speakers)[0][:, None]
    by_emotion = rng.normal(size=(80, 3)) + 5 * pd.factorize(emotions)[0][:, None]
    assert "by speaker more" in _neighbour_caption(by_speaker, emotions, speakers)
    assert "by emotion more" in _neighbour_caption(by_emotion, emotions, speakers)


def test_a_call_report_lists_shares_events_and_the_card(tmp_path):
    from conftest import speech_like, write
    from voxemo.models import load_model
    from voxemo.models.catalog import resolve_model
    from voxemo.reports.call import write_call_report

    call = write(tmp_path / "call.wav", np.concatenate([speech_like(200, 8, 0.5)] * 2))
    page = write_call_report(
        load_model(resolve_model("fast")), call, tmp_path / "report", rules=["angry >= 0 for 2s"]
    )
    html = page.read_text()
    assert "Call report: call.wav" in html and 'src="timeline.png"' in html
    assert html.count("<audio") == 1 and 'src="../call.wav#t=' in html  # one episode, linked
    assert "angry &gt;= 0 for 2s" in html and "on unseen speakers" in html
