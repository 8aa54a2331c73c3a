"""Batch prediction at scale: many recordings on a Dask cluster, resumable, each input once.

``run_batch(inputs, out)`` streams the inputs in partitions to the workers of a
``distributed`` cluster (a local one by default), writes each partition's results as a Parquet
file as it comes back, and on a second run skips every input already in the results. Needs the
``batch`` extra (``pip install 'voxemo[batch]'``).
"""
