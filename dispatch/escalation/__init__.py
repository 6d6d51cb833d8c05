"""Escalation of overdue tickets (超期升级) and the notification outbox."""
