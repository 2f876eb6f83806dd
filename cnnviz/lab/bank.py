"""A conv layer as the playground shows it: input channels x a bank of filters, then layer 2.

Filter ``f``'s map is the sum over input channels ``c`` of one partial map each (channel ``c``
cross-correlated with kernel slice ``f, c``), plus the filter's bias, then ReLU and pooling. Layer 2
(:mod:`cnnviz.lab.stack`) reads the F pooled maps the same way. Computing the partial maps one by
one costs nothing extra and lets :class:`LayerCache` redo only what an edit changed: one clicked
weight recomputes one partial map, that filter's sum, ReLU and pooling, and layer 2's slice for
that map; everything else is reused. Every step is a function of :mod:`cnnviz.lab.conv`, so a
result from the cache equals one computed from scratch exactly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from cnnviz.lab.conv import (
    ConvSettings,
    PlaygroundResult,
    as_planes,
    as_sentence,
    check_inputs,
    combine,
    partial_map,
    pool_map,
)
from cnnviz.lab.stack import Layer2, check_layer2, layer2_settings

__all__ = ["LayerCache", "compute_bank", "result_for_filter"]


def _stack(maps: list[np.ndarray]) -> np.ndarray:
    """Maps (each (h, w)) as one (n, h, w) array; one map without a copy."""
    return maps[0][None] if len(maps) == 1 else np.stack(maps)


class LayerCache:
    """Computes :class:`~cnnviz.lab.conv.PlaygroundResult` objects, reusing unchanged maps.

    The arrays it hands out are never modified afterwards, so earlier results stay valid.

    Attributes
    ----------
    computed : collections.Counter
        How many ``"partial"`` (layer-1), ``"filter"`` (sum, ReLU, pooling) and
        ``"layer2_partial"`` maps were computed since the cache was made: what an edit cost.
    """

    def __init__(self) -> None:
        self.computed: Counter = Counter()
        self._image: np.ndarray | None = None
        self._planes: np.ndarray | None = None
        self._geometry: tuple | None = None
        self._partials: dict[tuple[int, int], tuple[bytes, np.ndarray]] = {}
        self._filters: dict[int, tuple[tuple, tuple]] = {}
        self._layer2: dict[int, tuple[tuple, np.ndarray]] = {}

    def compute(
        self,
        image: np.ndarray,
        kernels: np.ndarray,
        biases: np.ndarray,
        settings: ConvSettings,
        selected: int = 0,
        layer2: Layer2 | None = None,
    ) -> PlaygroundResult:
        """The layer for these inputs; never raises (problems are sentences in ``error``).

        Parameters
        ----------
        image : ndarray, shape (H, W) grey or (3, H, W) RGB, values in [0, 1]
        kernels : ndarray, shape (F, C, k, k)
        biases : ndarray, shape (F,)
        settings : ConvSettings
            Its ``bias`` is ignored: ``biases`` holds one per filter.
        selected : int
            The filter whose map is ``output`` (clipped to the bank).
        layer2 : Layer2 or None
            A second layer over the F maps, or None.
        """
        image = np.asarray(image, dtype=np.float32)
        kernels = np.asarray(kernels, dtype=np.float64)
        n_filters = kernels.shape[0] if kernels.ndim == 4 else 1
        selected = min(max(int(selected), 0), n_filters - 1)
        biases = np.resize(np.asarray(biases, dtype=np.float64).reshape(-1), n_filters)
        settings = _with_bias(settings, float(biases[selected]))
        kernel = kernels[selected] if kernels.ndim == 4 else kernels
        if image.ndim == 2 and kernel.ndim == 3 and kernel.shape[0] == 1:
            kernel = kernel[0]  # a grey image's kernel is one (k, k) slice
        base = dict(
            image=image, kernel=kernel, settings=settings, kernels=kernels, selected=selected,
            channels="grey" if image.ndim == 2 else "rgb",
            bias=float(biases[0]) if n_filters == 1 else biases,
        )
        problem = check_inputs(image, kernels, biases, settings)
        if problem is not None:
            return PlaygroundResult(output=None, pooled=None, error=problem, **base)
        self._use_image(image, settings)
        try:
            maps = [self._filter(kernels, biases, settings, f) for f in range(n_filters)]
        except ValueError as exc:  # the engine's sentence is already meant for the user
            return PlaygroundResult(output=None, pooled=None, error=as_sentence(str(exc)), **base)
        return self._assemble(base, maps, selected, layer2, settings)

    # -- layer 1 ----------------------------------------------------------------------------------
    def _use_image(self, image: np.ndarray, settings: ConvSettings) -> None:
        geometry = (settings.stride, settings.padding, settings.padding_mode, settings.dilation)
        if image is not self._image or geometry != self._geometry:
            self._image, self._planes, self._geometry = image, as_planes(image), geometry
            self._partials.clear()

    def _partial(self, f: int, c: int, kernel: np.ndarray, settings: ConvSettings) -> np.ndarray:
        key = kernel.tobytes() + bytes(str(kernel.shape), "ascii")
        cached = self._partials.get((f, c))
        if cached is not None and cached[0] == key:
            return cached[1]
        part = partial_map(self._planes[c], kernel, settings)
        self._partials[(f, c)] = (key, part)
        self.computed["partial"] += 1
        return part

    def _filter(self, kernels, biases, settings, f: int) -> tuple:
        """(partials, pre_relu, output, pooled, pool_error) of filter ``f``."""
        partials = tuple(
            self._partial(f, c, kernels[f, c], settings) for c in range(kernels.shape[1])
        )
        key = (tuple(map(id, partials)), float(biases[f]), settings.relu, settings.pool,
               settings.pool_size, settings.pool_stride)
        cached = self._filters.get(f)
        if cached is not None and cached[0] == key:
            return cached[1]
        pre = combine(partials, biases[f])
        output = np.maximum(pre, 0) if settings.relu else pre
        pooled, pool_error = pool_map(output, settings)
        maps = (partials, pre, output, pooled, pool_error)
        self._filters[f] = (key, maps)
        self.computed["filter"] += 1
        return maps

    def _assemble(self, base: dict, maps: list, selected: int, layer2: Layer2 | None,
                  settings: ConvSettings) -> PlaygroundResult:
        partials, pre, output, pooled, pool_error = maps[selected]
        pooled_all = None if pool_error or settings.pool == "none" else _stack([m[3] for m in maps])
        fields = dict(
            base, output=output, pooled=pooled, error=pool_error, pre_relu=pre,
            channel_outputs=_stack(list(partials)), outputs=_stack([m[2] for m in maps]),
            pooled_outputs=pooled_all,
        )
        if layer2 is not None:
            fields.update(self._layer2_fields(layer2, maps, settings, pool_error))
        return PlaygroundResult(**fields)

    # -- layer 2 ----------------------------------------------------------------------------------
    def _layer2_fields(self, layer2: Layer2, maps: list, settings: ConvSettings,
                       pool_error: str | None) -> dict:
        kernel = np.asarray(layer2.kernel, dtype=np.float64)
        fields = dict(layer2=layer2, layer2_kernel=kernel)
        if pool_error is not None:
            return dict(fields, layer2_error="Layer 2 reads the pooled maps: " + pool_error)
        inputs = [m[3] if settings.pool != "none" else m[2] for m in maps]
        problem = check_layer2(layer2, (len(inputs),) + inputs[0].shape)
        if problem is not None:
            return dict(fields, layer2_input=_stack(inputs), layer2_error=problem)
        geometry = layer2_settings(layer2)
        partials = [self._layer2_partial(f, m, kernel[f], geometry) for f, m in enumerate(inputs)]
        pre = combine(partials, layer2.bias)
        output = np.maximum(pre, 0) if layer2.relu else pre
        return dict(fields, layer2_input=_stack(inputs), layer2_output=output, layer2_pre_relu=pre,
                    layer2_channel_outputs=_stack(partials))

    def _layer2_partial(self, f: int, source: np.ndarray, kernel: np.ndarray,
                        geometry: ConvSettings) -> np.ndarray:
        key = (id(source), kernel.tobytes(), kernel.shape, geometry.padding)
        cached = self._layer2.get(f)
        if cached is not None and cached[0] == key and cached[2] is source:
            return cached[1]
        part = partial_map(source, kernel, geometry)
        self._layer2[f] = (key, part, source)
        self.computed["layer2_partial"] += 1
        return part


def _with_bias(settings: ConvSettings, bias: float) -> ConvSettings:
    return settings if settings.bias == bias else replace(settings, bias=bias)


def result_for_filter(result: PlaygroundResult, index: int) -> PlaygroundResult:
    """``result`` as if filter ``index`` of its bank were the selected one: its kernel, bias,
    map and pooled map (``pre_relu`` and ``channel_outputs`` are the selected filter's only, so
    they are None here)."""
    if index == result.selected or result.kernels is None or result.outputs is None:
        return result
    kernel = result.kernels[index]
    if result.image.ndim == 2:
        kernel = kernel[0]
    bias = float(np.atleast_1d(result.bias)[index])
    pooled = None if result.pooled_outputs is None else result.pooled_outputs[index]
    return replace(result, kernel=kernel, output=result.outputs[index], pooled=pooled,
                   pre_relu=None, channel_outputs=None, selected=index,
                   settings=_with_bias(result.settings, bias))


def compute_bank(
    image: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray,
    settings: ConvSettings | None = None,
    selected: int = 0,
    layer2: Layer2 | None = None,
) -> PlaygroundResult:
    """One layer (and optionally layer 2) computed from scratch; see :meth:`LayerCache.compute`.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (3, H, W)
    kernels : ndarray, shape (F, C, k, k)
    biases : ndarray, shape (F,)
    settings : ConvSettings, optional
    selected : int
    layer2 : Layer2 or None
    """
    return LayerCache().compute(image, kernels, biases, settings or ConvSettings(), selected,
                                layer2)
