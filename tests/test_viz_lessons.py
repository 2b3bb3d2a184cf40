"""The data and small helpers behind lessons 1 to 3: the history table, the AP example, the
quiz, the summary's character count and the loss pictures."""

import math

import numpy as np
import pytest
import torch

from ssd_core.metrics import evaluate_detections
from ssd_core.viz.ap_example import format_rows, plot_ap_example, ranked_rows, worked_example
from ssd_core.course.history import DETECTORS
from ssd_core.viz.history import detectors_table, plot_speed_accuracy
from ssd_core.viz.losses import plot_confidence_loss, plot_encoding, plot_smooth_l1, smooth_l1
from ssd_core.course.quiz import QUESTIONS
from ssd_core.viz.quiz import Quiz, check_answer
from ssd_core.homework.summary import MIN_CHARACTERS, count_characters, summary_box

# ------------------------------------------------------------------ history

#: SSD paper, Table 7 (VOC2007 test), typed in from the paper: mAP, FPS, boxes, input.
TABLE_7 = {
    "Faster R-CNN (VGG16)": (73.2, 7, "~6000", "~1000x600"),
    "Fast YOLO": (52.7, 155, "98", "448x448"),
    "YOLO (VGG16)": (66.4, 21, "98", "448x448"),
    "SSD300": (74.3, 46, "8732", "300x300"),
    "SSD512": (76.8, 19, "24564", "512x512"),
}


def test_history_matches_table_7():
    by_name = {d.name: d for d in DETECTORS}
    for name, (m, fps, boxes, size) in TABLE_7.items():
        d = by_name[name]
        assert (d.map, d.fps, d.boxes, d.input) == (m, fps, boxes, size) and d.in_table7
    assert by_name["SSD300"].fps_batch8 == 59 and by_name["SSD512"].fps_batch8 == 22
    # not in Table 7: marked approximate, numbers from their own papers
    assert by_name["R-CNN (VGG16)"].map == 66.0 and by_name["R-CNN (VGG16)"].approximate
    assert by_name["Fast R-CNN (VGG16)"].map == 70.0 and by_name["Fast R-CNN (VGG16)"].fps == 0.5
    assert by_name["Fast R-CNN (VGG16)"].approximate
    assert [d.year for d in DETECTORS] == sorted(d.year for d in DETECTORS)


def test_speed_accuracy_plot_puts_each_point_at_its_numbers():
    fig = plot_speed_accuracy()
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    for d in DETECTORS:
        line = [l for l in ax.lines if l.get_gid() == d.name][0]
        assert (line.get_xdata()[0], line.get_ydata()[0]) == (d.fps, d.map)
    assert "~R-CNN" in detectors_table() and "74.3" in detectors_table()


# ------------------------------------------------------------------ AP worked example


def test_worked_example_by_hand():
    ex = worked_example()
    r07 = evaluate_detections(ex["detections"], ex["ground_truths"], use_07_metric=True)
    r10 = evaluate_detections(ex["detections"], ex["ground_truths"], use_07_metric=False)
    # cat: precision 1, 1, 2/3, 1/2, 2/5, 1/2 at recall 1/3, 2/3, 2/3, 2/3, 2/3, 1
    assert r07.ap[1] == pytest.approx(9 / 11)                   # (7 x 1 + 4 x 0.5) / 11
    assert r10.ap[1] == pytest.approx(1 / 3 + 1 / 3 + 0.5 / 3)
    # dog: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1
    assert r07.ap[2] == pytest.approx((6 + 5 * 2 / 3) / 11)
    assert r10.ap[2] == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert r07.map == pytest.approx((9 / 11 + (6 + 10 / 3) / 11) / 2)
    rows = ranked_rows(r07, ex["detections"], 1)
    assert [r["tp"] for r in rows] == [True, True, False, False, False, True]
    assert [r["score"] for r in rows] == pytest.approx([0.95, 0.9, 0.8, 0.7, 0.6, 0.4])
    assert [r["precision"] for r in rows] == pytest.approx([1, 1, 2 / 3, 1 / 2, 2 / 5, 1 / 2])
    assert [r["image"] for r in rows] == [0, 1, 1, 2, 1, 1]
    assert len(ex["notes"][1]) == len(rows)
    assert "duplicate" in format_rows(rows, ex["notes"][1])
    fig = plot_ap_example(rows, r07.ap[1], "cat")
    pts = [l for l in fig.axes[0].lines if l.get_gid() == "eleven_points"][0]
    assert list(pts.get_ydata()) == pytest.approx([1] * 7 + [0.5] * 4)
    assert np.mean(pts.get_ydata()) == pytest.approx(r07.ap[1])


# ------------------------------------------------------------------ quiz


def test_every_question_has_exactly_one_correct_answer_and_both_languages():
    assert len(QUESTIONS) >= 5
    for q in QUESTIONS:
        assert sum(c.correct for c in q.choices) == 1
        assert len({c.text for c in q.choices}) == len(q.choices) >= 3
        assert q.prompt.en.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in q.prompt.zh)
        assert all(c.why for c in q.choices)
        assert q.choices[q.answer].correct


def test_feedback_logic():
    q = QUESTIONS[0]
    right = check_answer(q, q.answer)
    assert right.correct and right.message.startswith("Correct")
    wrong = check_answer(q, (q.answer + 1) % len(q.choices))
    assert not wrong.correct and wrong.message.startswith("Not quite")
    assert not check_answer(q, None).correct
    with pytest.raises(IndexError):
        check_answer(q, 99)
    # the paper's number is the right answer to question 1
    assert "8,732" in q.choices[q.answer].text.en


def test_quiz_widget_gives_immediate_feedback():
    quiz = Quiz()
    assert quiz.score == 0 and all(f.value == "" for f in quiz.feedback)
    quiz.answer(0, QUESTIONS[0].answer)
    assert "Correct" in quiz.feedback[0].value and quiz.score == 1
    quiz.answer(1, (QUESTIONS[1].answer + 1) % 4)
    assert "Not quite" in quiz.feedback[1].value and quiz.score == 1
    quiz.buttons[1].value = QUESTIONS[1].answer                  # a click changes the answer
    assert "Correct" in quiz.feedback[1].value and quiz.score == 2
    assert f"2 / {len(QUESTIONS)} correct" in quiz.total.value


# ------------------------------------------------------------------ summary character count


@pytest.mark.parametrize("text,n", [
    ("", 0),
    ("   \n\t ", 0),
    ("SSD", 3),
    ("单发多框检测器", 7),                                          # one per CJK character
    ("SSD 是 single-shot 的。", 17),                                # spaces do not count
    ("e\u0301", 1),                                                # e + combining accent = é
    ("默认框（default box）", 15),
])
def test_count_characters(text, n):
    assert count_characters(text) == n


def test_summary_box_counts_live():
    box = summary_box()
    assert box.count == 0 and not box.enough
    box.text.value = "字" * (MIN_CHARACTERS - 1)
    assert box.count == 99 and not box.enough and "1 more" in box.count_html.value
    box.text.value += "。"
    assert box.count == MIN_CHARACTERS and box.enough and "enough" in box.count_html.value
    prompt = box.widget.children[0].value
    assert "Homework" in prompt and "作业" in prompt


# ------------------------------------------------------------------ loss pictures


def test_smooth_l1_by_hand():
    assert smooth_l1([0.0, 0.5, -0.5, 1.0, 2.0, -3.0]) == pytest.approx([0, 0.125, 0.125, 0.5, 1.5, 2.5])
    x = torch.linspace(-3, 3, 61)
    ref = torch.nn.functional.smooth_l1_loss(x, torch.zeros_like(x), reduction="none", beta=1.0)
    assert smooth_l1(x.numpy()) == pytest.approx(ref.numpy(), abs=1e-6)
    fig = plot_smooth_l1()
    lines = {l.get_gid(): l for ax in fig.axes for l in ax.lines}
    i = np.argmin(np.abs(lines["smooth_l1"].get_xdata() - 2.0))
    assert lines["smooth_l1"].get_ydata()[i] == pytest.approx(1.5)
    assert lines["l2"].get_ydata()[i] == pytest.approx(2.0)
    assert np.abs(lines["smooth_l1_grad"].get_ydata()).max() == pytest.approx(1.0)


def test_encoding_bars_by_hand():
    # d = (0.5, 0.5, 0.2, 0.2); g = [0.45, 0.4, 0.65, 0.7] -> centre (0.55, 0.55), size 0.2 x 0.3
    fig = plot_encoding([0.5, 0.5, 0.2, 0.2], [0.45, 0.4, 0.65, 0.7])
    bars = [p.get_height() for p in fig.axes[1].patches if p.get_gid() == "encoded"]
    assert bars == pytest.approx([0.05 / 0.2 / 0.1, 0.05 / 0.2 / 0.1, 0.0, math.log(1.5) / 0.2], abs=1e-4)
    assert len(plot_confidence_loss().axes) == 1
