"""train_classifier, classifier_eval and emotion_eval, and the admin's train button."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from complaintdesk.intelligence.models import ClassifierModel

from .conftest import corpus_examples

pytestmark = pytest.mark.django_db


def _write_tsv(path, texts, labels):
    path.write_text("".join(f"{t}\t{lab}\n" for t, lab in zip(texts, labels, strict=True)), encoding="utf-8")
    return str(path)


def _run(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_classifier_eval_prints_the_figures_as_one_json_line(tmp_path):
    texts, labels = corpus_examples()
    train = _write_tsv(tmp_path / "train.tsv", texts, labels)
    test = _write_tsv(
        tmp_path / "test.tsv",
        ["宽带断网", "bill overcharged twice", "包裹丢了", "😡"],
        ["network_quality", "billing_dispute", "logistics", "logistics"],
    )
    figures = _run("classifier_eval", "--train", train, "--test", test)
    assert set(figures) == {
        "n_train",
        "n_test",
        "accuracy",
        "macro_f1",
        "train_seconds",
        "predict_ms_p50",
        "predict_ms_p95",
    }
    assert figures["n_train"] == 45 and figures["n_test"] == 4 and figures["accuracy"] == 0.75
    assert ClassifierModel.objects.count() == 0


def test_bad_tsv_is_a_command_error(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    with pytest.raises(CommandError, match="expected text<TAB>label"):
        call_command("classifier_eval", "--train", str(bad), "--test", str(bad))


def test_train_classifier_from_a_file_dry_run_gives_the_kfold_figures_and_stores_nothing(tmp_path):
    path = _write_tsv(tmp_path / "all.tsv", *corpus_examples())
    summary = _run("train_classifier", "--tsv", path, "--folds", "3", "--dry-run")
    assert summary["version"] is None and summary["kfold_folds"] == 3 and summary["trained_on"] == 45
    assert ClassifierModel.objects.count() == 0
    summary = _run("train_classifier", "--tsv", path, "--folds", "0")
    assert summary["version"] == 1 and summary["active"] is True


def test_train_classifier_without_cases_explains_why_it_cannot(categories):
    with pytest.raises(CommandError, match="至少需要两个类别"):
        call_command("train_classifier")


def test_emotion_eval_rules_only(tmp_path):
    path = _write_tsv(
        tmp_path / "s.tsv",
        ["太差了，非常失望", "骗子！！！", "很满意，谢谢", "不错，推荐"],
        ["0", "0", "1", "1"],
    )
    assert _run("emotion_eval", "--test", path, "--rules-only") == {"n": 4, "accuracy": 1.0, "macro_f1": 1.0}


def test_admin_button_trains_and_evaluates_a_new_version(org, categories, intake):
    from .test_services import _categorised_cases

    def categorised_cases():
        _categorised_cases(intake, org)

    from complaintdesk.intelligence.services import training

    texts, labels = corpus_examples()
    training.classifier_train(texts=texts, labels=labels, folds=0)  # v1, from a file-like source
    org.executive.is_staff = org.executive.is_superuser = True
    org.executive.save()
    client = Client()
    client.force_login(org.executive)
    page = client.get("/admin/intelligence/classifiermodel/")
    assert page.status_code == 200 and "训练并评估新模型" in page.content.decode()
    response = client.post("/admin/intelligence/classifiermodel/train/", follow=True)
    assert response.status_code == 200
    # No categorised cases are stored, so the training is refused with the reason.
    assert "至少需要两个类别" in response.content.decode()
    assert ClassifierModel.objects.count() == 1
    categorised_cases()
    response = client.post("/admin/intelligence/classifiermodel/train/", follow=True)
    assert "已训练并启用 v2" in response.content.decode()
    assert ClassifierModel.objects.get(is_active=True).evaluation["kfold"]["folds"] == 5
    detail = client.get(
        f"/admin/intelligence/classifiermodel/{ClassifierModel.objects.get(version=2).pk}/change/"
    )
    assert detail.status_code == 200 and "macro_f1" in detail.content.decode()


def test_the_admins_evaluation_gives_the_same_numbers_as_the_commands(org, categories, intake, tmp_path):
    """The admin's button and `train_classifier` / `classifier_eval` on the same stored cases: the
    k-fold figures the admin shows are the command's, fold by fold."""
    from complaintdesk.intelligence import classifier, selectors

    from .test_services import _categorised_cases

    _categorised_cases(intake, org)
    org.executive.is_staff = org.executive.is_superuser = True
    org.executive.save()
    client = Client()
    client.force_login(org.executive)
    client.post("/admin/intelligence/classifiermodel/train/", follow=True)
    admin = ClassifierModel.objects.get(is_active=True).evaluation["kfold"]
    page = client.get("/admin/intelligence/classifiermodel/").content.decode()
    assert f"{admin['accuracy']['mean']:.3f} ± {admin['accuracy']['sd']:.3f}" in page

    texts, labels = selectors.training_examples()
    texts = [" ".join(t.split()) for t in texts]  # one line each; the normal form is the same
    everything = _write_tsv(tmp_path / "all.tsv", texts, labels)
    command = _run("train_classifier", "--tsv", everything, "--folds", "5", "--dry-run")
    assert (command["kfold_accuracy"], command["kfold_macro_f1"]) == (admin["accuracy"], admin["macro_f1"])

    assignment = classifier.stratified_folds(labels, 5)
    per_fold = []
    for fold in range(5):
        rows = list(zip(texts, labels, assignment, strict=True))
        train = _write_tsv(
            tmp_path / f"train{fold}.tsv", *zip(*[(t, lab) for t, lab, f in rows if f != fold], strict=True)
        )
        test = _write_tsv(
            tmp_path / f"test{fold}.tsv", *zip(*[(t, lab) for t, lab, f in rows if f == fold], strict=True)
        )
        figures = _run("classifier_eval", "--train", train, "--test", test)
        per_fold.append({"accuracy": figures["accuracy"], "macro_f1": figures["macro_f1"]})
    assert per_fold == [{"accuracy": f["accuracy"], "macro_f1": f["macro_f1"]} for f in admin["per_fold"]]
    assert round(sum(f["accuracy"] for f in per_fold) / 5, 4) == admin["accuracy"]["mean"]
    assert round(sum(f["macro_f1"] for f in per_fold) / 5, 4) == admin["macro_f1"]["mean"]
