"""The metric registry is the one declaration: summaries, sweeps, labels and docs agree with it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import feedsim
from feedsim.metrics import registry
from feedsim.plots.labels import metric_label
from feedsim.sweeps import spec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


@pytest.fixture(scope="module")
def results():
    G = feedsim.networks.default_community(300, seed=2)
    chron = feedsim.Simulation(G, ranker="chronological", seed=4).run(days=2)
    eng = feedsim.Simulation(G, ranker="engagement", seed=4).run(days=2)
    return chron, eng


def test_summary_reports_exactly_the_registry_in_its_order(results):
    chron, eng = results
    s = eng.summary(baseline=chron)
    metric_keys = [k for k in s if k not in ("ranker", "days", "config", "seed", "interventions")]
    expected = [m.name for m in registry.METRICS if not m.paired]
    expected += [m.name for m in registry.METRICS if m.paired and m.compute is not None]
    assert metric_keys == expected
    assert "amplification" not in chron.summary()


def test_every_own_metric_has_a_function():
    assert all(m.compute is not None for m in registry.METRICS if not m.paired)


def test_values_lie_in_declared_bounds_and_have_declared_kind(results):
    chron, eng = results
    s = eng.summary(baseline=chron)
    for m in registry.METRICS:
        if m.name not in s:
            continue
        value = s[m.name]
        values = list(value.values()) if m.kind == "role" else [value]
        if m.kind == "role":
            assert set(value) <= set(feedsim.ROLES), m.name
        for v in values:
            if v is None:  # NaN (undefined) is reported as None
                continue
            assert m.low <= v <= m.high, (m.name, v)


def test_daily_series_are_the_declared_ones(results):
    _, eng = results
    assert tuple(eng.daily) == registry.DAILY_SERIES
    for d in registry.DAILY:
        assert (eng.daily[d.name].ndim == 2) == d.by_role, d.name


def test_sweeps_read_the_registry():
    assert spec.SCALAR_METRICS == registry.SCALAR_METRICS
    assert spec.ROLE_METRICS == registry.ROLE_METRICS
    assert spec.DAILY_SERIES == registry.DAILY_SERIES
    assert spec.metric_bounds("voice_ratio.quiet") == (0.0, math.inf)
    assert spec.metric_bounds("impression_share.quiet") == (0.0, 1.0)
    assert spec.metric_bounds("amplification.quiet") == (-1.0, math.inf)
    # a sweep keeps every scalar metric the registry declares
    sw = feedsim.SweepSpec(seed=1, grid={"ranker": ["chronological"]}, days=1, metrics=list(registry.SCALAR_METRICS))
    assert tuple(sw.metrics) == registry.SCALAR_METRICS


def test_labels_come_from_the_registry():
    for m in registry.METRICS:
        assert metric_label(m.name) == m.label
    assert metric_label("voice_ratio.quiet") == "quiet members' " + registry.metric("voice_ratio").label


def test_docs_table_is_generated_from_the_registry():
    text = DOCS.read_text(encoding="utf-8")
    assert registry.markdown_table() in text, "docs/metrics.md is stale: paste feedsim.metrics.registry.markdown_table()"
