"""Risk registers of client projects: the agreement's probability x impact matrix, colours (kpis.md 10), reviews and plans."""
