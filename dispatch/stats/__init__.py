"""Evaluation statistics (评价): the formulas shared by the cockpit and the spreadsheet exports."""
