"""Exports of papers to the formats people paste into notes, papers and scripts."""
