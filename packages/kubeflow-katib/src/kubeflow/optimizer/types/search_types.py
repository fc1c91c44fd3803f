"""The existing SDK's `kubeflow.optimizer.types.search_types`: the search space of `kubeflow.katib`."""

from kubeflow.katib.search import CategoricalSearchSpace, ContinuousSearchSpace, Distribution, Search

__all__ = ["CategoricalSearchSpace", "ContinuousSearchSpace", "Distribution", "Search"]
