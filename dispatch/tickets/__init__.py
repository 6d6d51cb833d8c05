"""Tickets (工单): the record of a reported event through dispatch, handling and verification."""
