"""The customer-lens FMEA for harmonising processes across sites, ranked by Action Priority (kpis.md 10)."""
