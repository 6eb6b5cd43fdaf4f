"""The senders: one per channel type (ports.Sender), the registry that picks one (ports.Senders), and the outgoing
webhooks' (ports.WebhookSender). Each turns whatever a receiver does into a SendResult and never raises for it."""
