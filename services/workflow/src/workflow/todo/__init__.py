"""To-dos kept from the deadlines every domain publishes (R11, R17)."""
