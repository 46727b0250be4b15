"""GitHub as a source of targets: its REST API (pagination, conditional requests, rate limits),
token and GitHub App authentication, an organisation's repositories, push webhooks, and an
emulator of all of it on loopback for tests and rehearsals."""
