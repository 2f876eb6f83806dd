"""A run that diverges because of its weight decay is told so, not only to lower the rate."""

from cnnviz import data
from cnnviz.nn import architecture as arch
from cnnviz.train import Trainer


def _last(weight_decay, lr=1.0):
    ds = data.load_dataset("lines", seed=0)
    model = arch.build_model(arch.preset("classic", 2), ds.input_shape, 2, seed=0)
    trainer = Trainer(model, ds, optimizer="sgd", lr=lr, batch_size=16, epochs=3,
                      weight_decay=weight_decay)
    return list(trainer.steps())[-1]


def test_a_strong_weight_decay_that_blows_up_the_weights_is_named_as_the_cause():
    last = _last(weight_decay=5.0)
    assert last.diverged
    assert "weight decay 5 is too strong for learning rate 1" in last.message
    assert "1e-4 to 1e-3" in last.message


def test_a_mild_weight_decay_is_mentioned_after_the_learning_rate():
    last = _last(weight_decay=1e-4, lr=200.0)
    assert last.diverged
    assert "Try a lower learning rate" in last.message
    assert "smaller weight decay (now 0.0001)" in last.message
