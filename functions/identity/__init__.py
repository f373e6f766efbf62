"""Identity and access: accounts, passwords, tokens (JWT, ES256), roles, profile, addresses."""
