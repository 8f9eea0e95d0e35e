"""Patient pages: registration, list, the patient page with its corrections and records, CSV export."""
