"""The stamp boxes of the forms: where each record's circulation (回議) stands, kept from workflow's events."""
