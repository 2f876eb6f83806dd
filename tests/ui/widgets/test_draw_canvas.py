"""Drawing with the mouse: strokes light up pixels, the right button erases, the dialog returns."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDialog

from ui.widgets.draw_canvas import DrawCanvas
from ui.widgets.draw_dialog import DrawDialog


@pytest.fixture
def canvas(qtbot):
    c = DrawCanvas((28, 28))
    qtbot.addWidget(c)
    c.resize(280, 280)  # 10 screen pixels per logical pixel
    c.show()
    qtbot.waitExposed(c)
    return c


def _at(canvas, row, col):
    """Screen position of the centre of logical pixel (row, col)."""
    rect = canvas._target_rect()
    rows, cols = canvas.canvas_shape()
    return QPoint(
        int(rect.left() + (col + 0.5) * rect.width() / cols),
        int(rect.top() + (row + 0.5) * rect.height() / rows),
    )


def _drag(qtbot, canvas, points, button=Qt.MouseButton.LeftButton):
    qtbot.mousePress(canvas, button, pos=points[0])
    for p in points[1:]:
        # QTest's mouseMove does not carry held buttons on every platform: send the move ourselves
        event = QMouseEvent(
            QMouseEvent.Type.MouseMove, QPointF(p), QPointF(canvas.mapToGlobal(p)),
            Qt.MouseButton.NoButton, button, Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(canvas, event)
    qtbot.mouseRelease(canvas, button, pos=points[-1])


def test_canvas_starts_black_at_its_logical_resolution(canvas):
    img = canvas.image()
    assert img.shape == (28, 28) and img.dtype == np.float32 and not img.any()


def test_left_drag_paints_a_continuous_stroke(qtbot, canvas):
    _drag(qtbot, canvas, [_at(canvas, 14, 3), _at(canvas, 14, 24)])
    img = canvas.image()
    assert np.all(img[14, 3:25] > 0.9), "a fast drag must not leave gaps"
    assert img[3, 3] == 0.0 and img[25, 25] == 0.0
    assert img.max() <= 1.0


def test_a_click_paints_a_round_soft_dab(qtbot, canvas):
    canvas.set_brush_size(5)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=_at(canvas, 10, 10))
    img = canvas.image()
    assert img[10, 10] == 1.0
    row = img[10]
    assert np.count_nonzero(row > 0.5) == 5, "a 5 px brush paints a 5 px wide dab"
    rim = img[(img > 0) & (img < 1)]
    assert rim.size > 0, "the brush edge is soft (grey), like real digit strokes"
    assert np.allclose(img, img.T, atol=0.15)  # round: the same across rows as across columns
    assert img[8, 8] < 0.5, "round, not square: the dab's corner stays dark"


def test_right_drag_erases(qtbot, canvas):
    canvas.set_image(np.ones((28, 28)))
    _drag(qtbot, canvas, [_at(canvas, 5, 14), _at(canvas, 22, 14)], Qt.MouseButton.RightButton)
    img = canvas.image()
    assert np.all(img[5:23, 14] == 0.0)
    assert img[14, 2] == 1.0


def test_bigger_brush_paints_a_wider_stroke(qtbot, canvas):
    canvas.set_brush_size(1)
    _drag(qtbot, canvas, [_at(canvas, 5, 2), _at(canvas, 5, 25)])
    thin = np.count_nonzero(canvas.image())
    canvas.clear()
    canvas.set_brush_size(6)
    _drag(qtbot, canvas, [_at(canvas, 5, 2), _at(canvas, 5, 25)])
    assert np.count_nonzero(canvas.image()) > 2 * thin


def test_drawing_emits_sig_changed_and_one_stroke_finished(qtbot, canvas):
    changed, finished = [], []
    canvas.sigChanged.connect(lambda: changed.append(1))
    canvas.sigStrokeFinished.connect(lambda: finished.append(1))
    _drag(qtbot, canvas, [_at(canvas, 5, 5), _at(canvas, 5, 10), _at(canvas, 10, 10)])
    assert len(changed) >= 3 and len(finished) == 1


def test_moving_without_a_button_does_not_paint(qtbot, canvas):
    qtbot.mouseMove(canvas, _at(canvas, 10, 10))
    qtbot.mouseMove(canvas, _at(canvas, 20, 20))
    assert not canvas.image().any()


def test_clear_and_undo(qtbot, canvas):
    _drag(qtbot, canvas, [_at(canvas, 3, 3), _at(canvas, 3, 20)])
    drawn = canvas.image()
    canvas.clear()
    assert not canvas.image().any()
    assert canvas.undo()
    assert np.array_equal(canvas.image(), drawn)
    assert canvas.undo() and not canvas.image().any()  # back to before the stroke
    assert not canvas.undo()


def test_set_image_resizes_other_sizes_to_the_canvas(canvas):
    canvas.set_image(np.ones((56, 56)))
    assert canvas.image().shape == (28, 28) and np.allclose(canvas.image(), 1.0)


def test_set_image_refuses_nonsense(canvas):
    with pytest.raises(ValueError):
        canvas.set_image(np.full((4, 4), np.nan))


def test_large_canvas_maps_the_mouse_to_its_own_resolution(qtbot):
    c = DrawCanvas((256, 256), brush_size=4)
    qtbot.addWidget(c)
    c.resize(300, 400)  # not square: the image is centred, aspect kept
    c.show()
    qtbot.mouseClick(c, Qt.MouseButton.LeftButton, pos=_at(c, 200, 50))
    rows, cols = np.nonzero(c.image() == 1.0)
    assert abs(rows.mean() - 200) <= 1 and abs(cols.mean() - 50) <= 1


def test_dialog_returns_the_drawing_after_ok(qtbot):
    dialog = DrawDialog(shape=(28, 28))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    c = dialog.canvas
    _drag(qtbot, c, [_at(c, 14, 4), _at(c, 14, 23)])
    dialog.brush_spin.setValue(4.0)
    assert c.brush_size() == 4.0
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.image()[14, 10] > 0.9


def test_dialog_clear_button_blanks_the_canvas(qtbot):
    dialog = DrawDialog(shape=(64, 64), image=np.ones((64, 64)))
    qtbot.addWidget(dialog)
    dialog.findChild(type(dialog.buttons.button(dialog.buttons.StandardButton.Ok)),
                     "clearDrawingButton").click()
    assert not dialog.image().any()
