"""The global search: suggestions in the header box, the results page and 詳細検索 (R22)."""
