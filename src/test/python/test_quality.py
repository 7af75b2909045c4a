"""The quality harness's pieces: the known-dictionary generator, the recovery metrics, the text
corpus split and the driver's parsing and comparisons, plus one tiny end-to-end fit."""

import gzip

import numpy as np
import pytest

from topksae.quality import corpus, harness, metrics, sets, synthetic


def test_known_dictionary_rows_are_sparse_nonnegative_sums_of_unit_atoms():
    kd = synthetic.known_dictionary(
        dim=64, n_atoms=32, mean_active=4, n_train=3000, n_heldout=500, noise=0.0, seed=3
    )
    assert (
        kd.atoms.shape == (32, 64)
        and kd.train.shape == (3000, 64)
        and kd.heldout.shape == (500, 64)
    )
    np.testing.assert_allclose(np.linalg.norm(kd.atoms, axis=1), 1.0, rtol=1e-5)
    # fewer atoms than dimensions and no noise: least squares finds each row's exact coefficients
    coef, *_ = np.linalg.lstsq(kd.atoms.T, kd.train[:200].T, rcond=None)
    active = (np.abs(coef) > 1e-3).sum(axis=0)
    assert active.max() <= 2 * 4 - 1 and active.min() >= 1
    assert abs(active.mean() - 4) < 0.6
    assert coef.min() > -1e-3  # non-negative coefficients


def test_known_dictionary_is_seeded_and_frequencies_follow_the_power_law():
    a = synthetic.known_dictionary(16, 32, 2, 200, 50, seed=5)
    b = synthetic.known_dictionary(16, 32, 2, 200, 50, seed=5)
    c = synthetic.known_dictionary(16, 32, 2, 200, 50, seed=6)
    np.testing.assert_array_equal(a.train, b.train)
    assert not np.array_equal(a.train, c.train)
    f = synthetic.atom_frequencies(100, 0.8)
    assert abs(f.sum() - 1) < 1e-12 and np.all(np.diff(f) < 0)
    assert f[0] / f[9] == pytest.approx(10**0.8)


def test_noise_sets_the_fvu_floor():
    kd = synthetic.known_dictionary(64, 128, 4, 4000, 10, noise=0.1, seed=1)
    clean = synthetic.known_dictionary(64, 128, 4, 4000, 10, noise=0.0, seed=1)
    floor = metrics.fvu(kd.train, clean.train)
    assert 0.003 < floor < 0.03


def test_recovery_of_the_true_dictionary_and_of_noise():
    rng = np.random.default_rng(0)
    atoms = synthetic.unit_atoms(50, 24, rng)
    shuffled = 3.0 * atoms[rng.permutation(50)]  # row order and scale do not matter
    assert metrics.recovery(atoms, shuffled) == {"mmcs": pytest.approx(1.0), "recovered": 1.0}
    half = np.concatenate([atoms[:25], synthetic.unit_atoms(25, 24, rng)])
    r = metrics.recovery(atoms, half)
    assert r["recovered"] == pytest.approx(0.5, abs=0.04)
    assert 0.5 < r["mmcs"] < 0.8


def test_fvu_is_centred_on_the_rows_mean():
    x = np.array([[1.0, 10.0], [3.0, 14.0]])
    assert metrics.fvu(x, x) == 0.0
    assert metrics.fvu(x, np.tile(x.mean(axis=0), (2, 1))) == pytest.approx(1.0)


def test_rst_paragraphs_keep_prose_only():
    text = (
        "Title\n=====\n\nThis is prose that goes\non two lines.\n\n::\n\n    code block\n\n"
        ".. note:: directive\n\n+---+\n| t |\n\nMore prose here.\n"
    )
    assert list(corpus.rst_paragraphs(text)) == [
        "This is prose that goes on two lines.",
        "More prose here.",
    ]


def test_corpus_splits_by_source_document(tmp_path):
    fortunes = tmp_path / "fortunes"
    fortunes.mkdir()
    cookies = ["cookie number %d says hello" % i for i in range(300)]
    (fortunes / "wisdom").write_text("\n%\n".join(cookies) + "\n")
    (fortunes / "wisdom.dat").write_bytes(b"\x00index")
    docs = tmp_path / "linux-doc-9.9" / "Documentation"
    docs.mkdir(parents=True)
    for i in range(40):
        words = " ".join("w%d" % j for j in range(250))
        with gzip.open(docs / ("f%d.rst.gz" % i), "wt") as f:
            f.write("Head\n====\n\n%s\n" % words)
    train, held, words = corpus.write_corpus(
        str(tmp_path / "out"),
        10**6,
        str(fortunes),
        str(tmp_path / "linux-doc-*" / "Documentation"),
        0,
    )
    train_lines = open(train).read().split("\n")
    held_lines = open(held).read().split("\n")
    assert words == 300 * 5 + 40 * 250
    held_cookies = [ln for ln in held_lines if ln.startswith("cookie")]
    assert 10 < len(held_cookies) < 60  # about one in ten
    # a kernel file's 3 pieces (96 + 96 + 58 words) are all on one side
    pieces = [ln for ln in held_lines if ln.startswith("w")]
    assert len(pieces) % 3 == 0 and 0 < len(pieces) < 40 * 3
    assert len([ln for ln in train_lines if ln.startswith("w")]) + len(pieces) == 120


def test_recipes_and_params_parse_with_types():
    assert harness.parse_params(
        ["learningRate=2e-3", "localSteps=10", "initialization=tied", "useMultiplier=true"]
    ) == {"learningRate": 2e-3, "localSteps": 10, "initialization": "tied", "useMultiplier": True}
    r = harness.parse_recipes(["a:learningRate=1e-3,outerLearningRate=W", "b:"], {"seed": 1})
    assert r == {"a": {"seed": 1, "learningRate": 1e-3, "outerLearningRate": "W"}, "b": {"seed": 1}}
    assert harness.parse_recipes([], {}) == {"defaults": {}}
    with pytest.raises(SystemExit):
        harness.parse_params(["noequals"])


def test_compare_reports_gain_and_worst_worker_gap():
    runs = [
        {"run": "baseline", "workers": 1, "fvu": 0.2},
        {"run": "defaults", "workers": 1, "fvu": 0.1},
        {"run": "defaults", "workers": 2, "fvu": 0.104},
        {"run": "defaults", "workers": 4, "fvu": 0.11},
    ]
    c = harness.compare(runs)
    assert c["defaults.gain_vs_baseline"] == pytest.approx(0.45)  # the worst worker count
    assert c["defaults.worst_worker_gap"] == pytest.approx(0.1)
    assert not any(k.endswith("fvu_mean") for k in c)  # one seed: no spread to report


def test_compare_averages_over_seeds_and_reports_the_spread():
    runs = [
        {"run": "baseline", "workers": 1, "fvu": 0.2},
        {"run": "a", "workers": 1, "fvu": 0.08},
        {"run": "a", "workers": 1, "fvu": 0.12},
        {"run": "a", "workers": 4, "fvu": 0.1},
        {"run": "a", "workers": 4, "fvu": 0.13},
    ]
    c = harness.compare(runs)
    assert c["a.w1.fvu_mean"] == pytest.approx(0.1)
    assert c["a.w1.fvu_spread"] == pytest.approx(0.04)
    assert c["a.worst_worker_gap"] == pytest.approx(0.15)  # 0.115 / 0.1 - 1
    assert c["a.gain_vs_baseline"] == pytest.approx(1 - 0.115 / 0.2)


def test_harness_fits_and_measures_on_held_out_rows(spark, tmp_path):
    kd = synthetic.known_dictionary(16, 24, 2, 4000, 1000, seed=2)
    paths = []
    for name, rows in (("train", kd.train), ("heldout", kd.heldout)):
        paths.append(str(tmp_path / (name + ".parquet")))
        sets._write_parquet(paths[-1], rows)
    ds = sets.DataSet(
        "tiny",
        nb_concepts=48,
        top_k=2,
        batch_size=128,
        epochs=2,
        train_paths=[paths[0]],
        heldout_paths=[paths[1]],
        atoms=kd.atoms,
    )
    runs = harness.run_set(
        spark, ds, [1, 2], {"fast": {"learningRate": 1e-2}}, True, [7], lambda msg: None
    )
    assert [(r["run"], r["workers"], r["seed"]) for r in runs] == [
        ("baseline", 1, 7),
        ("fast", 1, 7),
        ("fast", 2, 7),
    ]
    for r in runs:
        assert r["tokens"] == 8000 and r["heldout_rows"] == 1000 and r["l0"] <= 2
        assert 0 <= r["fvu"] < 3 and 0 <= r["dead"] <= 1 and 0 < r["mmcs"] <= 1.0001
    # a tuned recipe learns this easy dictionary far better than 16 baseline steps do
    assert runs[1]["fvu"] < 0.5 * runs[0]["fvu"]
    assert runs[1]["mmcs"] > runs[0]["mmcs"]
