"""The operations log (運用記録, N18): failures, repairs and planned stops of the system, kept three years."""
