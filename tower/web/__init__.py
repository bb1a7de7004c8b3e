"""What the pages of every app share (design.md, Layout: web). Imports no app."""
