import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import one_error_line, run, tone, train_model, write
from voxemo.cli.main import main

COMMANDS = ["predict", "train", "evaluate", "features"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: voxemo {command}" in text and "--jobs" in text


def test_features_writes_a_parquet_table(fake_ravdess, tmp_path, capsys):
    out = tmp_path / "f.parquet"
    code, _, err = run(
        [
            "features",
            "--corpus",
            f"ravdess={fake_ravdess}",
            "--features",
            "seed",
            "--out",
            out,
            "--jobs",
            "1",
        ],
        capsys,
    )
    assert code == 0, err
    frame = pd.read_parquet(out)
    assert len(frame) == 32 and frame.filter(like="seed_").shape[1] == 180
    assert {"path", "label", "speaker", "actor", "intensity"} <= set(frame.columns)


def test_evaluate_writes_the_evaluation_json_and_figure(fake_ravdess, tmp_path, capsys):
    out = tmp_path / "eval" / "result.json"
    code, stdout, err = run(
        [
            "evaluate",
            "--corpus",
            f"ravdess={fake_ravdess}",
            "--model",
            "logreg",
            "--protocol",
            "emobox",
            "--json",
            out,
        ],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out.read_text())
    for key in ("accuracy", "uar", "macro_f1", "labels", "confusion_matrix", "folds", "config"):
        assert key in result
    config = result["config"]
    assert config["protocol"] == "emobox" and config["model"] == "logreg"
    assert {"voxemo", "git_commit", "seeds", "feature_sets", "corpus"} <= set(config)
    # Actors 1-4 fall into four of the six EmoBox folds.
    assert [f["test_speakers"] for f in result["folds"]] == [["01"], ["04"], ["03"], ["02"]]
    assert (tmp_path / "eval" / "result-confusion.png").stat().st_size > 1000
    assert f"{result['accuracy']:.3f}" in stdout and "speaker-independent" in stdout


def test_evaluate_with_checkpoints_keeps_folds_and_reads_them_back(fake_ravdess, tmp_path, capsys):
    def evaluate(name):
        out = tmp_path / f"{name}.json"
        args = ["evaluate", "--corpus", f"ravdess={fake_ravdess}", "--model", "logreg"]
        code, _, err = run([*args, "--checkpoints", tmp_path / "folds", "--json", out], capsys)
        assert code == 0, err
        return json.loads(out.read_text())

    first = evaluate("first")
    assert len(list((tmp_path / "folds").glob("fold-*.json"))) == len(first["folds"]) == 4
    again = evaluate("again")
    assert again["folds"] == first["folds"] and again["predictions"] == first["predictions"]


def test_seed_protocol_prints_the_leak_warning(fake_ravdess, capsys):
    code, _, err = run(
        [
            "evaluate",
            "--corpus",
            f"ravdess={fake_ravdess}",
            "--model",
            "logreg",
            "--protocol",
            "seed",
        ],
        capsys,
    )
    assert code == 0 and "speakers leak" in err


def test_train_then_predict_good_and_bad_files(fake_ravdess, tmp_path, capsys):
    model = tmp_path / "model"
    code, _, err = run(
        [
            "train",
            "--corpus",
            f"ravdess={fake_ravdess}",
            "--model",
            "seed-mlp",
            "--out",
            model,
            "--protocol",
            "loso",
        ],
        capsys,
    )
    assert code == 0, err
    card = json.loads((model / "card.json").read_text())
    assert card["labels"] == ["angry", "neutral"] and card["n_features"] == 180
    assert card["scores"]["loso"]["folds"] == 4 and card["training"]["n_files"] == 32

    inputs = tmp_path / "inputs"
    write(inputs / "loud.wav", tone(330.0, 1.5, amp=0.5, noise=0.05))
    write(inputs / "quiet.flac", tone(140.0, 1.5, amp=0.1, noise=0.002), format="FLAC")
    (inputs / "text.wav").write_text("not audio at all")
    (inputs / "empty.wav").write_bytes(b"")
    write(inputs / "blip.wav", tone(300.0, 0.02))
    code, stdout, err = run(["predict", "--model", model, "--json", inputs], capsys)
    assert code == 1
    rows = {row["path"].rsplit("/", 1)[-1]: row for row in json.loads(stdout)}
    assert rows["loud.wav"]["label"] == "angry" and rows["quiet.flac"]["label"] == "neutral"
    assert sum(rows["loud.wav"]["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    assert "not a readable audio file" in rows["text.wav"]["error"]
    assert "empty file" in rows["empty.wav"]["error"]
    assert "too short" in rows["blip.wav"]["error"]
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 3 and "Traceback" not in err

    code, stdout, _ = run(["predict", "--model", model, inputs / "loud.wav"], capsys)
    assert code == 0 and "angry" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["evaluate", "--corpus", "nosuch=/x", "--model", "svm", "--protocol", "loso"],
            "unknown corpus 'nosuch'",
        ),
        (
            ["features", "--corpus", "ravdess=/does/not/exist", "--out", "x.parquet"],
            "does not exist",
        ),
        (["predict", "x.wav"], "x.wav: no such file"),  # the bundled model is used
        (["predict", "--model", "/does/not/exist", "x.wav"], "no such model folder"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(args, message, capsys):
    code, _, err = run(args, capsys)
    assert code == 1 and message in one_error_line(err)


def test_loso_on_a_corpus_without_speakers_is_refused(tmp_path, capsys):
    for label in ("happy", "sad"):
        write(tmp_path / label / "a.wav", tone())
    code, _, err = run(
        ["evaluate", "--corpus", f"folder={tmp_path}", "--model", "logreg", "--protocol", "loso"],
        capsys,
    )
    assert code == 1 and "needs a speaker" in one_error_line(err)


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "voxemo", "predict", "x.wav"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: x.wav: no such file")
    assert "Traceback" not in result.stderr


def test_train_refuses_a_kind_that_cannot_be_saved_safely(fake_ravdess, tmp_path, capsys):
    args = ["train", "--corpus", f"ravdess={fake_ravdess}", "--model", "hgb", "--out"]
    code, _, err = run([*args, tmp_path / "m"], capsys)
    assert code == 1 and "cannot be converted to ONNX" in one_error_line(err)
    assert not (tmp_path / "m").exists()


def test_train_records_an_earlier_evaluation_only_of_the_same_recipe(
    fake_ravdess, tmp_path, capsys
):
    scores = tmp_path / "eval.json"
    common = ["--corpus", f"ravdess={fake_ravdess}", "--features", "seed", "--jobs", "1"]
    model = [*common, "--model", "logreg", "--no-tune"]
    code, _, err = run(["evaluate", *model, "--protocol", "loso", "--json", scores], capsys)
    assert code == 0, err
    code, _, err = run(["train", *model, "--scores", scores, "--out", tmp_path / "a"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "a" / "card.json").read_text())["scores"]["loso"]["folds"] == 4
    changes = (
        (["--seed", "7"], "its seed (42)"),
        (["--augment"], "augment"),
        (["--select", "20"], "feature selection"),
        (["--features", "spectral"], "evaluates logreg on seed, not logreg on spectral"),
        (["--model", "svm"], "not svm on seed"),
    )
    for extra, why in changes:
        code, _, err = run(
            ["train", *model, *extra, "--scores", scores, "--out", tmp_path / "b"], capsys
        )
        assert code == 1 and why in one_error_line(err)
    tuned = [arg for arg in model if arg != "--no-tune"]
    code, _, err = run(["train", *tuned, "--scores", scores, "--out", tmp_path / "c"], capsys)
    assert code == 1 and "hyper-parameter search" in one_error_line(err)


def test_a_typo_is_one_line_naming_the_closest_choice(capsys):
    from voxemo.cli.main import main

    with pytest.raises(SystemExit) as info:
        main(["evaluate", "--corpus", "ravdess=x", "--model", "logrg"])
    assert info.value.code == 2
    line = one_error_line(capsys.readouterr().err)
    assert "did you mean logreg?" in line and "usage" not in line


def test_outputs_are_checked_before_the_work(fake_ravdess, tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    corpus = ["--corpus", f"ravdess={fake_ravdess}", "--model", "logreg", "--protocol", "loso"]
    for extra in (["--json", blocker / "x.json"], ["--report", blocker]):
        code, _, err = run(["evaluate", *corpus, *extra], capsys)
        assert code == 1 and str(blocker) in one_error_line(err)
        assert "features" not in err  # refused before any extraction
    model = tmp_path / "model"
    model.mkdir()
    (model / "card.json").write_text("{}")  # an older model
    (model / "old.txt").write_text("x")
    args = ["train", "--corpus", f"ravdess={fake_ravdess}", "--model", "logreg", "--no-tune"]
    code, _, err = run([*args, "--out", model], capsys)
    assert code == 1 and "--force" in one_error_line(err)
    code, _, err = run([*args, "--out", model, "--force"], capsys)
    assert code == 0, err
    assert (model / "card.json").exists() and not (model / "old.txt").exists()


def test_a_closed_pipe_ends_quietly(fake_ravdess, tmp_path):
    model = train_model(fake_ravdess, tmp_path / "model", "spectral")
    # 'true' reads nothing and is gone before the first line is written.
    command = f"{sys.executable} -m voxemo predict --model {model} {fake_ravdess} | true"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120
    )
    assert "Error" not in done.stderr and "error" not in done.stderr, done.stderr


def test_a_file_named_twice_is_predicted_once(fake_ravdess, tmp_path, capsys):
    model = train_model(fake_ravdess, tmp_path / "model", "spectral")
    one = sorted(fake_ravdess.rglob("*.wav"))[0]
    code, out, err = run(["predict", "--model", model, "--json", one, one.parent], capsys)
    assert code == 0, err
    paths = [row["path"] for row in json.loads(out)]
    assert len(paths) == len(set(paths)) == len(list(one.parent.glob("*.wav")))


def test_predict_json_has_durations_and_csv_one_row_per_file(fake_ravdess, tmp_path, capsys):
    import csv

    model = train_model(fake_ravdess, tmp_path / "model", "spectral")
    files = sorted(fake_ravdess.rglob("*.wav"))[:3]
    out = tmp_path / "predictions.csv"
    missing = tmp_path / "gone.wav"
    code, stdout, _ = run(
        ["predict", "--model", model, "--json", "--csv", out, *files, missing], capsys
    )
    assert code == 1
    rows = json.loads(stdout)
    assert [r["duration"] for r in rows[:3]] == [1.2, 1.2, 1.2]
    assert list(rows[0]["probabilities"]) == ["neutral", "angry"]  # display order
    table = list(csv.DictReader(out.open()))
    assert len(table) == 4 and table[3]["error"] and not table[0]["error"]
    assert float(table[0]["neutral"]) + float(table[0]["angry"]) == pytest.approx(1, abs=1e-4)


def test_long_work_reports_progress_lines_off_a_terminal(monkeypatch, capsys):
    from voxemo.cli import console

    clock = {"now": 0.0}
    monkeypatch.setattr(console.time, "monotonic", lambda: clock["now"])
    with console.progress_bar("features spectral", 100) as advance:
        for _ in range(100):
            clock["now"] += 0.5  # 50 s in all
            advance(1)
    lines = [line for line in capsys.readouterr().err.splitlines() if "features spectral" in line]
    assert len(lines) == 4 and lines[0] == "features spectral: 20 of 100 (10 s)"


def test_force_replaces_only_a_model_folder_and_only_after_training(fake_ravdess, tmp_path, capsys):
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text("keep me")
    args = ["train", "--corpus", f"ravdess={fake_ravdess}", "--model", "logreg", "--no-tune"]
    code, _, err = run([*args, "--out", project, "--force"], capsys)
    assert code == 1 and "not a voxemo model" in one_error_line(err)
    assert (project / "notes.txt").exists()


def test_a_protocol_the_corpus_cannot_have_fails_before_any_feature(tmp_path, capsys):
    folder = tmp_path / "folder"
    for label in ("calm", "angry"):
        write(folder / label / "a.wav", tone(200.0 if label == "calm" else 400.0, 1.0))
    code, _, err = run(["evaluate", "--corpus", f"folder={folder}", "--model", "logreg"], capsys)
    assert code == 1 and "needs a speaker" in one_error_line(err)
    assert "features" not in err.lower().split("error")[0]


@pytest.mark.parametrize(
    ("labels", "command", "message"),
    [
        (["sad", "sad", "sad"], "evaluate", "the corpus: a model needs files of at least two"),
        (["sad", "angry"], "evaluate", "random 80/20 of protocol 'seed': a model needs"),
        (["sad", "sad", "sad"], "train", "training data: a model needs files of at least two"),
    ],
)
def test_data_of_one_emotion_is_refused_naming_what_lacks_a_second(
    tmp_path, capsys, labels, command, message
):
    for index in range(len(labels)):
        write(tmp_path / f"{index}.wav", tone(200.0 + 40 * index, 1.0))
    table = pd.DataFrame(
        {"path": [f"{i}.wav" for i in range(len(labels))], "label": labels, "speaker": "s1"}
    )
    table.to_csv(tmp_path / "list.csv", index=False)
    args = [command, "--corpus", f"csv={tmp_path / 'list.csv'}", "--features", "spectral"]
    args += ["--model", "logreg", "--no-tune"]
    args += ["--out", tmp_path / "model"] if command == "train" else ["--protocol", "seed"]
    code, _, err = run(args, capsys)
    assert code == 1 and message in one_error_line(err)
