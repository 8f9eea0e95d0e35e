"""管理検診 (R06) and 行動調査 (R08): a patient's follow-up schedule and exams, the clerk's list, the investigation."""
