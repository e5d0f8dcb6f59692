"""The transcriptionist's work: the queue, segment operations (save, split, merge, delete, add), the
editor's action protocol, history and diffs, gaps, flags, find & replace, numbers offered as dual
forms."""
