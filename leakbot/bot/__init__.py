"""The bot: `leakbot serve` runs the configured targets on a schedule and closes the loop."""
