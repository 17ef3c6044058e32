"""Monitoring adapters: the Metrics port over Prometheus."""

from genmedia.adapters.metrics.prometheus import PrometheusMetrics

__all__ = ["PrometheusMetrics"]
