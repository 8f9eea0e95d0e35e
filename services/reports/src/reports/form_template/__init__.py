"""Versioned form templates (様式改正): uploaded HTML/CSS in force from an effective date."""
