"""Looking inside a trained network, computed by the NumPy engine for any :class:`Sequential`.

One module per family of methods, every public name re-exported here::

    maps         activation_maps, saliency             which pixels move a score
    cam          grad_cam, grad_cam_all (and HiResCAM)  where a conv layer found evidence
    occlude      occlusion                              what hiding a patch costs
    integrated   integrated_gradients, make_baseline    attributions that add up
    featurevis   visualize                              what a filter would like to see
    patches      top_patches                            what it responds to in real images
    sanity       sanity_check                           does the map depend on the weights?
    adversarial  fgsm, pgd, smallest_flipping_epsilon   how little it takes to flip a decision
    render       Qt-free pictures of all of them (the command line's PNGs)

The functions run forward and backward passes on the model they are given but leave its
parameter gradients as they found them, so the GUI may call them on a model between training
steps (on its own copy, :func:`clone`, when another thread does the work). Long ones take
``task=``, anything with ``check()`` and ``progress(fraction)``, to report progress and to stop.
Images are (C, H, W) or (1, C, H, W): grey and colour alike. Layers are handled only through
their ``forward``, ``backward``, ``parameters`` and ``window``, so any model works.
"""

from cnnviz.explain._common import NO_TASK, Stage, clone, gaussian_blur, stages
from cnnviz.explain.adversarial import (
    ATTACKS,
    AttackResult,
    compare_robustness,
    fgsm,
    fgsm_direction,
    loss_gradient,
    pgd,
    smallest_flipping_epsilon,
)
from cnnviz.explain.cam import (
    CAM_VARIANTS,
    CamLayer,
    grad_cam,
    grad_cam_all,
    grad_cam_map,
    to_input_grid,
)
from cnnviz.explain.featurevis import (
    OBJECTIVES,
    FeatureVisResult,
    FeatureVisSettings,
    objective,
    unit_activations,
    unit_count,
    visualize,
)
from cnnviz.explain.integrated import BASELINES, IGResult, integrated_gradients, make_baseline
from cnnviz.explain.maps import activation_maps, saliency, saliency_batch
from cnnviz.explain.occlude import OcclusionResult, occlusion, window_starts
from cnnviz.explain.patches import TopPatches, crop_field, top_patches
from cnnviz.explain.sanity import (
    SanityResult,
    SanityStep,
    randomized,
    rank_correlation,
    sanity_check,
)

__all__ = [
    "ATTACKS", "BASELINES", "CAM_VARIANTS", "NO_TASK", "OBJECTIVES", "AttackResult", "CamLayer",
    "FeatureVisResult", "FeatureVisSettings", "IGResult", "OcclusionResult", "SanityResult",
    "SanityStep", "Stage",
    "TopPatches", "activation_maps", "clone", "compare_robustness", "crop_field", "fgsm",
    "fgsm_direction", "gaussian_blur", "grad_cam", "grad_cam_all", "grad_cam_map",
    "integrated_gradients", "loss_gradient", "make_baseline", "objective", "occlusion", "pgd",
    "randomized", "rank_correlation", "saliency", "saliency_batch", "sanity_check",
    "smallest_flipping_epsilon", "stages", "to_input_grid", "top_patches", "unit_activations",
    "unit_count", "visualize", "window_starts",
]
