"""Sources -> fragments -> engine -> findings -> reports. No vendor code, no network."""
