"""The data and small helpers behind lessons 1 to 3: the history table, the AP example, the
quiz, the summary's character count and the loss pictures."""

import io
import math
import re
import unicodedata
import warnings

import numpy as np
import pytest

import ssd_core as ssd
from ssd_core import fonts
import torch

from ssd_core.metrics import evaluate_detections
from ssd_core.viz.ap_example import format_rows, plot_ap_example, ranked_rows, worked_example
from ssd_core.course.history import DETECTORS, SUCCESSORS
from ssd_core.i18n import _, using_language
from ssd_core.viz.history import detectors_table, plot_speed_accuracy, successors_table
from ssd_core.viz.losses import plot_confidence_loss, plot_encoding, plot_smooth_l1, smooth_l1
from ssd_core.course.quiz import QUESTIONS, QUIZZES
from ssd_core.viz.quiz import Quiz, check_answer, quiz_widget
from ssd_core.homework.summary import count_characters, summary_box
from tests.texts import cjk, figure_text

# ------------------------------------------------------------------ history

#: SSD paper, Table 7 (VOC2007 test), typed in from the paper: mAP, FPS, boxes, input.
TABLE_7 = {
    "Faster R-CNN (VGG16)": (73.2, 7, "~6000", "~1000×600"),
    "Fast YOLO": (52.7, 155, "98", "448×448"),
    "YOLO (VGG16)": (66.4, 21, "98", "448×448"),
    "SSD300": (74.3, 46, "8732", "300×300"),
    "SSD512": (76.8, 19, "24564", "512×512"),
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


def drawn(make):
    """``make()``'s figure saved as a PNG, and matplotlib's missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = make()
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    return fig, [str(w.message) for w in caught if "Glyph" in str(w.message)]


def columns(text: str) -> int:
    """Columns a line takes in a monospaced font (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _ap_example():
    ex = worked_example()
    result = evaluate_detections(ex["detections"], ex["ground_truths"], use_07_metric=True)
    return ex, result, ranked_rows(result, ex["detections"], 1)


def test_ap_example_and_history_in_chinese(language):
    language("zh")
    ex, result, rows = _ap_example()
    assert all(cjk(n) for notes in ex["notes"].values() for n in notes)
    table = format_rows(rows, ex["notes"][1]).splitlines()
    assert table[0].split() == ["排名", "图像", "得分", "TP/FP", "精确率", "召回率", "说明"]
    assert "重复检测" in table[3]
    # each header word ends over its column (the numbers are right-aligned)
    for word, value in (("精确率", "0.667"), ("召回率", "0.667")):
        head_end = columns(table[0][:table[0].index(word) + len(word)])
        assert table[3][:head_end].endswith(value)
    for make, word in ((lambda: plot_ap_example(rows, result.ap[1], "cat"), "召回率"),
                       (lambda: plot_ap_example(rows, result.ap[1]), "平均精度"),
                       (plot_speed_accuracy, "每秒帧数")):
        fig, missing = drawn(make)
        text = figure_text(fig)
        assert not missing and word in text and fonts.missing_glyphs(text) == []
    lines = detectors_table().splitlines()
    assert lines[0].split()[:3] == ["方法", "年份", "mAP"] and "不在表 7 中" in lines[-1]
    assert "约 2000 个候选区域" in lines[2]
    assert len({columns(line) for line in lines[:-1]}) == 1            # the columns line up
    # the numbers are the same in both languages
    assert "74.3" in detectors_table() and "~R-CNN" in detectors_table()


def test_ap_example_and_history_in_english_have_no_chinese(language):
    language("en")
    ex, result, rows = _ap_example()
    assert not any(cjk(n) for notes in ex["notes"].values() for n in notes)
    assert format_rows(rows, ex["notes"][1]).startswith("rank  image  score  TP/FP  precision")
    assert not cjk(detectors_table()) and detectors_table().startswith("method")
    for fig in (plot_ap_example(rows, result.ap[1], "cat"), plot_speed_accuracy()):
        assert not cjk(figure_text(fig))


def test_successors_table_in_both_languages(language):
    # the results with words besides numbers have a Chinese translation that keeps every number
    with using_language("zh"):
        chinese = {s.name: (_(s.idea), _(s.result)) for s in SUCCESSORS}
    worded = [s for s in SUCCESSORS if chinese[s.name][1] != s.result]
    assert {s.name for s in worded} >= {"DSSD", "YOLOv2", "RetinaNet", "YOLOv3", "DETR"}
    number = r"\d+(?:\.\d+)?"
    for s in worded:
        zh = chinese[s.name][1]
        assert cjk(zh) and not cjk(s.result), s.name
        assert sorted(re.findall(number, zh)) == sorted(re.findall(number, s.result))
    # what each one changed is always worded
    assert all(cjk(chinese[s.name][0]) and not cjk(s.idea) for s in SUCCESSORS)
    language("zh")
    zh = successors_table()
    assert "焦点损失比最好的在线难样本挖掘（OHEM）高 3.2 AP" in zh and "VOC2007 测试集 78.6 mAP" in zh
    assert "the focal loss beats" not in zh and " at 40 FPS" not in zh
    # the citations read as a Chinese textbook writes them: Lin 等人, 表 2, the numbers kept
    assert "[Lin 等人 2017，arXiv 1708.02002，表 2、表 1(d) 和 §5.1]" in zh
    assert "[Redmon 与 Farhadi 2018，arXiv 1804.02767，摘要和表 3]" in zh
    assert not re.search(r"et al\.|Table \d|abstract", zh)
    for s in SUCCESSORS:
        with using_language("zh"):
            cited = s.source
        with using_language("en"):
            assert s.source == s.source_msgid and not cjk(s.source), s.name
        assert cjk(cited) and re.findall(r"\d+", cited) == re.findall(r"\d+", s.source_msgid), s.name
    language("en")
    en = successors_table()
    assert not cjk(en) and "the focal loss beats the best online hard example mining" in en
    assert "VOC2007 test 78.6 mAP at 40 FPS (544 px)" in en
    assert "[Lin et al. 2017, arXiv 1708.02002, Table 2, Table 1(d) and §5.1]" in en
    # the detectors' citations too (Detector.cite), in both languages
    for d in DETECTORS:
        assert cjk(d.cite("zh")) and d.cite("en") == d.source and not cjk(d.source), d.name
        assert "Table" not in d.cite("zh"), d.name


# ------------------------------------------------------------------ quiz


@pytest.mark.parametrize("lesson", [1, 2, 3, 4, 5])
def test_every_lesson_has_three_to_five_questions_in_both_languages(lesson):
    questions = QUIZZES[lesson]
    assert 3 <= len(questions) <= 5
    number = re.compile(r"\d+(?:[.,]\d+)*")
    for q in questions:
        assert sum(c.correct for c in q.choices) == 1 and q.choices[q.answer].correct
        assert q.section
        with using_language("en"):
            en = (q.prompt, [c.text for c in q.choices], [c.why for c in q.choices], q.then)
        with using_language("zh"):
            zh = (q.prompt, [c.text for c in q.choices], [c.why for c in q.choices], q.then)
        assert en[0].strip() and not cjk(en[0]) and cjk(zh[0])
        for texts in (en[1], zh[1]):
            assert len(set(texts)) == len(q.choices) >= 3 and all(texts)
        assert not any(cjk(t) for t in en[1] + en[2])
        for why_en, why_zh in zip(en[2], zh[2]):
            assert why_en and cjk(why_zh)
            # the paper's numbers are filled in, in both languages
            assert "{" not in why_en + why_zh
            assert set(number.findall(why_en)) <= set(number.findall(why_zh)) | {"1", "2", "3"}, \
                (why_en, why_zh)
        assert (en[3] is None) == (zh[3] is None)
    # at least one question asks for a prediction, then a run
    with using_language("zh"):
        assert any(q.then is not None and cjk(q.then) for q in questions)


def test_quiz_numbers_are_the_papers():
    from ssd_core.course.facts import fact

    with using_language("en"):
        q = QUIZZES[1][0]
        assert q.choices[q.answer].text == f"{fact('ssd300_boxes'):,}" == "8,732"   # Table 7
        assert "= 8,732 (Table 7)" in q.choices[q.answer].why
        q = QUIZZES[2][3]
        assert q.choices[q.answer].text == "24,564"                                 # Table 7
        assert ssd.SSDConfig.ssd512().num_boxes == fact("ssd512_boxes")
        q = QUIZZES[5][2]
        assert q.choices[q.answer].text == "77.2"                                   # Table 6
    with using_language("zh"):                      # the numbers are the same in Chinese
        q = QUIZZES[1][0]
        assert q.choices[q.answer].text == "8,732" and "= 8,732（表 7）" in q.choices[q.answer].why
        # where the paper answers it: § and 表/图 as a Chinese textbook cites them
        assert [q.section for q in QUIZZES[1]] == ["§2.2，表 7", "§1、§2.1", "表 7",
                                                   "§3.1、§3.6，图 3、图 4"]
    with using_language("en"):
        assert [q.section for q in QUIZZES[1]] == ["2.2, Table 7", "1, 2.1", "Table 7",
                                                   "3.1, 3.6, Fig. 3, Fig. 4"]


#: Wrong options that were jokes, not misconceptions (the issue's examples): never again.
JOKES = ("single epoch", "Random weights", "the same as the previous image", "To make the network faster",
         "It cannot be trained")


def test_wrong_options_are_misconceptions_with_their_reason():
    """A wrong choice is something a student may really believe: never a joke, and its sentence
    says why it is wrong (more than a bare "No")."""
    for lesson, questions in QUIZZES.items():
        for q in questions:
            for c in q.choices:
                assert not any(j.lower() in c.text_msgid.lower() for j in JOKES), (lesson, c.text_msgid)
                if not c.correct:
                    assert len(c.why_msgid.split()) >= 4, (lesson, c.text_msgid, c.why_msgid)
    with using_language("zh"):
        texts = [c.text + c.why for q in (q for qs in QUIZZES.values() for q in qs) for c in q.choices]
    # the catalog's terms: 目标 not 物体, 轮 not epoch, × for sizes
    assert not [t for t in texts if "物体" in t or re.search(r"[Ee]poch", t)]
    assert not [t for t in texts if re.search(r"\d+x\d+", t)]


def test_the_quiz_facts_are_the_papers():
    """The facts the quiz states beyond PAPER_FACTS, checked against the paper's numbers."""
    from ssd_core.course.facts import fact

    with using_language("en"):
        whys = {c.why for qs in QUIZZES.values() for q in qs for c in q.choices}
    # 7 positives: the other 8,732 - 7 = 8,725 default boxes are the negatives
    assert fact("ssd300_boxes") - 7 == 8725
    assert any("8,725" in q.prompt_msgid for q in QUIZZES[3])
    # the 20 % of atrous is §3.2's text; Table 2 gives the mAP (74.2 against 74.3)
    atrous = next(w for w in whys if "dilation 6 spans" in w)
    assert "(74.2 against 74.3, Table 2)" in atrous and "20% (§3.2)" in atrous
    assert (fact("table2_no_atrous"), fact("table2_full")) == (74.2, 74.3)
    # +8.8 = 74.3 - 65.5 (Table 2); 46 / 7 = 6.6 (Table 7)
    assert round(fact("table2_full") - fact("table2_no_sampling"), 1) == 8.8
    assert round(fact("ssd300_fps") / fact("faster_rcnn_fps"), 1) == 6.6


def test_feedback_logic(language):
    language("en")
    q = QUESTIONS[0]
    right = check_answer(q, q.answer)
    assert right.correct and right.message.startswith("Correct")
    wrong = check_answer(q, (q.answer + 1) % len(q.choices))
    assert not wrong.correct and wrong.message.startswith("Not quite")
    assert not check_answer(q, None).correct
    with pytest.raises(IndexError):
        check_answer(q, 99)
    predict = QUIZZES[2][3]
    assert "ssd512().num_boxes" in check_answer(predict, 0).message
    language("zh")
    assert check_answer(q, q.answer).message.startswith("正确")


def test_quiz_widget_gives_immediate_feedback(language):
    language("en")
    quiz = Quiz()
    assert quiz.score == 0 and all(f.value == "" for f in quiz.feedback)
    quiz.answer(0, QUESTIONS[0].answer)
    assert "Correct" in quiz.feedback[0].value and quiz.score == 1
    quiz.answer(1, (QUESTIONS[1].answer + 1) % 4)
    assert "Not quite" in quiz.feedback[1].value and quiz.score == 1
    quiz.buttons[1].value = QUESTIONS[1].answer                  # a click changes the answer
    assert "Correct" in quiz.feedback[1].value and quiz.score == 2
    assert f"2 / {len(QUESTIONS)} correct" in quiz.total.value
    assert len(quiz_widget(3).questions) == len(QUIZZES[3])


def quiz_words(quiz: Quiz) -> str:
    """Everything the quiz widget says: prompts, answers, feedback and the score."""
    prompts = [box.children[0].value for box in quiz.widget.children[:-1]]
    answers = [label for b in quiz.buttons for label in b._options_labels]
    return "\n".join(prompts + answers + [f.value for f in quiz.feedback] + [quiz.total.value])


def test_the_quiz_widget_speaks_the_courses_language(language):
    language("zh")
    quiz = quiz_widget(2)
    predict = QUIZZES[2][3]
    quiz.answer(3, predict.answer)
    words = quiz_words(quiz)
    assert "SSD300 的哪张源特征图负责最小的目标？" in words and "论文 §2.2、§3.1" in words
    assert "conv4_3，即 38×38 的特征图" in words and "24,564" in words
    # the verdict says 正确 once; the sentence after it gives the reason
    assert "正确。 表 7：64×64×4" in quiz.feedback[3].value
    assert "正确。 正确" not in quiz_words(quiz)
    assert "运行下一个单元格：ssd.SSDConfig.ssd512().num_boxes。" in quiz.feedback[3].value
    assert f"答对 1 / {len(QUIZZES[2])} 题（已答 1 题）" in quiz.total.value
    language("en")
    quiz = quiz_widget(2)
    quiz.answer(3, predict.answer)
    words = quiz_words(quiz)
    assert not cjk(words) and "Which source feature map of SSD300" in words
    assert "Correct. Right (Table 7)" in quiz.feedback[3].value


def test_the_static_page_note_is_in_the_courses_language(language, monkeypatch):
    from ssd_core.viz import explorer

    shown = []
    monkeypatch.setattr(explorer, "display", shown.append)
    language("zh")
    explorer.show_static("<p>x</p>")
    assert "这是静态页面" in shown[-1].data and "Run > Run All Cells" in shown[-1].data
    language("en")
    explorer.show_static()
    assert len(shown) == 3 and shown[-1].data.startswith("<p><i>Static page: run the notebook")


# ------------------------------------------------------------------ the glossary (lesson 1)


def test_the_glossary_table_in_both_editions(language):
    from ssd_core.course.glossary import GLOSSARY, glossary_markdown

    zh, en = glossary_markdown("zh").splitlines(), glossary_markdown("en").splitlines()
    assert zh[0] == "| 英文 | 中文 | 其他叫法 | ssd_core 中的名字 | SSD-Tensorflow 中的名字 |"
    assert en[0] == "| English | 中文 | also called | ssd_core | SSD-Tensorflow |"
    # the rows are the same in both editions: English, Chinese, other Chinese names, code names
    assert zh[1:] == en[1:] and len(en) == 2 + len(GLOSSARY)
    assert ("| default box | 默认框 | 先验框（Caffe：prior box）；锚框（d2l：anchor box） | "
            "`default_boxes, priors` | `anchors (ssd_anchors_all_layers)` |") in en
    assert "| object detection | 目标检测 |  |  |  |" in en
    for t in GLOSSARY:
        assert cjk(t.zh) and not cjk(t.en) and (t.also == "" or cjk(t.also)), t.en
    assert sum(bool(t.also) for t in GLOSSARY) == 19
    # the terms the course decided (one per idea), each with its other names where it has some
    chosen = {t.en: (t.zh, t.also) for t in GLOSSARY}
    for en_term, zh_term, other in (("object", "目标", "物体"), ("prediction head", "预测头", "检测头"),
                                    ("training schedule", "训练方案", "学习率计划"),
                                    ("feature map", "特征图", ""), ("source feature map", "源特征图", ""),
                                    ("stride", "步幅", "步长"), ("step between box centres", "中心间距", ""),
                                    ("zoom out", "缩小（zoom out）", ""),
                                    ("photometric distortion", "光度畸变", "光度失真"),
                                    ("anchor box", "锚框", "d2l"),
                                    ("one-stage / two-stage detector", "单阶段 / 两阶段检测器", "单发")):
        assert chosen[en_term][0] == zh_term and other in chosen[en_term][1], en_term
    # and nothing else in the table breaks the catalog's rules (half-width punctuation after 汉字)
    assert not re.search(r"[\u4e00-\u9fff][,;:?!(]", "\n".join(zh))
    language("en")
    assert glossary_markdown().splitlines() == en               # the current language


# ------------------------------------------------------------------ 字数, the summary's count


@pytest.mark.parametrize("text,n", [
    # the examples: two English sentences must not pass as 100 字
    ("SSD uses default boxes on six feature maps and needs no proposals.", 12),
    ("SSD的精髓是multi-scale feature maps上的default boxes", 12),
    ("SSD 很快", 3),
    ("", 0),
    ("   \n\t ", 0),
    ("，。！？、——……（）《》“”", 0),                                 # punctuation is zero
    ("单发多框检测器", 7),                                          # one per CJK character
    ("默认框（default box）", 5),                                    # 默 认 框 + default + box
    ("SSD's mAP is 74.3 on 8,732 boxes", 7),                       # ' and digit . , join
    ("state-of-the-art", 1),
    ("e\u0301cole", 1),                                            # combining accent: one word
    ("3:1 的比例", 4),                                              # 3:1, 的, 比, 例
    ("Ｓ Ｓ Ｄ", 3),                                                 # full-width letters are words
])
def test_count_characters(text, n):
    assert count_characters(text) == n


def test_summary_box_counts_each_part_live(tmp_path):
    box = summary_box(folder=tmp_path)
    assert box.count == 0 and not box.enough
    box.boxes["essence"].value = "字" * 39
    assert "39 / 40" in box.counts["essence"].value and "1 short" in box.counts["essence"].value
    box.boxes["essence"].value += "字"
    box.boxes["weaknesses"].value = "小目标" * 10
    box.boxes["improvements"].value = "特征融合" * 7 + "FPN"
    assert box.count == 40 + 30 + 29 and not box.enough          # 99 of 100
    box.boxes["improvements"].value += " DSSD"
    assert box.count == 100 and box.enough and "100 / 100" in box.total_html.value
    # a long essence does not make up for a missing part
    box.boxes["weaknesses"].value = ""
    box.boxes["essence"].value = "字" * 200
    assert box.count >= 100 and not box.enough


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
