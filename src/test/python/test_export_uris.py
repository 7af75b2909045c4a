"""Exports and imports take Hadoop URIs as model.save/load do, and imports report their Params."""

import os
import uuid

import numpy as np
import pytest

from topksae.export import (
    export_overcomplete,
    export_saelens,
    export_sparsify,
    load_overcomplete,
    load_saelens,
    load_sparsify,
)
from topksae.spark import TopKSAEEstimator, TopKSAEModel

NB, K = 24, 3


@pytest.fixture(scope="module")
def model(activations):
    return TopKSAEEstimator(
        nbConcepts=NB,
        topK=K,
        batchSize=64,
        localSteps=5,
        maxEpochs=1,
        learningRate=1e-2,
        seed=5,
        progress=False,
    ).fit(activations)


@pytest.fixture()
def viewfs(spark, tmp_path):
    """A viewfs:// file system (not file:) mounted on a local folder: (URI root, local folder)."""
    backing = tmp_path / "backing"
    backing.mkdir()
    cluster = "sae" + uuid.uuid4().hex[:8]  # a fresh authority: Hadoop caches file systems
    spark.sparkContext._jsc.hadoopConfiguration().set(
        "fs.viewfs.mounttable.%s.link./mnt" % cluster, "file://%s" % backing
    )
    return "viewfs://%s/mnt" % cluster, backing


def listing(folder):
    """File names, without the .crc side files of Hadoop's checksummed local file system."""
    return sorted(n for n in os.listdir(folder) if not n.endswith(".crc"))


def assert_params_from_the_jvm(imported):
    """Every Param the JVM model has set reads the same from Python."""
    java = imported._java_obj
    for p in java.params():
        if java.isSet(p):
            assert imported.getOrDefault(p.name()) == java.getOrDefault(p), p.name()


def test_imported_model_reports_its_real_params(model, tmp_path):
    export_saelens(model, str(tmp_path / "sl"))
    back = load_saelens(str(tmp_path / "sl"))
    assert isinstance(back, TopKSAEModel)
    assert (back.getNbConcepts(), back.getTopK()) == (NB, K)  # not the defaults 1024 and 102
    assert_params_from_the_jvm(back)
    path = str(tmp_path / "oc.safetensors")
    export_overcomplete(model, path)
    oc = load_overcomplete(path)
    assert (oc.getNbConcepts(), oc.getTopK()) == (NB, K)
    assert_params_from_the_jvm(oc)


def test_file_uris_write_the_local_folder_not_a_folder_named_file(model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "out" / "saelens"
    export_saelens(model, "file://%s" % target)
    assert sorted(os.listdir(target)) == ["cfg.json", "sae_weights.safetensors"]
    assert not (tmp_path / "file:").exists()
    back = load_saelens("file://%s" % target)
    np.testing.assert_array_equal(back.dictionary, model.dictionary)
    folder = export_sparsify(model, "file:%s" % (tmp_path / "sp"), "layers.0")
    assert os.path.isfile(os.path.join(folder, "sae.safetensors")), folder
    assert load_sparsify("file://%s" % folder).getNbConcepts() == NB
    assert not (tmp_path / "file:").exists()


def test_other_file_systems_go_through_hadoop(model, viewfs):
    root, backing = viewfs
    export_saelens(model, root + "/saelens", model_name="m")
    export_saelens(model, root + "/saelens", model_name="m")  # again: overwrites, no nesting
    assert listing(backing / "saelens") == ["cfg.json", "sae_weights.safetensors"]
    back = load_saelens(root + "/saelens")
    assert (back.getNbConcepts(), back.getTopK()) == (NB, K)
    np.testing.assert_array_equal(back.dictionary, model.dictionary)

    folder = export_sparsify(model, root + "/sparsify", "layers.0")
    assert folder == root + "/sparsify/layers.0"
    assert listing(backing / "sparsify" / "layers.0") == ["cfg.json", "sae.safetensors"]
    np.testing.assert_array_equal(load_sparsify(folder).dictionary, model.dictionary)

    export_overcomplete(model, root + "/oc.safetensors")
    assert (backing / "oc.safetensors").is_file()
    np.testing.assert_array_equal(
        load_overcomplete(root + "/oc.safetensors").dictionary, model.dictionary
    )


def test_missing_remote_folder_is_a_clear_error(viewfs):
    root, _ = viewfs
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        load_saelens(root + "/nothing-here")
