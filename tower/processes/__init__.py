"""The end-to-end process map per site: tasks, activity packages (RACI) and the interfaces between departments where lines fail."""
