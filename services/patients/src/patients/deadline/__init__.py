"""The patient's deadlines republished whenever anything about the patient is saved, and swept daily (R11)."""
