"""Lessons learned and DMAIC improvement projects with charters and tollgates."""
