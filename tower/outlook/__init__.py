"""The forward view: projected dates of open lines (kpis.md 8), lines at risk, projected OTIF and client stock-outs; composing delay notices from at-risk lines."""
