"""The Training studio tab: a CNN trains in a worker thread while its curves and filters update."""
