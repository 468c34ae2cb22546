"""Synthetic data: the sample dataset of ``finsam sample-data`` (:func:`.sample.write_sample`)."""
