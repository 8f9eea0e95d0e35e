"""服薬支援 (DOTS, R07): a patient's plan, adherence and month calendar, the nurse's day sheet, the cohort list."""
