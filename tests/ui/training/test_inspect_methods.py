"""The Inspect area's method selector: every method computes off the GUI thread on a copy of the
model, shows what the engine computes, explains itself, and exports PNG and .npy."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QScrollArea

from cnnviz import data, explain
from cnnviz.io import save_model
from cnnviz.nn import architecture as arch
from cnnviz.train import Trainer

METHOD_KEYS = ["overview", "gradCamLayers", "occlusion", "integratedGradients", "sanityCheck",
               "featureVis", "topPatches", "adversarial"]


@pytest.fixture(scope="module")
def lines_weights():
    """A classic small net trained on the studio's default lines data (same seed: same data)."""
    ds = data.load_dataset("lines")
    spec = arch.preset("classic", ds.n_classes)
    model = arch.build_model(spec, ds.input_shape, ds.n_classes, seed=0)
    for _ in Trainer(model, ds, "adam", 0.01, 32, 3).steps():
        pass
    return spec, model.state_dict()


@pytest.fixture
def panel(qtbot, studio, lines_weights):
    spec, state = lines_weights
    studio.session.load_model(spec, state)
    studio.tabs.setCurrentWidget(studio.inspect_panel)
    studio.inspect_panel.show_sample(5)
    return studio.inspect_panel


def computed(qtbot, panel, key, timeout=20000):
    """Select method ``key`` and wait for its first result."""
    view = panel.views[key]
    with qtbot.waitSignal(view.sigComputed, timeout=timeout):
        panel.set_method(key)
        if not view.auto:
            view.compute_button.click()
    return view


def test_the_selector_offers_every_method_and_shows_the_one_chosen(panel):
    combo = panel.method_combo
    assert [combo.itemData(i) for i in range(combo.count())] == METHOD_KEYS
    for key in METHOD_KEYS:
        assert panel.set_method(key) is panel.current_view()
        assert panel.current_view().objectName() == f"{key}View"


def test_every_method_has_a_why_note_in_its_own_words(panel):
    for view in panel.views.values():
        text = view.why_label.text()
        assert len(text) > 200 and view.why_label.isVisibleTo(view)
        assert "trust" in text.lower() or "proves" in text.lower()


@pytest.mark.parametrize("key", ["gradCamLayers", "occlusion", "integratedGradients",
                                 "sanityCheck", "adversarial"])
def test_each_automatic_method_computes_when_chosen(qtbot, panel, key):
    view = computed(qtbot, panel, key)
    assert view.result() is not None
    assert view.export_button.isEnabled()
    assert "error" not in view.message.text().lower()


def test_the_first_look_moves_to_the_background_once_it_is_slow(qtbot, panel, monkeypatch):
    from ui.training.inspect import overview_view

    view = panel.set_method("overview")
    assert view.result() is not None and not view.is_busy()     # drawn at once
    monkeypatch.setattr(overview_view, "GUI_BUDGET_S", 0.0)      # as if it had taken too long
    panel.show_sample(6)                                          # measured: too slow
    with qtbot.waitSignal(view.sigComputed, timeout=10000):
        panel.show_sample(7)
        assert view.is_busy()                                     # now in the task runner
    assert len(panel.activation_summary()) == 5


def test_occlusion_shows_what_the_engine_computes_for_the_sample(qtbot, panel):
    view = computed(qtbot, panel, "occlusion")
    s = view.subject()
    with qtbot.waitSignal(view.sigComputed, timeout=10000):
        view.patch_spin.setValue(3)
    expected = explain.occlusion(s.model, s.x, s.target, 3, 2, 0.5)
    np.testing.assert_allclose(view.result().drops, expected.drops, atol=1e-6)
    assert "patch positions" in view.message.text()


def test_the_computation_runs_on_a_copy_in_the_background(qtbot, panel, monkeypatch):
    from ui.training.inspect import occlusion_view

    seen = {}
    real = occlusion_view.occlusion_task

    def spy(task, model, *args):
        import threading

        seen["thread"] = threading.current_thread()
        seen["model"] = model
        return real(task, model, *args)

    monkeypatch.setattr(occlusion_view, "occlusion_task", spy)
    computed(qtbot, panel, "occlusion")
    import threading

    assert seen["thread"] is not threading.main_thread()
    assert seen["model"] is not panel.views["occlusion"].subject().model


def test_integrated_gradients_show_the_completeness_check(qtbot, panel):
    view = computed(qtbot, panel, "integratedGradients")
    with qtbot.waitSignal(view.sigComputed, timeout=10000):
        view.steps_slider.setValue(256)
    r = view.result()
    assert r.steps == 256 and r.completeness_error < 0.01
    assert f"{r.sum_attributions:.3f}" in view.completeness_label.text()
    assert "too few steps" not in view.completeness_label.text()
    with qtbot.waitSignal(view.sigComputed, timeout=10000):
        view.steps_slider.setValue(1)
    one_step = view.result()
    assert one_step.steps == 1 and one_step.completeness_error > 0.01
    assert "too few steps" in view.completeness_label.text()


def test_changing_the_baseline_recomputes_from_that_baseline(qtbot, panel):
    view = computed(qtbot, panel, "integratedGradients")
    with qtbot.waitSignal(view.sigComputed, timeout=10000):
        view.baseline_combo.setCurrentIndex(view.baseline_combo.findData("mean"))
    mean = panel.views["integratedGradients"].subject().dataset.x_train.mean(axis=0)
    np.testing.assert_allclose(view.result().baseline, mean, rtol=1e-6)


def test_grad_cam_shows_one_map_per_conv_layer(qtbot, panel):
    view = computed(qtbot, panel, "gradCamLayers")
    assert len(view.result()) == 1
    assert sum(p.plot.isVisibleTo(view) for p in view.panels) == 1


def test_hirescam_is_one_choice_away(qtbot, panel):
    view = computed(qtbot, panel, "gradCamLayers")
    with qtbot.waitSignal(view.sigComputed, timeout=10000):
        view.variant_combo.setCurrentIndex(view.variant_combo.findData("hirescam"))
    s = view.subject()
    expected = explain.grad_cam_all(s.model, s.x, s.target, "hirescam")
    np.testing.assert_allclose(view.result()[0].coarse, expected[0].coarse, rtol=1e-5)


def test_feature_visualisation_waits_for_compute_and_fills_a_grid(qtbot, panel):
    view = panel.set_method("featureVis")
    assert view.result() is None and not view.is_busy()
    assert [view.layer_combo.itemText(i) for i in range(view.layer_combo.count())] == \
        ["conv layer 1: Conv2D 4@3x3", "class scores"]
    view.steps_spin.setValue(32)
    with qtbot.waitSignal(view.sigComputed, timeout=20000):
        view.compute_button.click()
        assert view.is_busy() and view.progress.isVisibleTo(view)   # returned at once
    vis, test_mean = view.result()
    assert vis.images.shape == (4, 1, 8, 8) and test_mean.shape == (4,)
    assert view.grid.shown is not None and "test set's mean" in view.message.text()


def test_stop_ends_a_long_computation_and_keeps_the_gui_free(qtbot, panel):
    view = panel.set_method("featureVis")
    view.steps_spin.setValue(2048)
    view.compute_button.click()
    assert view.stop_button.isVisibleTo(view)
    with qtbot.assertNotEmitted(view.sigComputed, wait=200):
        view.stop_button.click()
    qtbot.waitUntil(lambda: not view.stop_button.isVisibleTo(view), timeout=5000)
    assert view.result() is None and view.message.text() == "Stopped."


def test_new_weights_mark_a_manual_result_out_of_date(qtbot, panel, lines_weights):
    view = panel.set_method("featureVis")
    view.steps_spin.setValue(16)
    with qtbot.waitSignal(view.sigComputed, timeout=20000):
        view.compute_button.click()
    ctx = panel._context
    ctx.set_state({k: v * 1.01 for k, v in lines_weights[1].items()})
    panel.update_view()
    assert "press Compute" in view.message.text()


def test_top_patches_cut_nine_receptive_fields_per_filter(qtbot, panel):
    view = computed(qtbot, panel, "topPatches")
    top = view.result()
    assert top.patches.shape == (4, 9, 1, 3, 3) and top.field == 3
    assert "receptive field" in view.message.text()


def test_the_sanity_check_reports_rank_correlations(qtbot, panel):
    view = computed(qtbot, panel, "sanityCheck")
    assert len(view.result().steps) == 3
    assert "ρ" in view.message.text() and "saliency" in view.message.text()


def test_the_epsilon_slider_updates_the_prediction_at_once(panel):
    view = panel.set_method("adversarial")
    view.set_epsilon(0.2)
    r = view.result()
    assert r.epsilon == pytest.approx(0.2) and r.max_abs_perturbation <= 0.2 + 1e-6
    assert view.bars.bars.opts["height"] == pytest.approx(list(r.probabilities))
    view.set_epsilon(0.0)
    assert view.result().epsilon == 0.0 and not view.result().flipped


def test_pgd_runs_in_the_background(qtbot, panel):
    view = panel.set_method("adversarial")
    with qtbot.waitSignal(view.sigComputed, timeout=10000):
        view.attack_combo.setCurrentIndex(view.attack_combo.findData("pgd"))
    assert view.result().max_abs_perturbation <= view.epsilon() + 1e-6


def test_the_smallest_flipping_epsilon_is_found_and_set(qtbot, panel):
    view = panel.set_method("adversarial")
    qtbot.waitUntil(lambda: view.result() is not None)
    view.smallest_button.click()
    qtbot.waitUntil(lambda: "ε" in view.found_label.text() and not view.is_busy(),
                    timeout=20000)
    assert "smallest flipping ε" in view.found_label.text()
    assert view.result().flipped                  # the slider moved there


def test_another_model_file_is_attacked_on_the_same_image(qtbot, panel, tmp_path):
    mlp = arch.build_model([{"type": "flatten"}, {"type": "dense", "out_features": 2}],
                           (1, 8, 8), 2, seed=1)
    save_model(mlp, tmp_path / "mlp.npz")
    view = panel.set_method("adversarial")
    view.compare_with(str(tmp_path / "mlp.npz"))
    qtbot.waitUntil(lambda: "mlp.npz" in view.message.text(), timeout=20000)
    assert "this model" in view.message.text()


def test_a_model_file_for_other_images_is_explained(qtbot, panel, tmp_path):
    other = arch.build_model([{"type": "flatten"}, {"type": "dense", "out_features": 2}],
                             (1, 12, 12), 2)
    save_model(other, tmp_path / "big.npz")
    view = panel.set_method("adversarial")
    view.compare_with(str(tmp_path / "big.npz"))
    qtbot.waitUntil(lambda: "cannot read this image" in view.message.text(), timeout=20000)


@pytest.mark.parametrize("key", ["occlusion", "integratedGradients", "gradCamLayers",
                                 "featureVis", "adversarial"])
def test_every_result_exports_as_png_and_npy(qtbot, panel, monkeypatch, tmp_path, key):
    from PySide6.QtGui import QImage

    view = computed(qtbot, panel, key)
    for name in ("result.png", "result.npy"):
        path = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, p=path, **k: (str(p), "")))
        view.export_button.click()
        assert path.is_file()
    assert not QImage(str(tmp_path / "result.png")).isNull()
    raw = np.load(tmp_path / "result.npy")
    assert raw.shape == np.asarray(view.export_data().raw).shape


def test_a_network_without_convolutions_is_explained_where_it_can_be(qtbot, studio):
    ds = studio.dataset_panel.dataset()
    spec = [{"type": "flatten"}, {"type": "dense", "out_features": ds.n_classes}]
    model = arch.build_model(spec, ds.input_shape, ds.n_classes, seed=0)
    studio.session.load_model(spec, model.state_dict())
    studio.tabs.setCurrentWidget(studio.inspect_panel)
    panel = studio.inspect_panel
    view = computed(qtbot, panel, "gradCamLayers")
    assert "no conv layer" in view.message.text()
    patches = panel.set_method("topPatches")
    patches.compute_button.click()
    assert "no conv layer" in patches.message.text()
    vis = panel.set_method("featureVis")
    assert vis.layer_combo.count() == 1 and vis.layer_combo.itemText(0) == "class scores"
    computed(qtbot, panel, "integratedGradients")


def test_in_a_short_window_the_why_note_scrolls_instead_of_covering_the_result(qtbot, panel):
    view = computed(qtbot, panel, "gradCamLayers")
    view.setFixedHeight(190)  # about what a method gets in a 1024x700 window
    qtbot.wait(50)
    scroll = view.findChild(QScrollArea, "whyScroll")
    pictures = [p.plot.geometry() for p in view.panels if p.plot.isVisibleTo(view)]
    message = view.message.geometry()
    assert all(not message.intersects(picture) for picture in pictures)
    assert not message.intersects(scroll.geometry())
    assert scroll.verticalScrollBar().maximum() > 0  # the rest of the note is a scroll away


def test_at_full_height_the_why_note_shows_whole(qtbot, panel):
    view = computed(qtbot, panel, "gradCamLayers")
    view.setFixedHeight(600)
    qtbot.wait(50)
    assert view.findChild(QScrollArea, "whyScroll").verticalScrollBar().maximum() == 0


def test_changing_the_data_set_drops_a_result_that_explained_the_old_model(qtbot, studio, panel):
    view = computed(qtbot, panel, "adversarial")
    assert view.result() is not None
    studio.dataset_panel.combo.setCurrentIndex(studio.dataset_panel.combo.findData("digits"))
    qtbot.waitUntil(lambda: studio.dataset_panel.dataset().name == "digits", timeout=20000)
    assert view.result() is None
    assert not view.body_box.isVisibleTo(view)
    assert "Nothing to explain yet" in view.message.text()
    assert not view.export_button.isEnabled()


def test_a_new_result_shows_the_pictures_again(qtbot, studio, panel, lines_weights):
    computed(qtbot, panel, "occlusion")
    studio.session.reset()
    spec, state = lines_weights
    studio.session.load_model(spec, state)
    view = computed(qtbot, panel, "occlusion")
    assert view.body_box.isVisibleTo(view)


def _lines_mlp(seed=1):
    return arch.build_model([{"type": "flatten"}, {"type": "dense", "out_features": 2}],
                            (1, 8, 8), 2, seed=seed)


def test_the_why_cnns_models_of_this_data_are_attacked_on_the_same_image(qtbot, panel):
    view = panel.set_method("adversarial")
    assert not view.compare_why_button.isEnabled()  # nothing offered yet
    view.offer_models("Shift", {"MLP": _lines_mlp(), "CNN": _lines_mlp(2)},
                      data.load_dataset("lines"))
    assert view.compare_why_button.isEnabled()
    view.compare_why_button.click()
    qtbot.waitUntil(lambda: "MLP (Shift)" in view.message.text(), timeout=20000)
    assert "CNN (Shift)" in view.message.text() and "this model" in view.message.text()


def test_why_cnns_models_of_other_data_are_not_offered(panel):
    view = panel.set_method("adversarial")
    digits_mlp = arch.build_model([{"type": "flatten"}, {"type": "dense", "out_features": 10}],
                                  (1, 8, 8), 10, seed=1)
    view.offer_models("Shift", {"MLP": digits_mlp}, data.load_dataset("digits"))
    assert view.why_models() == {}
    assert not view.compare_why_button.isEnabled()


def test_a_new_run_of_an_experiment_replaces_its_offered_models(panel):
    view = panel.set_method("adversarial")
    lines = data.load_dataset("lines")
    view.offer_models("Shift", {"MLP": _lines_mlp(), "CNN": _lines_mlp(2)}, lines)
    view.offer_models("Shift", {"MLP": _lines_mlp(3)}, lines)
    assert list(view.why_models()) == ["MLP (Shift)"]
