"""One writer per export format, each formatting into a file object the caller opens."""

FORMATS = ("nemo",)  # formats `exporting.export_batch` can write
