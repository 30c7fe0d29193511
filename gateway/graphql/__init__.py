"""The GraphQL mapping: Strawberry types over the services. No rules live here."""
