"""Client projects: technology transfers, new products and process changes with phases, checklists and change requests."""
