"""管理検診 and 行動調査 in the reporting read model, for F29 and F08."""
