"""Review (검수): verdicts on labels, which labels are sampled into review, and the corpus audit
with a second opinion."""
