"""Notifications: e-mails to customers about their orders (SES)."""
