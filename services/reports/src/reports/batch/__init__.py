"""Batch printing by genre (R19): every form of a genre for chosen records, one merged PDF, in the background."""
