"""接触者管理: the contacts of an index patient, a contact's page with its screening, and the screening list."""
