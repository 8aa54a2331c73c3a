"""voxemo batch on a local Dask cluster of 2 workers, with synthetic audio: the same answers
as voxemo predict, error rows, resumption, manifests, and each input exactly once after a
worker or the client dies."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest

pytest.importorskip("distributed", reason="voxemo batch needs the batch extra")
import pyarrow.parquet as pq
from distributed import Client, LocalCluster

from conftest import run, speech_like, write
from voxemo.batch.run import BatchProgress, SeenPaths, partitions, run_batch


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


@pytest.fixture
def recordings(tmp_path):
    folder = tmp_path / "calls"
    for index in range(10):
        write(folder / f"call{index:02d}.wav", speech_like(140 + 25 * index, 1.5, 0.3, seed=index))
    (folder / "broken.wav").write_bytes(b"RIFF, but nothing else")
    return folder


def results(out) -> list[dict]:
    return pq.read_table(out / "predictions").to_pylist()


def test_results_match_predict_json_and_bad_files_become_error_rows(
    cluster, recordings, tmp_path, capsys
):
    out = tmp_path / "results"
    state = run_batch(
        [str(recordings)], out, model="fast", scheduler=cluster.scheduler_address, partition_size=3
    )
    rows = {row["path"]: row for row in results(out)}
    assert state.files == len(rows) == 11 and state.errors == 1
    _, printed, _ = run(["predict", "--model", "fast", "--json", recordings], capsys)
    for expected in json.loads(printed):
        row = rows[expected["path"]]
        if "error" in expected:
            assert row["error"] == expected["error"] and row["label"] is None
            continue
        assert row["error"] is None and row["label"] == expected["label"]
        assert row["duration"] == pytest.approx(expected["duration"])
        for label, p in expected["probabilities"].items():
            # JSON rounds to 6 decimals; one thread and several may differ in the last bits.
            assert row[f"p_{label}"] == pytest.approx(p, abs=2e-6)
        assert row["size"] == os.path.getsize(row["path"]) and len(row["digest"]) == 64
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["partitions"]) == 4 and manifest["runs"][-1]["finished"]


def test_a_second_run_does_nothing_and_a_new_file_is_all_it_adds(cluster, recordings, tmp_path):
    out = tmp_path / "results"
    run_batch([str(recordings)], out, model="fast", scheduler=cluster.scheduler_address)
    again = run_batch([str(recordings)], out, model="fast", scheduler=cluster.scheduler_address)
    assert (again.files, again.skipped) == (0, 11)
    write(recordings / "late.wav", speech_like(300, 1.5, 0.3))
    later = run_batch([str(recordings)], out, model="fast", scheduler=cluster.scheduler_address)
    assert later.files == 1
    paths = [row["path"] for row in results(out)]
    assert len(paths) == len(set(paths)) == 12


def test_a_manifest_keeps_its_other_columns(cluster, recordings, tmp_path):
    manifest = tmp_path / "calls.csv"
    lines = ["path,agent,queue"] + [f"calls/call{i:02d}.wav,agent{i % 3},{i}" for i in range(4)]
    manifest.write_text("\n".join(lines) + "\n")
    out = tmp_path / "results"
    run_batch([str(manifest)], out, model="fast", scheduler=cluster.scheduler_address)
    rows = sorted(results(out), key=lambda row: row["path"])
    assert [(row["agent"], row["queue"]) for row in rows] == [
        (f"agent{i % 3}", i) for i in range(4)
    ]
    assert all(row["path"].startswith(str(tmp_path)) and row["error"] is None for row in rows)


def test_timelines_give_segments_and_a_summary_per_recording(cluster, tmp_path):
    call = write(
        tmp_path / "in" / "long.wav",
        np.concatenate([speech_like(200, 4, 0.4), np.zeros(16000), speech_like(320, 4, 0.5)]),
    )
    out = tmp_path / "results"
    run_batch(
        [str(call.parent)], out, model="fast", timeline=True, scheduler=cluster.scheduler_address
    )
    (summary,) = pq.read_table(out / "summaries").to_pylist()
    segments = pq.read_table(out / "segments").to_pylist()
    assert segments and all(s["path"] == str(call) for s in segments)
    shares = [value for key, value in summary.items() if key.startswith("share_")]
    assert sum(shares) == pytest.approx(1.0, abs=1e-3) and summary["negative_peaks"]


def test_inputs_through_fsspec_memory_filesystem(tmp_path):
    import fsspec

    memory = fsspec.filesystem("memory")
    for index in range(3):
        with memory.open(f"/bucket/clip{index}.wav", "wb") as handle:
            import soundfile as sf

            sf.write(handle, speech_like(180 + 40 * index, 1.2, 0.3), 16000, format="WAV")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as local:
        run_batch(
            ["memory://bucket"],
            tmp_path / "results",
            model="fast",
            scheduler=local.scheduler_address,
        )
    rows = results(tmp_path / "results")
    assert sorted(row["path"] for row in rows) == [f"memory://bucket/clip{i}.wav" for i in range(3)]
    assert all(row["error"] is None for row in rows)


def test_a_worker_killed_mid_run_and_a_rerun_leave_every_input_exactly_once(recordings, tmp_path):
    out = tmp_path / "results"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        with Client(local) as client:
            pids = list(client.run(os.getpid).values())
        killed = []

        def kill_one(state) -> None:
            if not killed:  # after the first partition: a worker dies with work in flight
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        run_batch(
            [str(recordings)],
            out,
            model="fast",
            scheduler=local.scheduler_address,
            partition_size=2,
            progress=kill_one,
        )
        assert killed
        run_batch([str(recordings)], out, model="fast", scheduler=local.scheduler_address)
    paths = [row["path"] for row in results(out)]
    assert sorted(paths) == sorted(str(p) for p in recordings.iterdir())


def test_a_client_stopped_mid_run_loses_only_partitions_in_flight(cluster, recordings, tmp_path):
    out = tmp_path / "results"

    def stop(state) -> None:
        if state.partitions == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(
            [str(recordings)],
            out,
            model="fast",
            scheduler=cluster.scheduler_address,
            partition_size=2,
            progress=stop,
        )
    assert len(results(out)) == 4
    assert not json.loads((out / "manifest.json").read_text())["runs"][-1]["finished"]
    resumed = run_batch([str(recordings)], out, model="fast", scheduler=cluster.scheduler_address)
    assert resumed.skipped == 4
    paths = [row["path"] for row in results(out)]
    assert len(paths) == len(set(paths)) == 11


def test_a_touched_file_is_skipped_and_a_changed_one_replaces_its_row(
    cluster, recordings, tmp_path
):
    out = tmp_path / "results"
    run_batch([str(recordings)], out, model="fast", scheduler=cluster.scheduler_address)
    touched, changed = recordings / "call01.wav", recordings / "call02.wav"
    os.utime(touched, (1e9, 1e9))  # a new modification time, the same content
    write(changed, speech_like(400, 2.0, 0.4))
    before = {row["path"]: row for row in results(out)}
    again = run_batch([str(recordings)], out, model="fast", scheduler=cluster.scheduler_address)
    assert again.files == 1 and again.skipped == 10
    after = {row["path"]: row for row in results(out)}
    assert len(results(out)) == len(after) == 11  # still one row per input
    assert after[str(changed)]["digest"] != before[str(changed)]["digest"]
    assert after[str(touched)]["digest"] == before[str(touched)]["digest"]


def test_each_input_is_given_once_across_many_partitions_and_merges():
    # Past SeenPaths.MERGE_EVERY, paths are looked up in the merged array as well.
    paths = [f"/calls/{index:06d}.wav" for index in range(3 * SeenPaths.MERGE_EVERY)]
    records = [{"path": path} for path in paths + paths[::7] + paths[-5:]]
    state = BatchProgress()
    given = [r["path"] for part in partitions(records, {}, 1000, state) for r in part]
    assert given == paths and state.skipped == len(paths[::7]) + 5
