"""Monthly 研判 and 巡查通报: the month's report (stored snapshot) and the recurring hotspots (顽症)."""
