"""Training-side tools for spindetect: the article spinner and the dataset builder.

``training.spinner`` imitates commercial article spinners and records every
change it makes; ``training.corpus`` reads article collections;
``training.dataset`` turns them into a ``datasets.DatasetDict`` of spun and
unspun pairs (``python -m training.dataset --help``).  Models train on the
``moby`` spinner profile only; the ``cross`` profile is kept for evaluation.
"""
