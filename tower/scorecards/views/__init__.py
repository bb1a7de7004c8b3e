"""Pages of the scorecard app: scorecard (page, KPI details, downloads, commentary, actions),
survey, stock_outs and agreements (targets, penalties, look-back)."""
