"""Training-side tools for spindetect: datasets, model training and evaluation.

The spinner lives in the library (``detector.spin.spinner``); ``training.corpus``
reads article collections; ``training.dataset`` turns them into a
``datasets.DatasetDict`` of spun and unspun pairs (``python -m training.dataset
--help``).  Models train on the ``moby`` and ``paratable`` spinner profiles; the
``cross`` profile is kept for evaluation.
"""
