"""跟踪回访: the follow-up visit after a ticket closes (who is visited, when it falls due, the record, escalation)."""
