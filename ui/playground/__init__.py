"""The Playground tab: edit a kernel and watch it convolve and pool a real image, live."""
