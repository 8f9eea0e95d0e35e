"""The contact's deadlines (screening due, overdue, result missing) republished on any save and swept daily (R17)."""
