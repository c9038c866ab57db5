"""The learned classifier on a small bilingual corpus: training, k-fold, calibration, explanation."""

import numpy as np
import pytest

from complaintdesk.intelligence import classifier

from .conftest import corpus_examples


@pytest.fixture(scope="module")
def model():
    texts, labels = corpus_examples()
    return classifier.train(texts, labels, folds=3)


def test_predicts_chinese_english_and_traditional_text_with_the_words_behind_it(model):
    cases = {
        "宽带又断网了，网速也很慢": "network_quality",
        "the internet connection keeps dropping": "network_quality",
        "话费账单多扣了钱，要求退费": "billing_dispute",
        "you overcharged me on this bill": "billing_dispute",
        "快遞還沒送到，包裹不見了": "logistics",
        "my parcel never arrived": "logistics",
    }
    for text, code in cases.items():
        suggestion = classifier.predict(model, text, version=7)
        assert suggestion.category_code == code, (text, suggestion)
        assert 0 < suggestion.confidence <= 1
        assert suggestion.explanation and suggestion.source == "model" and suggestion.model_version == 7


def test_fast_probabilities_equal_scikit_learn_calibrated_probabilities(model):
    docs = classifier.prepare_all(["宽带断网", "bill overcharged", "包裹丢了", "随便说点什么"])
    vectors = model.pipeline.named_steps["features"].transform(docs)
    expected = model.pipeline.named_steps["model"].predict_proba(vectors)
    np.testing.assert_allclose(
        classifier._probabilities(model.pipeline, vectors), expected, rtol=1e-6, atol=1e-9
    )


def test_evaluation_has_kfold_figures_and_calibration(model):
    kfold = model.evaluation["kfold"]
    assert kfold["folds"] == 3 and len(kfold["per_fold"]) == 3
    assert 0 <= kfold["accuracy"]["mean"] <= 1 and kfold["accuracy"]["sd"] >= 0
    assert {"coverage", "accuracy", "threshold"} <= set(kfold["at_threshold"])
    assert model.evaluation["labels"] == {"billing_dispute": 15, "logistics": 15, "network_quality": 15}


def test_kfold_figures_are_the_mean_of_training_and_testing_on_each_fold():
    """train()'s k-fold = classifier_eval on the fold files bench/make_eval_sets.py writes."""
    texts, labels = corpus_examples()
    trained = classifier.train(texts, labels, folds=3, seed=11)
    assignment = classifier.stratified_folds(labels, 3, seed=11)
    accuracies = []
    for fold in range(3):
        train = [(t, lab) for t, lab, f in zip(texts, labels, assignment, strict=True) if f != fold]
        test = [(t, lab) for t, lab, f in zip(texts, labels, assignment, strict=True) if f == fold]
        model = classifier.train([t for t, _ in train], [lab for _, lab in train], folds=0, seed=11)
        predicted = [classifier.predict(model, t).category_code for t, _ in test]
        accuracies.append(classifier.scores([lab for _, lab in test], predicted)["accuracy"])
    assert trained.evaluation["kfold"]["accuracy"]["mean"] == round(sum(accuracies) / 3, 4)


def test_stratified_folds_are_seeded_and_balanced():
    labels = ["a"] * 10 + ["b"] * 5
    folds = classifier.stratified_folds(labels, 5, seed=1)
    assert folds == classifier.stratified_folds(labels, 5, seed=1)
    assert folds != classifier.stratified_folds(labels, 5, seed=2)
    for fold in range(5):
        members = [lab for lab, f in zip(labels, folds, strict=True) if f == fold]
        assert members.count("a") == 2 and members.count("b") == 1


def test_store_and_load_round_trip(model):
    loaded = classifier.loads(classifier.dumps(model))
    assert classifier.predict(loaded, "宽带断网") == classifier.predict(model, "宽带断网")


def test_blob_from_another_scikit_learn_is_refused():
    import pickle

    blob = pickle.dumps({"format": classifier.FORMAT_VERSION, "sklearn": "0.0.1", "model": None})
    with pytest.raises(classifier.IncompatibleModel):
        classifier.loads(blob)


def test_one_category_or_too_few_examples_is_not_enough():
    with pytest.raises(classifier.NotEnoughData):
        classifier.train(["a b", "c d", "e f"], ["x", "x", "x"], folds=0)
    texts, labels, dropped = classifier.usable_examples(
        ["宽带", "话费", "话费", "", "😡"], ["n", "b", "b", "b", "b"]
    )
    assert dropped == ["b", "n"] and texts == []


def test_no_suggestion_is_a_miss_not_an_extra_class_in_macro_f1():
    assert classifier.scores(["a", "b"], ["a", ""]) == {"accuracy": 0.5, "macro_f1": 0.5}


def test_training_on_two_processes_and_with_repeated_texts_gives_the_same_model(monkeypatch):
    """Large trainings segment, vectorise and calibrate on N_JOBS processes: the model is the one a
    single process trains; identical examples are learned as one."""
    texts, labels = corpus_examples()
    probe = classifier.prepare_all(["宽带断网了", "bill overcharged twice", "包裹丢了", "随便说点什么"])
    single = classifier.train(texts, labels, folds=0)
    monkeypatch.setattr(classifier, "PARALLEL_FROM", 10)
    assert classifier.prepare_all(texts) == [classifier.prepare(t) for t in texts]
    parallel = classifier.train(texts, labels, folds=0)
    np.testing.assert_allclose(
        parallel.pipeline.predict_proba(probe), single.pipeline.predict_proba(probe), rtol=1e-6
    )
    assert single.trained_on == parallel.trained_on == len(texts)
    twice = classifier.train(texts * 2, labels * 2, folds=0)
    np.testing.assert_allclose(
        twice.pipeline.predict_proba(probe), single.pipeline.predict_proba(probe), rtol=1e-6
    )
