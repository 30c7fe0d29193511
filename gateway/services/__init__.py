"""Domain services: the product rules. Nothing here knows about GraphQL."""
