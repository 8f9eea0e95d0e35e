"""Circulations: 回議 (decision by a route of approvers) and 供覧 (read circulation) (R10, R16)."""
