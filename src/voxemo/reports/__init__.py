"""Figures and HTML reports of corpora and evaluation results."""
