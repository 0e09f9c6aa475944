"""The Typst back end: the only place that imports typst (the optional extra make-brief[typst])."""
