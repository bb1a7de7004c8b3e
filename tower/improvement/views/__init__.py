"""The pages of continuous improvement: improvement projects (projects.py), lessons (lessons.py)."""
