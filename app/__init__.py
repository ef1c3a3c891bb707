"""SP4N-LAPOR! complaint desk for an Indonesian regional government."""
