"""The alerts' records in the table: dead letters and provider delivery receipts."""
