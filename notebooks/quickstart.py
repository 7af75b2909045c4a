# Databricks notebook source
# Attach the library. Databricks: add the job jar (topk-sae-spark-<version>-job.jar, built by
# `mvn package`) to the cluster as a library and set TOPKSAE_JAR below to its path; the jar also
# holds the Python package, which this cell adds to the session. Plain Python: this cell starts a
# local SparkSession with the jar (from $TOPKSAE_JAR or the checkout's target/ folder), or, with
# TOPKSAE_REMOTE=sc://host:port, connects to a Spark Connect server that has the jar.
import glob
import os
import sys

TOPKSAE_JAR = os.environ.get(
    "TOPKSAE_JAR", "/Volumes/main/default/libs/topk-sae-spark-0.1.0-job.jar"
)
REMOTE = os.environ.get("TOPKSAE_REMOTE")
try:
    spark  # noqa: F821 - defined by Databricks
    try:
        spark.sparkContext.addPyFile(TOPKSAE_JAR)
    except Exception:  # Spark Connect (serverless / shared clusters): no SparkContext
        spark.addArtifacts(TOPKSAE_JAR, pyfile=True)
    sys.path.insert(0, TOPKSAE_JAR)
except NameError:
    _root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isfile(TOPKSAE_JAR):
        TOPKSAE_JAR = sorted(glob.glob(os.path.join(_root, "target", "topk-sae-spark-*-job.jar")))[
            -1
        ]
    sys.path.insert(0, TOPKSAE_JAR)  # import topksae from the jar, as --py-files would
    if REMOTE:  # the server was started with the jar (--jars): it holds the JVM classes
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.remote(REMOTE).getOrCreate()
    else:
        from topksae.local import local_session

        spark = local_session("topksae-quickstart", jar=TOPKSAE_JAR)

# COMMAND ----------

# MAGIC %md
# MAGIC # TopK sparse autoencoder: quick start
# MAGIC
# MAGIC We generate activations that really are sparse combinations of a few hundred hidden
# MAGIC directions, train a TopK SAE on them with Spark, look at the codes, plot the training
# MAGIC curve and how often each concept fires, check that the dictionary found the hidden
# MAGIC directions, and save and reload the model.

# COMMAND ----------

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from pyspark.ml.functions import vector_to_array
from pyspark.sql import functions as F

from topksae.spark import TopKSAEEstimator, TopKSAEModel

OUT = os.environ.get("TOPKSAE_OUT", "/tmp/topksae/quickstart")
os.makedirs(OUT, exist_ok=True)
ROWS = int(os.environ.get("TOPKSAE_QUICKSTART_ROWS", "20000"))
DIM, HIDDEN, ACTIVE = 64, 128, 4

# COMMAND ----------

# MAGIC %md
# MAGIC ## Sample activations
# MAGIC Each row is the sum of 4 of 128 random unit directions with positive weights, plus noise.
# MAGIC Real activations go the same way: a DataFrame with one `array<float>` (or Vector) column.

# COMMAND ----------

rng = np.random.default_rng(0)
atoms = rng.normal(size=(HIDDEN, DIM))
atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
which = np.argsort(rng.random((ROWS, HIDDEN)), axis=1)[:, :ACTIVE]
weights = rng.uniform(0.5, 2.0, size=(ROWS, ACTIVE))
x = np.einsum("na,nad->nd", weights, atoms[which]) + 0.01 * rng.normal(size=(ROWS, DIM))
pdf = pd.DataFrame({"id": np.arange(ROWS), "activation": list(x.astype(np.float32))})
df = spark.createDataFrame(pdf).withColumn("activation", F.col("activation").cast("array<float>"))
df = df.repartition(4).cache()
print(df.count(), "rows of dimension", DIM)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Train
# MAGIC Parameters have the same names as in Scala/Java (`nbConcepts`, `topK`, ...).
# MAGIC Every `localSteps` steps the workers' weights are averaged: one round.
# MAGIC `initialization="tied"` starts the encoder as the transpose of the dictionary and
# MAGIC `decoderBiasInit="mean"` centres the data on its mean: both speed up training a lot here.

# COMMAND ----------

sae = TopKSAEEstimator(
    inputCol="activation",
    nbConcepts=256,
    topK=ACTIVE,
    batchSize=64,
    localSteps=10,
    maxEpochs=8,
    learningRate=5e-3,
    initialization="tied",
    decoderBiasInit="mean",
    seed=1,
)
model = sae.fit(df)
summary = model.summary
history = summary.toPandas()
print(summary)
print(history[["round", "tokensSeen", "loss", "fvu", "l0", "deadFraction"]].tail())

# COMMAND ----------

# MAGIC %md
# MAGIC ## Codes
# MAGIC `transform` adds a SparseVector column of size `nbConcepts` with `topK` active entries
# MAGIC (and, if asked, the reconstruction).

# COMMAND ----------

codes = model.setReconstructionCol("reconstruction").transform(df)
codes.select("id", "codes").show(5, truncate=90)
first = codes.orderBy("id").first()
print(
    "row 0 uses concepts",
    first.codes.indices.tolist(),
    "with weights",
    np.round(first.codes.values, 3).tolist(),
)

# COMMAND ----------

# MAGIC %md
# MAGIC ## How often does each concept fire?
# MAGIC Computed in Spark: explode the active indices, count per concept.

# COMMAND ----------

fires = (
    codes.select(F.posexplode(vector_to_array("codes")).alias("concept", "value"))
    .where("value > 0")
    .groupBy("concept")
    .count()
    .toPandas()
)
frequency = np.zeros(model.getNbConcepts())
frequency[fires["concept"].to_numpy()] = fires["count"].to_numpy() / ROWS
print("dead concepts:", int((frequency == 0).sum()), "of", len(frequency))

# COMMAND ----------

fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
a.plot(history["tokensSeen"], history["loss"], label="loss (MSE)")
a.plot(history["tokensSeen"], history["fvu"], label="FVU")
a.set_xlabel("tokens seen")
a.set_yscale("log")
a.set_title("training curve")
a.legend()
b.hist(np.log10(frequency[frequency > 0]), bins=30)
b.set_xlabel("log10 firing frequency")
b.set_ylabel("concepts")
b.set_title("latent frequency")
fig.tight_layout()
fig.savefig(os.path.join(OUT, "training.png"), dpi=80)
print("saved", os.path.join(OUT, "training.png"))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Did the dictionary find the hidden directions?
# MAGIC `model.dictionary` is a numpy array [nbConcepts, dim]. For each hidden direction, the best
# MAGIC cosine similarity with a dictionary row (1.0 = found exactly).

# COMMAND ----------

D = model.dictionary
best = np.abs(atoms @ (D / np.linalg.norm(D, axis=1, keepdims=True)).T).max(axis=1)
print(
    "median best cosine %.3f; directions found with cosine > 0.9: %d of %d"
    % (np.median(best), (best > 0.9).sum(), HIDDEN)
)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Save and reload

# COMMAND ----------

path = os.path.join(OUT, "model")
model.write().overwrite().save(path)
reloaded = TopKSAEModel.load(path)
assert np.array_equal(reloaded.dictionary, model.dictionary)
same = (
    reloaded.transform(df).orderBy("id").select("codes").limit(200).collect()
    == model.transform(df).orderBy("id").select("codes").limit(200).collect()
)
print("reloaded from", path, "- same codes:", same)
