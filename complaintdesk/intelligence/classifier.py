"""The learned category classifier. Pure: plain texts and labels in, plain values out; no Django.

Features: TF-IDF over jieba words (and word pairs) plus TF-IDF over character 1–3-grams, so that
Chinese works without a perfect segmentation and English works on words and their fragments.
Model: a linear SVM whose scores are turned into probabilities by Platt scaling fitted on
cross-validated predictions (`CalibratedClassifierCV`), so a confidence of 0.8 means about 80 %.

`train` is the one training function: `train_classifier`, the admin and `classifier_eval` all
call it, so the figures each of them shows come from the same code.

Training cost: each distinct text is segmented once; identical (text, label) examples are learned
as one (and calibration folds never put a text on both sides); from PARALLEL_FROM examples on,
segmentation, the two vectorisers and the calibration folds run on N_JOBS processes.

scikit-learn, SciPy, NumPy and joblib (about 2 s and 100 MB per process) are imported by the functions that
fit, evaluate or apply a model, not with this module. Every web process imports it: the tasks that train and
enrich are enqueued there, so their modules and the services they call are loaded with the application, and
regulation's "suggest codes" applies a trained model on request. A module of its own for the fitting code
would be loaded just the same. Loading a stored model (`loads`) imports scikit-learn by itself; the task
worker, which fits and applies, pays the cost once. tests/ops/test_web_imports.py keeps web processes from
loading them at start.
"""

from __future__ import annotations

import io
import math
import os
import pickle
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import text as textlib

if TYPE_CHECKING:
    import numpy as np
    from sklearn.pipeline import Pipeline

FORMAT_VERSION = 1
DEFAULT_FOLDS = 5
DEFAULT_SEED = 20261123
# A label needs this many examples to be learned (and, with k-fold, at least one per fold).
MIN_EXAMPLES_PER_LABEL = 3
_SEP = "\x1e"  # between the normalised text and its words in a prepared document
# From this many distinct examples on, training uses N_JOBS processes (below, starting them costs
# more than it saves).
PARALLEL_FROM = 20_000
N_JOBS = 2
CALIBRATION_FOLDS = 3


@dataclass(frozen=True)
class Suggestion:
    """What a classifier says about one text. `category_code` is None when it has nothing to say."""

    category_code: str | None
    confidence: float
    explanation: tuple[str, ...] = ()  # the words (or keywords) that weighed most
    source: str = "none"  # "model", "keywords" or "none"
    model_version: int | None = None


NO_SUGGESTION = Suggestion(category_code=None, confidence=0.0)


@dataclass
class TrainedModel:
    pipeline: Pipeline
    labels: list[str]
    trained_on: int
    evaluation: dict = field(default_factory=dict)
    train_seconds: float = 0.0


class NotEnoughData(ValueError):
    pass


# --- preparation: normalise and segment once, then every feature reads the prepared document ---


def prepare(raw: str) -> str:
    normal = textlib.normalise(raw)[: textlib.MODEL_MAX_CHARS]
    return normal + _SEP + " ".join(textlib.words(normal))


def _prepare_chunk(texts: list[str]) -> list[str]:
    return [prepare(t) for t in texts]


def _jobs(n: int) -> int | None:
    return min(N_JOBS, os.cpu_count() or 1) if n >= PARALLEL_FROM else None


def prepare_all(texts: list[str]) -> list[str]:
    """`prepare` of each text; each distinct text once, on N_JOBS processes when there are many."""
    distinct = list(dict.fromkeys(texts))
    jobs = _jobs(len(distinct))
    if jobs and jobs > 1:
        from joblib import Parallel, delayed

        size = -(-len(distinct) // (jobs * 4))
        chunks = Parallel(n_jobs=jobs)(
            delayed(_prepare_chunk)(distinct[i : i + size]) for i in range(0, len(distinct), size)
        )
        prepared = dict(zip(distinct, (doc for chunk in chunks for doc in chunk), strict=True))
    else:
        prepared = {text: prepare(text) for text in distinct}
    return [prepared[t] for t in texts]


def _characters(doc: str) -> str:
    return doc.partition(_SEP)[0]


def _word_features(doc: str) -> list[str]:
    tokens = doc.partition(_SEP)[2].split()
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def build_pipeline(seed: int = DEFAULT_SEED, n_jobs: int | None = None) -> Pipeline:
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    features = FeatureUnion(
        n_jobs=n_jobs,
        transformer_list=[
            (
                "words",
                TfidfVectorizer(analyzer=_word_features, min_df=2, sublinear_tf=True, max_features=300_000),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    preprocessor=_characters,
                    ngram_range=(1, 3),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=300_000,
                    lowercase=False,
                    dtype=np.float32,
                ),
            ),
        ],
    )
    # dual=True: the dual solver is the fast one for text even with more examples than features,
    # where "auto" would pick the primal one (minutes at 100 000 templated cases).
    model = CalibratedClassifierCV(
        LinearSVC(C=0.5, dual=True, random_state=seed),
        method="sigmoid",
        cv=CALIBRATION_FOLDS,
        ensemble=False,
        n_jobs=n_jobs,
    )
    return Pipeline([("features", features), ("model", model)])


# --- folds, shared with bench/make_eval_sets.py so that file-based and stored-case figures agree ---


def stratified_folds(labels: list[str], k: int, seed: int = DEFAULT_SEED) -> list[int]:
    """Fold number (0..k-1) of each example: each label's examples shuffled with `seed` and dealt
    round-robin, so every fold has each label in proportion."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    folds = [0] * len(labels)
    offset = 0
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            folds[index] = (position + offset) % k
        offset += len(indices)  # the next label starts where this one stopped: folds stay even
    return folds


# --- training and evaluation ---


def _fit(prepared: list[str], labels: list[str], seed: int) -> Pipeline:
    """Fit on the distinct (document, label) examples: a text seen many times (a form's canned
    wording, templated cases) is one example, not many — weighting the copies instead keeps the SVM
    from converging — unless a label would then have fewer distinct examples than calibration folds."""
    from threadpoolctl import threadpool_limits

    distinct = list(dict.fromkeys(zip(prepared, labels, strict=True)))
    if min(Counter(label for _doc, label in distinct).values()) >= CALIBRATION_FOLDS:
        prepared, labels = [doc for doc, _label in distinct], [label for _doc, label in distinct]
    pipeline = build_pipeline(seed, n_jobs=_jobs(len(prepared)))
    # OpenBLAS's idle threads spin on the cores the solver and the worker processes need.
    with threadpool_limits(limits=1, user_api="blas"):
        pipeline.fit(prepared, labels)
    return pipeline


def usable_examples(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Drop empty texts and labels with too few examples; returns texts, labels, dropped labels."""
    pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab and t and textlib.has_content(t)]
    counts = Counter(lab for _t, lab in pairs)
    dropped = sorted(lab for lab, n in counts.items() if n < MIN_EXAMPLES_PER_LABEL)
    kept = [(t, lab) for t, lab in pairs if counts[lab] >= MIN_EXAMPLES_PER_LABEL]
    return [t for t, _lab in kept], [lab for _t, lab in kept], dropped


def scores(truth: list[str], predicted: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        # Over the true labels only: "no suggestion" is a miss, not an extra class.
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)), 4
        ),
    }


def _coverage(truth: list[str], predicted: list[str], confidence: list[float], threshold: float) -> dict:
    """How many predictions reach `threshold`, and how often those are right."""
    confident = [(t, p) for t, p, c in zip(truth, predicted, confidence, strict=True) if c >= threshold]
    return {
        "threshold": threshold,
        "coverage": round(len(confident) / len(truth), 4) if truth else 0.0,
        "accuracy": round(sum(t == p for t, p in confident) / len(confident), 4) if confident else None,
    }


def _calibration_error(
    truth: list[str], predicted: list[str], confidence: list[float], bins: int = 10
) -> float:
    """Expected calibration error: the mean gap between confidence and accuracy, by confidence bin."""
    gaps = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [i for i, c in enumerate(confidence) if low < c <= high or (b == 0 and c == 0)]
        if members:
            accuracy = sum(truth[i] == predicted[i] for i in members) / len(members)
            gaps += len(members) * abs(accuracy - sum(confidence[i] for i in members) / len(members))
    return round(gaps / len(truth), 4) if truth else 0.0


def cross_validate(
    prepared: list[str], labels: list[str], *, folds: int, seed: int, threshold: float
) -> dict:
    assignment = stratified_folds(labels, folds, seed)
    per_fold = []
    truth_all: list[str] = []
    predicted_all: list[str] = []
    confidence_all: list[float] = []
    for fold in range(folds):
        train_idx = [i for i, f in enumerate(assignment) if f != fold]
        test_idx = [i for i, f in enumerate(assignment) if f == fold]
        train_labels = [labels[i] for i in train_idx]
        if len(set(train_labels)) < 2 or not test_idx:
            continue
        pipeline = _fit([prepared[i] for i in train_idx], train_labels, seed)
        probabilities = pipeline.predict_proba([prepared[i] for i in test_idx])
        classes = list(pipeline.classes_)
        predicted = [classes[j] for j in probabilities.argmax(axis=1)]
        truth = [labels[i] for i in test_idx]
        per_fold.append(scores(truth, predicted) | {"n_train": len(train_idx), "n_test": len(test_idx)})
        truth_all += truth
        predicted_all += predicted
        confidence_all += [float(p) for p in probabilities.max(axis=1)]
    if not per_fold:
        return {}

    def spread(key: str) -> dict:
        values = [f[key] for f in per_fold]
        return {
            "mean": round(statistics.fmean(values), 4),
            "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
        }

    return {
        "folds": len(per_fold),
        "seed": seed,
        "accuracy": spread("accuracy"),
        "macro_f1": spread("macro_f1"),
        "per_fold": per_fold,
        "calibration_error": _calibration_error(truth_all, predicted_all, confidence_all),
        "at_threshold": _coverage(truth_all, predicted_all, confidence_all, threshold),
    }


def train(
    texts: list[str],
    labels: list[str],
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    threshold: float = 0.6,
) -> TrainedModel:
    """Train on all usable examples; with folds ≥ 2, first measure k-fold figures on the same data."""
    texts, labels, dropped = usable_examples(texts, labels)
    counts = Counter(labels)
    if len(counts) < 2:
        raise NotEnoughData("need examples of at least two categories")
    folds = min(folds, min(counts.values())) if folds >= 2 else 0
    prepared = prepare_all(texts)
    evaluation: dict = {"n": len(labels), "labels": dict(sorted(counts.items())), "dropped_labels": dropped}
    if folds >= 2:
        evaluation["kfold"] = cross_validate(prepared, labels, folds=folds, seed=seed, threshold=threshold)
    started = time.perf_counter()
    pipeline = _fit(prepared, labels, seed)
    train_seconds = time.perf_counter() - started
    evaluation["sklearn"] = sklearn_version()
    return TrainedModel(
        pipeline=pipeline,
        labels=sorted(counts),
        trained_on=len(labels),
        evaluation=evaluation,
        train_seconds=train_seconds,
    )


# --- prediction ---


def _explain(pipeline: Pipeline, vector, class_index: int, top: int) -> tuple[str, ...]:
    """The features of this text that pushed hardest towards the chosen class (words first)."""
    svm = pipeline.named_steps["model"].calibrated_classifiers_[0].estimator
    coef = svm.coef_
    weights = coef[class_index] if coef.shape[0] > 1 else (coef[0] if class_index == 1 else -coef[0])
    row = vector.tocsr()
    contributions = row.data * weights[row.indices]
    names = _feature_names(pipeline)
    ranked = sorted(zip(contributions, row.indices, strict=True), reverse=True)
    words: list[str] = []
    fragments: list[str] = []
    for value, index in ranked:
        if value <= 0 or len(words) >= top:
            break
        name = names[index]
        if name.startswith("words__"):
            words.append(name.removeprefix("words__"))
        elif len(fragments) < top:
            fragment = name.removeprefix("chars__").strip()
            if len(fragment) > 1 or not fragment.isascii():
                fragments.append(fragment)
    result = words + [f for f in fragments if not any(f in w for w in words)]
    return tuple(dict.fromkeys(result))[:top]


def _feature_names(pipeline: Pipeline) -> np.ndarray:
    names = getattr(pipeline, "_complaintdesk_feature_names", None)
    if names is None:
        names = pipeline.named_steps["features"].get_feature_names_out()
        pipeline._complaintdesk_feature_names = names
    return names


def _features(pipeline: Pipeline, docs: list[str]):
    """FeatureUnion.transform without its joblib round trip (a few ms per single text)."""
    from scipy import sparse

    union = pipeline.named_steps["features"]
    return sparse.hstack([vectorizer.transform(docs) for _name, vectorizer in union.transformer_list]).tocsr()


def _probabilities(pipeline: Pipeline, vector) -> np.ndarray:
    """Platt-scaled one-vs-rest probabilities, as CalibratedClassifierCV.predict_proba computes them,
    without its per-class input validation."""
    import numpy as np
    from scipy.special import expit

    calibrated = pipeline.named_steps["model"].calibrated_classifiers_[0]
    decision = calibrated.estimator.decision_function(vector)
    if decision.ndim == 1:
        decision = decision[:, None]
    sigmoids = np.column_stack(
        [expit(-(c.a_ * decision[:, k] + c.b_)) for k, c in enumerate(calibrated.calibrators)]
    )
    if len(pipeline.classes_) == 2:
        return np.column_stack([1 - sigmoids[:, 0], sigmoids[:, 0]])
    totals = sigmoids.sum(axis=1, keepdims=True)
    uniform = np.full_like(sigmoids, 1 / sigmoids.shape[1])
    return np.where(totals == 0, uniform, sigmoids / np.where(totals == 0, 1, totals))


def predict(model: TrainedModel, raw: str, *, top: int = 5, version: int | None = None) -> Suggestion:
    """The most likely category of one text with its calibrated confidence and the words behind it."""
    doc = prepare(raw)
    if not textlib.has_content(_characters(doc)):
        return NO_SUGGESTION
    vector = _features(model.pipeline, [doc])
    if vector.nnz == 0:
        return NO_SUGGESTION
    probabilities = _probabilities(model.pipeline, vector)[0]
    best = int(probabilities.argmax())
    confidence = float(probabilities[best])
    if not math.isfinite(confidence):
        return NO_SUGGESTION
    classes = list(model.pipeline.classes_)
    return Suggestion(
        category_code=str(classes[best]),
        confidence=round(confidence, 4),
        explanation=_explain(model.pipeline, vector, best, top),
        source="model",
        model_version=version,
    )


# --- storage ---


def sklearn_version() -> str:
    """The installed scikit-learn's version: a stored model is loaded only by the version that stored it."""
    import sklearn

    return sklearn.__version__


def dumps(model: TrainedModel) -> bytes:
    buffer = io.BytesIO()
    pickle.dump({"format": FORMAT_VERSION, "sklearn": sklearn_version(), "model": model}, buffer, protocol=5)
    return buffer.getvalue()


class IncompatibleModel(ValueError):
    pass


def loads(blob: bytes) -> TrainedModel:
    """Only for blobs this application stored itself (ClassifierModel rows): pickle runs code."""
    payload = pickle.loads(bytes(blob))  # our own rows, written by dumps()
    if payload.get("format") != FORMAT_VERSION or payload.get("sklearn") != sklearn_version():
        raise IncompatibleModel(
            f"stored with format {payload.get('format')}, scikit-learn {payload.get('sklearn')}"
        )
    return payload["model"]
