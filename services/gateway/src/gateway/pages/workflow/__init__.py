"""予定: the to-dos the workflow service keeps from the records' deadlines."""
